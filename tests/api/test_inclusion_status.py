"""An organisation's status of entreprise adaptée, ESAT or structure d'insertion par
l'activité économique and its share of disabled or disadvantaged workers, which open the
lots reserved under articles L2113-12 and L2113-13 du code de la commande publique (at
least 50 %, article R2113-7): declared by its administrators through
``PATCH /api/v1/organisations/{id}/``, read by everyone; the lots say their reservation."""

from decimal import Decimal

import pytest

from procurement.models import InclusionStatus, Organisation, Role
from tests.api.steps import challenge_url, create_challenge, ok
from tests.api.test_ess_status import url_of
from tests.conftest import member
from tests.workflows.journey import RESOURCES, lot_per_resource

pytestmark = pytest.mark.django_db


def test_an_administrator_declares_a_siae_and_its_share(world, api):
    association = world.partners[2]
    admin = member(association, "admin.asso", Role.ADMIN)

    response = api(admin).patch(
        url_of(association),
        {"inclusion_status": "siae", "inclusion_share": "62.50"},
        format="json",
    )

    assert response.status_code == 200, response.content
    saved = Organisation.objects.get(pk=association.pk)
    assert (saved.inclusion_status, saved.inclusion_share) == (
        InclusionStatus.SIAE,
        Decimal("62.50"),
    )
    body = api().get(url_of(association)).json()
    assert (body["inclusion_status"], body["inclusion_share"]) == ("siae", "62.50")


def test_a_mere_member_may_not_declare_it(world, api):
    association, user = world.partners[2], world.partner_users[2]
    response = api(user).patch(url_of(association), {"inclusion_status": "ea"}, format="json")
    assert response.status_code == 403, response.content
    assert "administrateurs" in response.json()["message"]
    assert Organisation.objects.get(pk=association.pk).inclusion_status == InclusionStatus.NONE


@pytest.mark.parametrize("share", ["-1", "100.01"])
def test_a_share_outside_0_to_100_is_refused_400(world, api, share):
    association = world.partners[2]
    admin = member(association, "admin.asso", Role.ADMIN)
    response = api(admin).patch(url_of(association), {"inclusion_share": share}, format="json")
    assert response.status_code == 400, response.content
    assert "inclusion_share" in response.json()["fields"]


def test_the_lots_say_their_reservation(world, api):
    client = api(world.buyer_agent)
    lots = lot_per_resource(list(RESOURCES), Decimal("180000.00"))
    lots = [
        {
            **lot,
            "estimated_amount": str(lot["estimated_amount"]),
            "reserved_disability": n == 1,
            "reserved_insertion": n in (1, 3),
        }
        for n, lot in enumerate(lots, 1)
    ]
    resources = [{**r, "lot": n} for n, r in enumerate(RESOURCES, 1)]
    created = create_challenge(client, world, resources=resources, lots=lots)

    body = ok(client.get(challenge_url(created["id"], "lots/")))
    assert [(lot["reserved_disability"], lot["reserved_insertion"]) for lot in body] == [
        (True, True),
        (False, False),
        (False, True),
    ]

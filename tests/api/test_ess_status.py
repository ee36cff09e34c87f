"""An organisation's ESS status (article 1er de la loi n° 2014-856 du 31 juillet 2014;
agrément ESUS, article L3332-17-1 du code du travail), which opens the lots reserved under
article L2113-15 du code de la commande publique: declared by its own administrators
through ``PATCH /api/v1/organisations/{id}/``, read by everyone."""

import pytest

from procurement.models import EssStatus, Organisation, Role
from tests.conftest import member

pytestmark = pytest.mark.django_db


def url_of(organisation) -> str:
    return f"/api/v1/organisations/{organisation.pk}/"


def test_an_administrator_declares_the_esus_agrement(world, api):
    # given an administrator of the association
    association = world.partners[2]
    admin = member(association, "admin.asso", Role.ADMIN)

    # when it declares the agrément ESUS
    response = api(admin).patch(url_of(association), {"ess_status": "esus"}, format="json")

    # then it is saved and shown to everyone
    assert response.status_code == 200, response.content
    assert Organisation.objects.get(pk=association.pk).ess_status == EssStatus.ESUS
    assert api().get(url_of(association)).json()["ess_status"] == "esus"


def test_a_mere_member_may_not_change_the_ess_status(world, api):
    # given a member (not an administrator) of the association
    association, user = world.partners[2], world.partner_users[2]

    # when it declares the association an ESS enterprise
    response = api(user).patch(url_of(association), {"ess_status": "ess"}, format="json")

    # then 403 in French, and the status stays « none »
    assert response.status_code == 403, response.content
    assert "administrateurs" in response.json()["message"]
    assert Organisation.objects.get(pk=association.pk).ess_status == EssStatus.NONE

    # but sending it unchanged with its address is allowed
    response = api(user).patch(
        url_of(association), {"ess_status": "none", "address": "1 rue Nationale, Lille"}
    )
    assert response.status_code == 200, response.content


def test_an_unknown_status_is_refused_400(world, api):
    association = world.partners[2]
    admin = member(association, "admin.asso", Role.ADMIN)
    response = api(admin).patch(url_of(association), {"ess_status": "scop"}, format="json")
    assert response.status_code == 400, response.content
    assert "ess_status" in response.json()["fields"]

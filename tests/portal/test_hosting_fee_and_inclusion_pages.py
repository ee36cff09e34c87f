"""The buyer's hosting page states each host's fee (0 %, hosted free, by default) and
lets the buyer's agents set it, printed in the contrat d'hébergement; « Mon
organisation » lets the administrators declare its status of entreprise adaptée, ESAT
or SIAE and its share of disabled or disadvantaged workers (articles L2113-12, L2113-13,
R2113-7), shown to the other members without letting them change it."""

from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse

from procurement.models import ChallengeResource, InclusionStatus, Organisation, Role
from tests.conftest import member
from tests.portal.test_award_parties import identity_data
from tests.workflows import journey

pytestmark = pytest.mark.django_db


@pytest.fixture
def hosted(world, clock):
    challenge = journey.in_cofunding(world, clock)
    resource = challenge.proposals.order_by("pk").first().group.resource
    return challenge, ChallengeResource.objects.select_related("commons").get(pk=resource.pk)


def test_the_buyer_sets_the_host_s_fee_from_the_hosting_page(client, world, login, hosted):
    # given a hosted commons, free by default
    challenge, resource = hosted
    url = reverse("portal:hosting", args=[challenge.pk])
    login(world.buyer_agent)
    page = unescape(client.get(url).content.decode())
    assert "Frais d'hébergement : aucun (hébergement gratuit)" in page

    # when the buyer sets 2,5 %
    response = client.post(
        url, {"resource": resource.pk, "action": "fee", f"r{resource.pk}-hosting_fee": "2,5"}
    )

    # then it is saved and shown
    assert response.status_code == 302
    resource.commons.refresh_from_db()
    assert resource.commons.hosting_fee == Decimal("2.5")
    assert "Frais d'hébergement : 2,50 %" in unescape(client.get(url).content.decode())


def test_a_fee_above_100_percent_is_refused_on_its_field(client, world, login, hosted):
    challenge, resource = hosted
    url = reverse("portal:hosting", args=[challenge.pk])
    login(world.buyer_agent)
    response = client.post(
        url, {"resource": resource.pk, "action": "fee", f"r{resource.pk}-hosting_fee": "150"}
    )
    assert response.status_code == 400
    resource.commons.refresh_from_db()
    assert resource.commons.hosting_fee == Decimal(0)


def test_an_administrator_declares_a_siae_and_its_share(client, world, login):
    org = Organisation.objects.create(name="Atelier Chantier d'Insertion", kind="partner")
    url = reverse("portal:organisation", args=[org.pk])
    login(member(org, "directrice", Role.ADMIN))

    response = client.post(
        url, identity_data(inclusion_status="siae", inclusion_share="72,5", ess_status="ess")
    )

    assert response.status_code == 302
    org.refresh_from_db()
    assert (org.inclusion_status, org.inclusion_share) == (InclusionStatus.SIAE, Decimal("72.5"))
    page = unescape(client.get(url).content.decode())
    assert "Structure d'insertion par l'activité économique (article L5132-4" in page
    assert "72,50 % de travailleurs handicapés ou défavorisés" in page


def test_a_member_sees_the_inclusion_status_but_cannot_change_it(client, world, login):
    org = Organisation.objects.create(name="Atelier Chantier d'Insertion", kind="partner")
    url = reverse("portal:organisation", args=[org.pk])
    login(member(org, "salarie"))

    html = client.get(url).content.decode()
    assert 'value="siae" disabled' in html

    response = client.post(url, identity_data(inclusion_status="siae", inclusion_share="90"))
    assert response.status_code == 302
    org.refresh_from_db()
    assert (org.inclusion_status, org.inclusion_share) == (InclusionStatus.NONE, None)

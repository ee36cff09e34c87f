"""A buyer's category (a local authority or the State) decides its European thresholds,
hence the procedure of its calls: the administrators set it in the Django admin, and
nobody else can, not even the buyer's own agents through the API."""

import pytest
from django.urls import reverse

from api.organisations import OrganisationSerializer
from procurement.models import BuyerCategory, Organisation


def category_of(organisation) -> str:
    return Organisation.objects.get(pk=organisation.pk).buyer_category


@pytest.mark.django_db
def test_the_api_shows_the_buyer_category_read_only(world, api):
    # given a local authority and its agent
    url = f"/api/v1/organisations/{world.buyer.pk}/"
    client = api(world.buyer_agent)
    assert client.get(url).json()["buyer_category"] == BuyerCategory.LOCAL

    # when the agent tries to make it the State
    body = {"name": world.buyer.name, "buyer_category": "state"}
    replaced = client.put(url, body, format="json")
    patched = client.patch(url, body, format="json")

    # then no whole replacement is taken, the identity's PATCH ignores the category, and
    # the category stays
    assert replaced.status_code == 405, replaced.content
    assert patched.status_code == 200, patched.content
    assert patched.json()["buyer_category"] == BuyerCategory.LOCAL
    assert category_of(world.buyer) == BuyerCategory.LOCAL


def test_the_serializer_ignores_a_buyer_category_sent_to_it():
    # (were a write endpoint ever added, the category would still not be taken)
    assert OrganisationSerializer().fields["buyer_category"].read_only
    serializer = OrganisationSerializer(data={"buyer_category": "state"}, partial=True)
    assert serializer.is_valid(), serializer.errors
    assert "buyer_category" not in serializer.validated_data


def admin_form(organisation, **changes) -> dict:
    data = {
        name: getattr(organisation, name)
        for name in (
            "name",
            "kind",
            "legal_form",
            "siren",
            "siret",
            "rna",
            "address",
            "representative_name",
            "representative_capacity",
            "vat_regime",
            "ess_status",
            "website",
            "contact_email",
            "recourse_court",
            "commons_min_share",
            "buyer_category",
            "opinion_delay_days",
        )
    }
    data.update(changes)
    return data


@pytest.mark.django_db
def test_an_administrator_sets_the_buyer_category_in_the_admin(world, admin_client):
    # given the Django admin's page of a buyer
    url = reverse("admin:procurement_organisation_change", args=[world.buyer.pk])
    assert "buyer_category" in admin_client.get(url).content.decode()

    # when an administrator makes it the State
    response = admin_client.post(url, admin_form(world.buyer, buyer_category="state"))

    # then it is saved
    assert response.status_code == 302, response.content.decode()[:2000]
    assert category_of(world.buyer) == BuyerCategory.STATE


@pytest.mark.django_db
def test_a_buyers_agent_cannot_use_the_admin(world, client):
    # given the buyer's own agent, signed in (an administrator of its organisation, not
    # of the service)
    client.force_login(world.buyer_agent)
    url = reverse("admin:procurement_organisation_change", args=[world.buyer.pk])

    # when it posts the category in the admin
    response = client.post(url, admin_form(world.buyer, buyer_category="state"))

    # then it is sent to the admin's sign-in, and the category stays
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert category_of(world.buyer) == BuyerCategory.LOCAL

"""An organisation's identity as a contracting party (SIRET, address, legal
representative and capacity, VAT regime): its own members update it through the API,
nobody else; the administrators in the Django admin."""

import pytest
from django.urls import reverse

from procurement.models import Organisation, VatRegime
from tests.api.test_buyer_category import admin_form

# La Poste's head office (Luhn-valid) and a valid SIRET of an ordinary company.
VALID_SIRET = "73282932000074"
IDENTITY = {
    "siret": VALID_SIRET,
    "address": "10 rue de la Coopération, 59000 Lille",
    "representative_name": "Mme Jeanne Martin",
    "representative_capacity": "présidente",
    "vat_regime": VatRegime.EXEMPT_ASSOCIATION,
}


def url_of(organisation) -> str:
    return f"/api/v1/organisations/{organisation.pk}/"


@pytest.mark.django_db
def test_a_member_updates_its_organisations_identity(world, api):
    # given a member of the association
    association, user = world.partners[2], world.partner_users[2]

    # when it states the association's identity
    response = api(user).patch(url_of(association), IDENTITY, format="json")

    # then it is saved and shown to everyone
    assert response.status_code == 200, response.content
    saved = Organisation.objects.get(pk=association.pk)
    assert (saved.siret, saved.representative_name, saved.representative_capacity) == (
        VALID_SIRET,
        "Mme Jeanne Martin",
        "présidente",
    )
    assert saved.vat_regime == VatRegime.EXEMPT_ASSOCIATION
    assert api().get(url_of(association)).json()["representative_capacity"] == "présidente"


@pytest.mark.django_db
def test_a_member_of_another_organisation_is_refused_403(world, api):
    # given a member of Covoit Libre SAS and the association next door
    association, other_user = world.partners[2], world.partner_users[0]

    # when it tries to change the association's identity
    response = api(other_user).patch(url_of(association), IDENTITY, format="json")

    # then 403, and nothing changed
    assert response.status_code == 403, response.content
    assert Organisation.objects.get(pk=association.pk).siret == association.siret


@pytest.mark.django_db
def test_an_anonymous_caller_cannot_change_an_identity(world, api):
    response = api().patch(url_of(world.partners[2]), IDENTITY, format="json")
    assert response.status_code in (401, 403)
    assert Organisation.objects.get(pk=world.partners[2].pk).siret == world.partners[2].siret


@pytest.mark.django_db
def test_the_patch_changes_nothing_but_the_identity(world, api):
    # given a member of Covoit Libre SAS
    org, user = world.partners[0], world.partner_users[0]

    # when it sends its name and kind along with its address
    response = api(user).patch(
        url_of(org),
        {"name": "Autre nom", "kind": "buyer", "address": "1 place du Théâtre, 59000 Lille"},
        format="json",
    )

    # then only the address is taken
    assert response.status_code == 200, response.content
    saved = Organisation.objects.get(pk=org.pk)
    assert (saved.name, saved.kind) == ("Covoit Libre SAS", "partner")
    assert saved.address == "1 place du Théâtre, 59000 Lille"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("siret", "code"),
    [
        ("7328293200007", "siret_format"),  # 13 digits
        ("732829320000740", "siret_format"),  # 15 digits
        ("7328293200007A", "siret_format"),  # a letter
        ("73282932000075", "siret_checksum"),  # 14 digits, the Luhn key broken
    ],
)
def test_a_siret_is_refused_at_its_bounds(world, api, siret, code):
    # given a member of the association
    association, user = world.partners[2], world.partner_users[2]

    # when it gives a SIRET of 13 or 15 digits, or one whose key is wrong
    response = api(user).patch(url_of(association), {"siret": siret}, format="json")

    # then 400 on the siret field, and nothing saved
    assert response.status_code == 400, response.content
    assert "siret" in response.json()["fields"], response.json()
    assert Organisation.objects.get(pk=association.pk).siret == association.siret
    expected = "14" if code == "siret_format" else "clé de contrôle"
    assert expected in response.json()["fields"]["siret"][0]


@pytest.mark.django_db
def test_an_administrator_sets_the_identity_in_the_admin(world, admin_client):
    # given the Django admin's page of a partner
    org = world.partners[1]
    url = reverse("admin:procurement_organisation_change", args=[org.pk])
    assert "representative_capacity" in admin_client.get(url).content.decode()

    # when an administrator fills the representative and the VAT regime
    response = admin_client.post(
        url,
        admin_form(
            org,
            representative_name="M. Paul Girard",
            representative_capacity="gérant",
            vat_regime=VatRegime.FRANCHISE,
        ),
    )

    # then they are saved
    assert response.status_code == 302, response.content.decode()[:2000]
    saved = Organisation.objects.get(pk=org.pk)
    assert (saved.representative_name, saved.vat_regime) == ("M. Paul Girard", "franchise")

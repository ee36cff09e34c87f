"""The buyer designates the structure hébergeuse of a funded commons over the API
(``POST /api/v1/challenges/{id}/resources/{id}/host/``), before the award pieces."""

import pytest

from procurement.models import ChallengeResource, Commons, OrganisationKind
from tests.factories import OrganisationFactory
from tests.workflows import journey

pytestmark = pytest.mark.django_db


def url(challenge, resource) -> str:
    return f"/api/v1/challenges/{challenge.pk}/resources/{resource.pk}/host/"


@pytest.fixture
def cofunded(world, clock):
    """A call in cofunding whose selected resource has no commons nor host yet."""
    challenge = journey.in_cofunding(world, clock, host=False)
    resource = challenge.proposals.order_by("pk").first().group.resource
    return challenge, ChallengeResource.objects.get(pk=resource.pk)


def test_the_buyer_designates_the_host_of_a_resource_still_to_be_created(api, world, cofunded):
    # given
    challenge, resource = cofunded
    assert resource.commons is None
    # when
    response = api(world.buyer_agent).post(
        url(challenge, resource), {"host": world.host.pk}, format="json"
    )
    # then the resource becomes a commons, hosted, outside the catalogue
    assert response.status_code == 200, response.content
    resource.refresh_from_db()
    assert resource.commons.host == world.host
    assert resource.commons.referenced is False
    assert response.json()["host"]["id"] == world.host.pk


@pytest.mark.parametrize("who", ["partner", "funder", "stranger"])
def test_only_the_buyer_designates_the_host(api, world, cofunded, who):
    # given
    challenge, resource = cofunded
    user = {
        "partner": world.partner_users[0],
        "funder": world.funder_users[0],
        "stranger": world.stranger,
    }[who]
    # when
    response = api(user).post(url(challenge, resource), {"host": world.host.pk}, format="json")
    # then refused (403, or 404 for who may not see the call), nothing written
    assert response.status_code in (403, 404)
    resource.refresh_from_db()
    assert resource.commons is None


def test_the_host_must_be_a_structure_hebergeuse(api, world, cofunded):
    # given a partner organisation
    challenge, resource = cofunded
    # when
    response = api(world.buyer_agent).post(
        url(challenge, resource), {"host": world.partners[0].pk}, format="json"
    )
    # then
    assert response.status_code == 400
    assert response.json()["code"] == "not_a_host"


def test_the_catalogue_s_host_is_kept(api, world, cofunded):
    # given a resource whose commons the catalogue hosts already
    challenge, resource = cofunded
    other = OrganisationFactory(name="Autre hébergeur", kind=OrganisationKind.HOST)
    resource.commons = Commons.objects.create(
        name="Commun du catalogue", slug="commun-du-catalogue", category="knowledge", host=other
    )
    resource.save()
    client = api(world.buyer_agent)
    # when another host is designated, then refused; the same one changes nothing
    refused = client.post(url(challenge, resource), {"host": world.host.pk}, format="json")
    same = client.post(url(challenge, resource), {"host": other.pk}, format="json")
    # then
    assert refused.status_code == 409
    assert refused.json()["code"] == "host_already_set"
    assert same.status_code == 200
    resource.commons.refresh_from_db()
    assert resource.commons.host == other


def test_a_resource_of_another_call_is_not_found(api, world, cofunded):
    _challenge, resource = cofunded
    other_call = journey.start(world, title="Un autre appel")
    response = api(world.buyer_agent).post(
        f"/api/v1/challenges/{other_call.pk}/resources/{resource.pk}/host/",
        {"host": world.host.pk},
        format="json",
    )
    assert response.status_code == 404

"""The lists' filters (api.filters): a request that names no filter gets the whole
list, one that names a filter gets what it asks for, a wrong value a 400."""

import pytest

from tests.api import scenarios
from tests.api.steps import ok
from tests.workflows import journey


def listed(client, url, **params) -> list[int]:
    body = ok(client.get(url, {"page_size": 200, **params}))
    return sorted(row["id"] for row in body["results"])


@pytest.mark.django_db
def test_calls_filtered_by_stage_and_buyer_only_when_asked(world, clock, api):
    # given a draft call and a published one of the same buyer
    draft = journey.start(world)
    published = scenarios.published(world)
    client = api(world.buyer_agent)

    # when the buyer's agent lists the calls with no filter, then both are there
    assert listed(client, "/api/v1/challenges/") == sorted([draft.pk, published.pk])
    # when it asks for a stage or for its buyer, then it gets what it asked for
    assert listed(client, "/api/v1/challenges/", status="draft") == [draft.pk]
    assert listed(client, "/api/v1/challenges/", status="positioning") == [published.pk]
    assert listed(client, "/api/v1/challenges/", buyer=world.buyer.pk) == sorted(
        [draft.pk, published.pk]
    )
    # when it asks for a stage that does not exist, then it is told so
    response = client.get("/api/v1/challenges/", {"status": "nowhere"})
    assert response.status_code == 400
    assert "status" in str(response.json())


@pytest.mark.django_db
def test_organisations_filtered_by_kind_with_one_filterset_kept(world, api):
    # given the world's buyer, Chambre and partners
    from api.filters import _FILTERSETS

    client = api(world.buyer_agent)
    buyers = listed(client, "/api/v1/organisations/", kind="buyer")
    # when the list is asked by kind, then only that kind comes, twice the same
    assert world.buyer.pk in buyers
    assert world.partners[0].pk not in buyers
    kept = {
        key: value for key, value in _FILTERSETS.items() if key[0].__name__ == "OrganisationList"
    }
    assert len(kept) == 1
    assert listed(client, "/api/v1/organisations/", kind="buyer") == buyers
    assert {k: v for k, v in _FILTERSETS.items() if k[0].__name__ == "OrganisationList"} == kept
    # a kind that does not exist is refused, and no filter gives every organisation
    assert client.get("/api/v1/organisations/", {"kind": "nowhere"}).status_code == 400
    assert set(buyers) < set(listed(client, "/api/v1/organisations/"))

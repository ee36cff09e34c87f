"""The planned dates of a draft through the API (as in the portal's editor): given with
the draft, refused out of order, and read back."""

import pytest

from tests.api.steps import challenge_url, create_challenge, error, ok


@pytest.mark.django_db
def test_planned_dates_are_saved_and_refused_out_of_order(world, api):
    client = api(world.buyer_agent)
    created = create_challenge(client, world)
    url = challenge_url(created["id"])
    body = ok(
        client.patch(
            url,
            {
                "planned_positioning_deadline": "2030-03-01T12:00:00+01:00",
                "planned_proposal_deadline": "2030-04-15T12:00:00+02:00",
            },
            format="json",
        )
    )
    assert body["planned_proposal_deadline"].startswith("2030-04-15")
    refused = error(
        client.patch(
            url, {"planned_proposal_deadline": "2030-02-01T12:00:00+01:00"}, format="json"
        ),
        400,
        "invalid_planned_dates",
    )
    assert "planned_proposal_deadline" in refused["fields"]

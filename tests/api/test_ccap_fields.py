"""The call states the contract's duration and whether the titulaire processes personal
data: the buyer sets them with the call (API), and the CCAP, generated from the call
alone, prints them."""

import pytest

from tests.workflows import journey
from workflows.pack import challenge_context


@pytest.mark.django_db
def test_the_buyer_sets_the_duration_and_personal_data_of_its_call(world, api):
    # given a draft call, twelve months and no personal data by default
    challenge = journey.start(world)
    assert (challenge.contract_duration_months, challenge.personal_data) == (12, False)

    # when its agent sets eighteen months and personal data
    response = api(world.buyer_agent).patch(
        f"/api/v1/challenges/{challenge.pk}/",
        {"contract_duration_months": 18, "personal_data": True},
        format="json",
    )

    # then the call and the CCAP's context carry them
    assert response.status_code == 200, response.content
    assert (response.json()["contract_duration_months"], response.json()["personal_data"]) == (
        18,
        True,
    )
    challenge.refresh_from_db()
    context = challenge_context(challenge)
    assert (context.contract_duration_months, context.personal_data) == (18, True)


@pytest.mark.django_db
@pytest.mark.parametrize("months", [0, 121])
def test_a_duration_out_of_bounds_is_refused(world, api, months):
    challenge = journey.start(world)
    response = api(world.buyer_agent).patch(
        f"/api/v1/challenges/{challenge.pk}/", {"contract_duration_months": months}, format="json"
    )
    assert response.status_code == 400, response.content
    assert "contract_duration_months" in response.json()["fields"]

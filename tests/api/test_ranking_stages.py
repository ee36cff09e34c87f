"""The ranking answers at every stage of a call: the buyer's staff read it once there
are marks to rank, and before that are told there is none yet (409), never a server
error."""

import pytest

from tests.portal.steps import STEPS, advance

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("step", STEPS)
def test_the_ranking_never_fails_whatever_the_stage(world, clock, api, step):
    challenge = advance(world, clock, step)
    response = api(world.buyer_agent).get(f"/api/v1/challenges/{challenge.pk}/ranking/")
    assert response.status_code in (200, 409), (step, response.status_code, response.content[:300])


@pytest.mark.parametrize(
    "incomplete",
    [
        pytest.param(lambda criteria: criteria.delete(), id="sans critère"),
        pytest.param(
            lambda criteria: criteria.filter(pk=criteria.first().pk).update(weight=1),
            id="poids ≠ 100",
        ),
    ],
)
def test_a_draft_whose_grid_cannot_rank_says_so(world, clock, api, incomplete):
    from scoring.models import Criterion

    # given a draft whose buyer is still writing the grid
    challenge = advance(world, clock, "draft")
    incomplete(Criterion.objects.filter(grid__challenge=challenge).order_by("pk"))
    client = api(world.buyer_agent)
    # then the ranking and its exports answer 409, saying why, never a server error
    for path in ("ranking/", "ranking/export.csv", "ranking/export.xlsx"):
        response = client.get(f"/api/v1/challenges/{challenge.pk}/{path}")
        assert response.status_code == 409, (path, response.content[:300])
        body = response.json()
        assert body["code"] == "grid_incomplete"
        assert body["message"].startswith("Pas encore de classement : la grille")

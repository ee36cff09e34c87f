"""Exploration before cofunding through the API (issue 21, seed 003): the buyer plans it
on the call (1,000 € to 3,000 € per team), anyone who sees the call reads the
explorations, the buyer decides through the task API; errors in the API's shape."""

from decimal import Decimal

import pytest

from tests.api.steps import TASKS, act, challenge_url, error, ok, task_in_inbox
from tests.conftest import later, paris
from tests.workflows import journey
from tests.workflows.test_exploration import EXPLORATION_END, PLAN, selected_two


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("amount", "status"),
    [("999.99", 400), ("1000.00", 200), ("3000.00", 200), ("3000.01", 400)],
)
def test_buyer_plans_the_exploration_within_the_bounds(world, api, amount, status):
    # given a draft call
    challenge = journey.start(world)
    buyer = api(world.buyer_agent)
    body = ok(buyer.get(challenge_url(challenge.pk)))
    assert (body["exploration_planned"], body["exploration_budget"]) == (False, None)
    # when the buyer plans an exploration at ``amount`` per team
    response = buyer.patch(
        challenge_url(challenge.pk),
        {
            "exploration_planned": True,
            "exploration_budget": amount,
            "exploration_end": paris(*EXPLORATION_END).isoformat(),
        },
        format="json",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    # then within the bounds the call keeps it, outside them 400 on the field, in French
    if status == 200:
        assert ok(response)["exploration_budget"] == amount
    else:
        refused = error(response, 400, "exploration_budget_bounds")
        assert "exploration_budget" in refused["fields"]
        assert "3 000 €" in refused["message"]


@pytest.mark.django_db
def test_a_partner_may_not_plan_an_exploration(world, api):
    challenge = journey.start(world)
    # the draft is not even visible to a partner: 404, as any call it may not see
    error(
        api(world.partner_users[0]).patch(
            challenge_url(challenge.pk), {"exploration_planned": True}, format="json"
        ),
        404,
    )


@pytest.mark.django_db
def test_the_exploration_is_read_and_decided_through_the_api(world, clock, api):
    # given a call in exploration
    challenge, first, second = selected_two(world, clock, **PLAN)
    anonymous = api()
    body = ok(anonymous.get(challenge_url(challenge.pk, "exploration/")))
    assert body["planned"] is True
    assert (body["budget"], body["bounds"]) == ("2000.00", {"min": "1000.00", "max": "3000.00"})
    rows = {row["proposal"]: row for row in body["explorations"]}
    assert set(rows) == {first.pk, second.pk}
    assert rows[first.pk]["payout_status"] == "approved"
    assert rows[second.pk]["payout"] is None
    assert rows[first.pk]["proven"] is None

    # when the exploration ends, the buyer's task is in its inbox
    clock.move_to(later(paris(*EXPLORATION_END), seconds=1))
    journey.sweep()
    buyer = api(world.buyer_agent)
    task = task_in_inbox(buyer, challenge.pk, "decide_exploration")
    detail = ok(buyer.get(f"{TASKS}{task['id']}/"))
    assert [field["name"] for field in detail["form"][0]["items"]] == [
        "proposal",
        "proven",
        "reason",
    ]
    # a partner sees no such task, and may not complete it (404: not visible to it)
    error(api(world.partner_users[0]).post(f"{TASKS}{task['id']}/complete/", {}), 404)
    # a decision without reason is refused on its field
    refused = error(
        buyer.post(
            f"{TASKS}{task['id']}/complete/",
            {
                "decisions": [
                    {"proposal": first.pk, "proven": True, "reason": ""},
                    {"proposal": second.pk, "proven": False, "reason": "Pas d'usage"},
                ]
            },
            format="json",
        ),
        400,
    )
    assert "decisions" in refused["fields"]

    # when the buyer decides
    act(
        buyer,
        challenge.pk,
        "decide_exploration",
        {
            "decisions": [
                {"proposal": first.pk, "proven": True, "reason": "Trois villes l'utilisent."},
                {"proposal": second.pk, "proven": False, "reason": "Aucun usage constaté."},
            ]
        },
    )
    # then everyone reads the decisions, and the round holds the proven commons only
    rows = {
        row["proposal"]: row
        for row in ok(anonymous.get(challenge_url(challenge.pk, "exploration/")))["explorations"]
    }
    assert (rows[first.pk]["proven"], rows[first.pk]["reason"]) == (
        True,
        "Trois villes l'utilisent.",
    )
    assert rows[second.pk]["proven"] is False
    buckets = ok(anonymous.get(challenge_url(challenge.pk, "cofunding/")))["buckets"]
    assert [b["proposal"] for b in buckets] == [first.pk]
    assert Decimal(buckets[0]["max_amount"]) > 0


@pytest.mark.django_db
def test_the_exploration_of_a_draft_is_hidden_from_others(world, api):
    challenge = journey.start(world, **PLAN)
    error(api().get(challenge_url(challenge.pk, "exploration/")), 404)
    body = ok(api(world.buyer_agent).get(challenge_url(challenge.pk, "exploration/")))
    assert (body["planned"], body["explorations"]) == (True, [])


@pytest.mark.django_db
def test_a_call_created_with_an_exploration_keeps_it_within_the_bounds(world, api):
    from tests.api.steps import create_challenge

    buyer = api(world.buyer_agent)
    plan = {"exploration_planned": True, "exploration_end": paris(*EXPLORATION_END).isoformat()}
    created = create_challenge(buyer, world, **plan, exploration_budget="1000.00")
    assert (created["exploration_planned"], created["exploration_budget"]) == (True, "1000.00")
    # a budget past the bound creates nothing
    before = ok(buyer.get("/api/v1/challenges/"))["count"]
    body = {
        "buyer": world.buyer.pk,
        "chambre": world.chambre.pk,
        "title": "Trop d'exploration",
        "context": "…",
        "resources": [{"title": "Une ressource"}],
        **plan,
        "exploration_budget": "3000.01",
    }
    refused = error(buyer.post("/api/v1/challenges/", body, format="json"), 400)
    assert "exploration_budget" in refused["fields"]
    assert ok(buyer.get("/api/v1/challenges/"))["count"] == before

"""A new scoring round: the earlier scores stay, the ranking takes each evaluator's
latest round."""

import pytest

from scoring.models import Evaluation
from scoring.ranking import compute_rankings
from tests.api import scenarios
from tests.api.steps import challenge_url, error, ok
from tests.scoring.helpers import audit_verbs, evaluate, evaluations_seen, marks, proposals
from tests.workflows import journey


def ranking(client, challenge) -> list[tuple[int, str]]:
    entries = ok(client.get(challenge_url(challenge.pk, "ranking/")))["entries"]
    return [(e["proposal_id"], e["total"]) for e in entries]


@pytest.mark.django_db(transaction=True)
def test_new_round_keeps_the_previous_scores_and_the_ranking_takes_the_latest(
    world, clock, api, django_assert_num_queries
):
    # given every proposal scored 7 by both evaluators, at the same price: a three-way
    # tie at 76 (80 % of the weight marked 7/10, the price formula's full 20 %)
    challenge = scenarios.scoring(world, clock, **journey.ONE_LOT)
    journey.score_all(world, challenge, value="7")
    first, second, third = proposals(challenge)
    buyer, one = api(world.buyer_agent), api(world.evaluators[0])
    assert {total for _pk, total in ranking(buyer, challenge)} == {"76.00"}

    # when the buyer opens a second round after deliberation
    body = ok(
        buyer.post(
            challenge_url(challenge.pk, "rounds/"),
            {"reason": "Écarts à revoir sur la deuxième proposition."},
            format="json",
        ),
        201,
    )
    assert body["number"] == 2

    # and the first evaluator scores the second proposal again, higher
    created = ok(evaluate(one, challenge, second, marks(challenge, "9")), 201)

    # then its new evaluation is of round 2, its round-1 one is still there
    assert created["round"] == 2
    assert (second.pk, world.evaluators[0].username, 1) in evaluations_seen(buyer, challenge)
    assert (second.pk, world.evaluators[0].username, 2) in evaluations_seen(buyer, challenge)
    assert Evaluation.objects.filter(assignment__proposal__challenge=challenge).count() == 7
    # and the ranking counts its latest round only: (9 + 7) / 2 → 8 on 80 %, plus 20 for
    # the price, 84 out of 100, reading the marks in one query (the grid, the lots, the
    # proposals answering each lot and the offered prices in four others)
    with django_assert_num_queries(5):
        compute_rankings(challenge)
    assert ranking(buyer, challenge) == [
        (second.pk, "84.00"),
        (first.pk, "76.00"),
        (third.pk, "76.00"),
    ]
    # and the round and its reason are on the record
    assert "scoring.round_opened" in audit_verbs(challenge)
    rounds = ok(one.get(challenge_url(challenge.pk, "rounds/")))
    assert rounds["current"] == 2
    assert rounds["rounds"][0]["reason"] == "Écarts à revoir sur la deuxième proposition."


@pytest.mark.django_db(transaction=True)
def test_new_round_is_blind_again_until_ones_own_is_submitted(world, clock, api):
    # given a second round in which the first evaluator has scored a proposal again
    challenge = scenarios.scoring(world, clock, **journey.ONE_LOT)
    journey.score_all(world, challenge, value="7")
    first = proposals(challenge)[0]
    ok(
        api(world.buyer_agent).post(
            challenge_url(challenge.pk, "rounds/"), {"reason": "Délibération."}, format="json"
        ),
        201,
    )
    ok(evaluate(api(world.evaluators[0]), challenge, first, marks(challenge, "8")), 201)
    two = api(world.evaluators[1])
    one_name = world.evaluators[0].username

    # when the second evaluator lists the evaluations, then it sees the first's round 1,
    # not its round 2
    assert (first.pk, one_name, 1) in evaluations_seen(two, challenge)
    assert (first.pk, one_name, 2) not in evaluations_seen(two, challenge)

    # when it submits its own round 2 on that proposal, then it sees the first's
    ok(evaluate(two, challenge, first, marks(challenge, "6")), 201)
    assert (first.pk, one_name, 2) in evaluations_seen(two, challenge)


@pytest.mark.django_db(transaction=True)
def test_new_round_is_opened_by_the_buyer_only_while_scoring_or_selecting(world, clock, api):
    # given opened proposals, evaluators not yet named
    challenge = scenarios.opened(world, clock)
    url = challenge_url(challenge.pk, "rounds/")
    buyer = api(world.buyer_agent)

    # when the buyer opens a round before the scoring, then it is too early
    error(buyer.post(url, {"reason": "Trop tôt."}, format="json"), 409, "wrong_stage")

    # given the scoring under way, nobody having scored yet
    journey.complete(
        challenge,
        "assign_evaluators",
        world.buyer_agent,
        {"evaluators": [u.pk for u in world.evaluators]},
    )
    # when the buyer opens a round, then there is nothing to score again yet
    error(buyer.post(url, {"reason": "Rien à revoir."}, format="json"), 409, "round_not_scored")
    # when it gives no reason, then the reason is asked for
    assert "reason" in error(buyer.post(url, {"reason": ""}, format="json"), 400)["fields"]
    # when an evaluator or a partner opens one, then it is forbidden
    for user in (world.evaluators[0], world.partner_users[0]):
        error(api(user).post(url, {"reason": "Moi aussi."}, format="json"), 403, "not_allowed")
    # and a partner may not even read the rounds
    error(api(world.partner_users[0]).get(url), 403, "scoring_only")
    assert ok(buyer.get(url)) == {"current": 1, "rounds": []}

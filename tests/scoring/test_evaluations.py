"""Scoring through the API: blind until one's own is submitted, comments on extreme
marks, and evaluators named proposal by proposal."""

import pytest

from procurement.models import ChallengeStatus
from scoring.models import Assignment
from tests.api import scenarios
from tests.api.steps import TASKS, challenge_url, error, ok
from tests.scoring.helpers import evaluate, evaluations_seen, marks, proposals
from tests.workflows.journey import complete, open_task


@pytest.mark.django_db(transaction=True)
def test_evaluator_sees_others_scores_on_a_proposal_only_after_submitting_its_own_on_it(
    world, clock, api
):
    # given a challenge being scored; the first evaluator scores the first two proposals
    challenge = scenarios.scoring(world, clock)
    first, second, _third = proposals(challenge)
    one, two = world.evaluators
    for proposal in (first, second):
        ok(evaluate(api(one), challenge, proposal, conflict=False), 201)

    # when the second, who has submitted nothing, lists the evaluations, then it sees none
    assert evaluations_seen(api(two), challenge) == []
    # while the first sees its own, and the buyer every submitted one
    assert evaluations_seen(api(one), challenge) == [
        (first.pk, one.username, 1),
        (second.pk, one.username, 1),
    ]
    assert len(evaluations_seen(api(world.buyer_agent), challenge)) == 2

    # when the second submits its own on the first proposal
    created = ok(evaluate(api(two), challenge, first, marks(challenge, "5"), conflict=False), 201)

    # then it sees the first's scores on that proposal, not on the other one
    assert created["scores"]["technique"] == {"value": "5", "comment": ""}
    assert evaluations_seen(api(two), challenge) == [
        (first.pk, one.username, 1),
        (first.pk, two.username, 1),
    ]
    # and a partner sees no one's
    assert evaluations_seen(api(world.partner_users[0]), challenge) == []


@pytest.mark.django_db(transaction=True)
def test_lowest_and_highest_marks_need_a_comment_and_nothing_is_kept_without_it(world, clock, api):
    # given a challenge being scored
    challenge = scenarios.scoring(world, clock)
    first = proposals(challenge)[0]
    evaluator = api(world.evaluators[0])
    scores = {**marks(challenge), "technique": "10", "environnement": "0"}

    # when the evaluator gives the highest and the lowest mark without comment
    body = error(evaluate(evaluator, challenge, first, scores, conflict=False), 400)

    # then both marks are refused, each with its reason, and nothing is kept, not even
    # the declaration of interests sent with them
    assert body["code"] == "invalid_scores"
    assert set(body["fields"]["scores"]) == {"technique", "environnement"}
    assert Assignment.objects.get(evaluator=world.evaluators[0], proposal=first).conflict is None
    assert evaluations_seen(evaluator, challenge) == []

    # when it explains them, then the evaluation is taken with its comments
    comments = {"technique": "Architecture exemplaire.", "environnement": "Aucune sobriété."}
    created = ok(
        evaluate(evaluator, challenge, first, scores, conflict=False, comments=comments), 201
    )
    assert created["scores"]["environnement"] == {"value": "0", "comment": "Aucune sobriété."}
    # and it is final for the round
    error(
        evaluate(evaluator, challenge, first, scores, comments=comments), 409, "already_submitted"
    )


@pytest.mark.django_db(transaction=True)
def test_evaluation_is_refused_before_the_declaration_and_on_a_proposal_not_assigned(
    world, clock, api, third_evaluator
):
    # given a challenge being scored
    challenge = scenarios.scoring(world, clock)
    first = proposals(challenge)[0]

    # when an evaluator scores without having declared its interests, then it must first
    error(evaluate(api(world.evaluators[0]), challenge, first), 409, "declare_first")
    # when an evaluator not assigned, or a partner, scores it, then it is none of theirs
    for user in (third_evaluator, world.partner_users[0]):
        error(evaluate(api(user), challenge, first, conflict=False), 404, "assignment_not_found")
    # and nothing was recorded
    assert evaluations_seen(api(world.buyer_agent), challenge) == []


@pytest.mark.django_db(transaction=True)
def test_buyer_names_evaluators_proposal_by_proposal(world, clock, api):
    # given opened proposals
    challenge = scenarios.opened(world, clock)
    first, second, third = proposals(challenge)
    one, two = world.evaluators

    # when the buyer names one evaluator on each of two proposals, both on the third
    complete(
        challenge,
        "assign_evaluators",
        world.buyer_agent,
        {
            "assignments": [
                {"proposal": first.pk, "evaluators": [one.pk]},
                {"proposal": second.pk, "evaluators": [two.pk]},
                {"proposal": third.pk, "evaluators": [one.pk, two.pk]},
            ]
        },
    )

    # then each is assigned those proposals only, and has its own scoring task
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.SCORING
    for evaluator, expected in ((one, [first, third]), (two, [second, third])):
        rows = ok(api(evaluator).get(challenge_url(challenge.pk, "assignments/")))["results"]
        assert [r["proposal"] for r in rows] == [p.pk for p in expected]
        assert open_task(challenge, "score", owner=evaluator).owner == evaluator
    # and scores only those: a proposal it is not named on is none of its business
    error(evaluate(api(one), challenge, second, conflict=False), 404, "assignment_not_found")


@pytest.mark.django_db(transaction=True)
def test_naming_evaluators_is_refused_when_a_proposal_has_none(world, clock, api):
    # given opened proposals, the buyer to name the evaluators
    challenge = scenarios.opened(world, clock)
    first, second, third = proposals(challenge)
    one, two = world.evaluators
    task = open_task(challenge, "assign_evaluators")
    buyer = api(world.buyer_agent)

    def assign(data):
        return buyer.post(f"{TASKS}{task.pk}/complete/", data, format="json")

    # when the third proposal is left without an evaluator
    body = error(
        assign(
            {
                "assignments": [
                    {"proposal": first.pk, "evaluators": [one.pk]},
                    {"proposal": second.pk, "evaluators": [two.pk]},
                ]
            }
        ),
        400,
        "invalid_assignments",
    )

    # then the refusal names it, and no one is assigned
    assert list(body["fields"]["assignments"]) == [str(third.pk)]
    assert not Assignment.objects.filter(proposal__challenge=challenge).exists()
    # and naming both ways at once, or a partner as evaluator, is refused too
    both = {"evaluators": [one.pk], "assignments": [{"proposal": first.pk, "evaluators": [one.pk]}]}
    assert "evaluators" in error(assign(both), 400)["fields"]
    per_proposal = [
        {"proposal": p.pk, "evaluators": [world.partner_users[0].pk]}
        for p in (first, second, third)
    ]
    error(assign({"assignments": per_proposal}), 400, "invalid_evaluators")
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.ASSIGNMENT

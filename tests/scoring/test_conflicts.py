"""Declarations of interests: an evaluator reads a proposal only after declaring no
conflict on it; a declared conflict voids the assignment and the buyer reassigns."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from procurement.models import ChallengeStatus
from scoring.ranking import ranking_for
from tests.api import scenarios
from tests.api.steps import challenge_url, error, ok
from tests.scoring.helpers import (
    assignment_id,
    audit_verbs,
    declare,
    evaluate,
    listed_ids,
    marks,
    proposals,
)
from tests.workflows.journey import complete, current_steps


@pytest.mark.django_db(transaction=True)
def test_assigned_evaluator_reads_a_proposal_only_after_declaring_no_conflict(world, clock, api):
    # given a challenge being scored, the first evaluator assigned every proposal
    challenge = scenarios.scoring(world, clock)
    first, second, _third = proposals(challenge)
    evaluator = api(world.evaluators[0])
    url = challenge_url(challenge.pk, "proposals/")

    # when it has declared nothing, then it reads no proposal, listed or by id
    assert listed_ids(evaluator, url) == []
    error(evaluator.get(f"{url}{first.pk}/"), 404, "proposal_not_found")
    # but it sees what it is assigned, with whom to check its interests against
    rows = ok(evaluator.get(challenge_url(challenge.pk, "assignments/")))["results"]
    assert [(r["proposal"], r["conflict"]) for r in rows] == [
        (p.pk, None) for p in proposals(challenge)
    ]
    assert rows[0]["proposal_title"] == first.title
    assert rows[0]["organisations"] == [world.partners[0].name]

    # when it declares no conflict on the first proposal
    body = ok(declare(evaluator, challenge, assignment_id(world.evaluators[0], first)))

    # then it reads that one, and still not the others
    assert body["conflict"] is False
    assert body["declared_at"] is not None
    assert listed_ids(evaluator, url) == [first.pk]
    assert ok(evaluator.get(f"{url}{first.pk}/"))["title"] == first.title
    error(evaluator.get(f"{url}{second.pk}/"), 404, "proposal_not_found")


@pytest.mark.django_db(transaction=True)
def test_declared_conflict_hides_the_proposal_and_asks_the_buyer_to_reassign(world, clock, api):
    # given a challenge being scored
    challenge = scenarios.scoring(world, clock)
    first = proposals(challenge)[0]
    evaluator, buyer = api(world.evaluators[0]), api(world.buyer_agent)
    assignment = assignment_id(world.evaluators[0], first)
    to_reassign = challenge_url(challenge.pk, "assignments/?needs_reassignment=true")
    assert ok(buyer.get(to_reassign))["results"] == []

    # when the first evaluator declares a conflict on the first proposal
    body = ok(declare(evaluator, challenge, assignment, conflict=True, note="J'ai conseillé."))

    # then the assignment is void: it may neither read nor score the proposal
    assert (body["conflict"], body["needs_reassignment"]) == (True, True)
    error(
        evaluator.get(challenge_url(challenge.pk, f"proposals/{first.pk}/")),
        404,
        "proposal_not_found",
    )
    error(evaluate(evaluator, challenge, first), 409, "conflict_declared")
    # and it cannot take its declaration back
    error(declare(evaluator, challenge, assignment, conflict=False), 409, "already_declared")
    # and the buyer is told to reassign the proposal, with the evaluator's note
    rows = ok(buyer.get(to_reassign))["results"]
    assert [(r["proposal"], r["evaluator_username"], r["conflict_note"]) for r in rows] == [
        (first.pk, world.evaluators[0].username, "J'ai conseillé.")
    ]
    assert "evaluation.conflict_declared" in audit_verbs(challenge)


@pytest.mark.django_db(transaction=True)
def test_assignments_are_scoped_to_the_buyers_staff_and_to_each_evaluator(world, clock, api):
    # given a challenge being scored by two evaluators
    challenge = scenarios.scoring(world, clock)
    first = proposals(challenge)[0]
    url = challenge_url(challenge.pk, "assignments/")
    others = assignment_id(world.evaluators[1], first)

    # when each reads the assignments, then the buyer sees all, an evaluator its own,
    # a partner none
    assert ok(api(world.buyer_agent).get(url))["count"] == 6
    rows = ok(api(world.evaluators[0]).get(url))["results"]
    assert {r["evaluator_username"] for r in rows} == {world.evaluators[0].username}
    assert ok(api(world.partner_users[0]).get(url))["count"] == 0
    error(api().get(url), 401)

    # when the first evaluator declares on the second's assignment, then it is missing
    error(declare(api(world.evaluators[0]), challenge, others), 404, "assignment_not_found")
    # and the buyer, who sees it, may not declare in the evaluator's place
    error(declare(api(world.buyer_agent), challenge, others), 403, "not_allowed")


@pytest.mark.django_db(transaction=True)
def test_buyer_reassigns_a_conflicted_proposal_and_the_join_waits_on_the_first_tasks_only(
    world, clock, api, third_evaluator
):
    # given the first evaluator in conflict on the first proposal
    challenge = scenarios.scoring(world, clock)
    first = proposals(challenge)[0]
    conflicted = assignment_id(world.evaluators[0], first)
    ok(declare(api(world.evaluators[0]), challenge, conflicted, conflict=True))
    buyer = api(world.buyer_agent)
    url = challenge_url(challenge.pk, "assignments/")

    # when the buyer names a third evaluator on that proposal
    body = ok(
        buyer.post(url, {"proposal": first.pk, "evaluator": third_evaluator.pk}, format="json"),
        201,
    )

    # then the new assignment replaces the void one, and nothing is left to reassign
    assert (body["evaluator_username"], body["replaces"], body["conflict"]) == (
        third_evaluator.username,
        conflicted,
        None,
    )
    assert ok(buyer.get(url, {"needs_reassignment": "true"}))["results"] == []
    assert "evaluation.reassigned" in audit_verbs(challenge)

    # when the first two evaluators complete their scoring tasks
    for evaluator in world.evaluators:
        complete(
            challenge,
            "score",
            evaluator,
            owner=evaluator,
            data={
                "evaluations": [
                    {"proposal": p.pk, "conflict": False, "scores": marks(challenge, "7")}
                    for p in proposals(challenge)
                    if not (evaluator == world.evaluators[0] and p == first)
                ]
            },
        )

    # then the scoring closes without waiting for the third, who had no task
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.SELECTION
    assert "select" in current_steps(challenge)
    # and the third still declares and scores its proposal through the API, which counts
    third = api(third_evaluator)
    error(evaluate(third, challenge, first), 409, "declare_first")
    ok(evaluate(third, challenge, first, marks(challenge, "9"), conflict=False), 201)
    assert ranking_for(challenge)["entries"][0]["proposal_id"] == first.pk
    # (7 + 9) / 2 on 80 % of the weight, and the price formula's 20 % (equal prices)
    assert ranking_for(challenge)["entries"][0]["total"] == "84.00"


@pytest.mark.django_db(transaction=True)
def test_reassignment_is_refused_to_others_and_for_what_is_not_reassignable(
    world, clock, api, third_evaluator
):
    # given a challenge being scored
    challenge = scenarios.scoring(world, clock)
    first = proposals(challenge)[0]
    url = challenge_url(challenge.pk, "assignments/")

    def add(user, proposal_id, evaluator_id):
        return api(user).post(
            url, {"proposal": proposal_id, "evaluator": evaluator_id}, format="json"
        )

    # when an evaluator or a partner adds an evaluator, then it is forbidden
    for user in (world.evaluators[0], world.partner_users[0]):
        error(add(user, first.pk, third_evaluator.pk), 403, "not_allowed")
    # when the buyer names someone who is no evaluator, or one already assigned, or on a
    # proposal that is not there, then it is refused
    error(add(world.buyer_agent, first.pk, world.partner_users[0].pk), 400, "invalid_evaluators")
    body = error(add(world.buyer_agent, first.pk, world.evaluators[1].pk), 400, "already_assigned")
    assert "evaluator" in body["fields"]
    error(add(world.buyer_agent, 2**62, third_evaluator.pk), 404, "proposal_not_found")
    error(add(world.buyer_agent, first.pk, 2**64), 400, "invalid")
    # and nobody was added
    assert ok(api(world.buyer_agent).get(url))["count"] == 6


@pytest.mark.django_db(transaction=True)
def test_reassignment_waits_for_the_scoring(world, clock, api, third_evaluator):
    # given opened proposals, the evaluators not yet named
    challenge = scenarios.opened(world, clock)
    first = proposals(challenge)[0]

    # when the buyer adds an evaluator to a proposal, then it is too early
    response = api(world.buyer_agent).post(
        challenge_url(challenge.pk, "assignments/"),
        {"proposal": first.pk, "evaluator": third_evaluator.pk},
        format="json",
    )
    error(response, 409, "wrong_stage")


@pytest.mark.django_db(transaction=True)
def test_assignments_list_runs_constant_queries(world, clock, api, third_evaluator):
    # given a challenge being scored: six assignments
    challenge = scenarios.scoring(world, clock)
    buyer = api(world.buyer_agent)
    url = challenge_url(challenge.pk, "assignments/")

    def queries_for_listing(rows: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert ok(buyer.get(url))["count"] == rows
        return len(captured)

    small = queries_for_listing(6)

    # when the buyer adds an evaluator to every proposal: nine assignments
    for proposal in proposals(challenge):
        ok(
            buyer.post(
                url, {"proposal": proposal.pk, "evaluator": third_evaluator.pk}, format="json"
            ),
            201,
        )

    # then the list takes as many queries, and few
    assert queries_for_listing(9) == small <= 10

"""The one writer of a challenge's stage: its table of moves, the refusal of any other
jump (409, nothing written), and the stage after each node of a walk through the flow."""

import itertools

import pytest

from kernel.errors import WrongState
from procurement.models import AuditEvent, ChallengeStatus
from procurement.services.stages import (
    CANCELLABLE,
    FINAL,
    MOVES,
    challenge_stage_move,
    stage_move_allowed,
)
from tests.conftest import later, paris
from tests.workflows import journey
from tests.workflows.journey import complete, give_opinion, sweep

S = ChallengeStatus


def stage_events(challenge) -> list[tuple[str, str]]:
    return [
        (e.data["from"], e.data["to"])
        for e in AuditEvent.objects.filter(challenge=challenge, verb="challenge.stage_changed")
    ]


def test_table_names_every_stage_and_only_ends_have_no_way_out():
    # given the table of moves
    # then it covers every stage, and the final stages are the three ends of a call
    assert set(MOVES) == set(S.values)
    assert {S.AWARDED, S.UNSUCCESSFUL, S.CANCELLED} == FINAL
    assert all(target in MOVES for targets in MOVES.values() for target in targets)


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        (S.DRAFT, S.IN_REVIEW, True),
        (S.DRAFT, S.POSITIONING, False),  # no publication without the Chambre's referral
        (S.IN_REVIEW, S.REVISION, True),
        (S.REVISION, S.READY, True),
        (S.READY, S.POSITIONING, True),
        (S.POSITIONING, S.ASSIGNMENT, False),  # proposals cannot be skipped
        (S.PROPOSALS, S.ASSIGNMENT, True),
        (S.ASSIGNMENT, S.UNSUCCESSFUL, True),
        (S.SCORING, S.AWARDED, False),
        (S.AWARD, S.AWARDED, True),
        (S.AWARDED, S.CANCELLED, False),  # an awarded contract is not cancelled here
        (S.AWARD, S.CANCELLED, True),
        (S.DRAFT, S.CANCELLED, True),
        (S.CANCELLED, S.DRAFT, False),
        (S.UNSUCCESSFUL, S.POSITIONING, False),
    ],
)
def test_stage_move_allowed_follows_the_table(current, target, allowed):
    assert stage_move_allowed(current, target) is allowed


def test_every_stage_before_an_end_can_be_cancelled():
    assert set(S.values) - {S.AWARDED, S.UNSUCCESSFUL, S.CANCELLED} == CANCELLABLE


def test_illegal_jump_is_refused_and_writes_nothing(world):
    # given a draft challenge
    challenge = journey.start(world)
    events_before = AuditEvent.objects.filter(challenge=challenge).count()

    # when a service tries to jump from the draft to the award
    with pytest.raises(WrongState) as refused:
        challenge_stage_move(challenge=challenge, to=S.AWARDED, actor=world.buyer_agent)

    # then it is a 409 naming both stages, and neither the row nor the trail changed
    assert refused.value.status_code == 409
    assert refused.value.code == "illegal_stage_move"
    assert refused.value.extra == {"status": S.DRAFT, "target": S.AWARDED}
    challenge.refresh_from_db()
    assert challenge.status == S.DRAFT
    assert AuditEvent.objects.filter(challenge=challenge).count() == events_before


def test_move_reads_the_stage_from_the_database_not_from_a_stale_copy(world):
    # given two copies of one draft challenge, one of which moves it to review
    challenge = journey.start(world)
    stale = type(challenge).objects.get(pk=challenge.pk)
    challenge_stage_move(challenge=challenge, to=S.IN_REVIEW, actor=world.buyer_agent)

    # when the stale copy, still reading "draft", asks for the same move
    with pytest.raises(WrongState):
        challenge_stage_move(challenge=stale, to=S.IN_REVIEW, actor=world.buyer_agent)

    # then the call went to review once only
    assert stage_events(challenge) == [(S.DRAFT, S.IN_REVIEW)]


@pytest.mark.django_db(transaction=True)
def test_walk_through_the_flow_gives_the_stage_of_each_node(world, clock):
    # given a started process
    challenge = journey.start(world)
    seen = []

    def stage() -> str:
        challenge.refresh_from_db()
        seen.append(challenge.status)
        return challenge.status

    assert stage() == S.DRAFT

    # when each node of the flow runs, then the call stands at that node's stage
    complete(challenge, "draft", world.buyer_agent)
    assert stage() == S.IN_REVIEW
    give_opinion(
        world,
        challenge,
        verdict="reservations",
        reasons="À préciser",
        reservations=["Préciser la licence"],
    )
    assert stage() == S.REVISION
    complete(
        challenge,
        "revise",
        world.buyer_agent,
        {
            "resubmit": True,
            "answers": [{"reservation": "1", "accepted": True, "answer": "Licence précisée."}],
        },
    )
    assert stage() == S.IN_REVIEW
    give_opinion(world, challenge)
    assert stage() == S.READY
    positioning_end, proposal_end = paris(2026, 9, 20, 12), paris(2026, 10, 20, 12)
    complete(
        challenge,
        "publish",
        world.buyer_agent,
        {
            "positioning_deadline": positioning_end.isoformat(),
            "proposal_deadline": proposal_end.isoformat(),
        },
    )
    assert stage() == S.POSITIONING
    journey.position_and_propose(world, challenge)
    clock.move_to(later(positioning_end, seconds=1))
    sweep()
    assert stage() == S.PROPOSALS
    journey.submit_proposals(world, challenge)
    clock.move_to(later(proposal_end, seconds=1))
    sweep()
    assert stage() == S.ASSIGNMENT
    complete(
        challenge,
        "assign_evaluators",
        world.buyer_agent,
        {"evaluators": [u.pk for u in world.evaluators]},
    )
    assert stage() == S.SCORING
    journey.score_all(world, challenge)
    assert stage() == S.SELECTION

    # and the trail holds one uniform event per move, in the order the stages came
    assert stage_events(challenge) == list(itertools.pairwise(seen))

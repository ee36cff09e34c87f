"""A deadline extended before it passes moves the process's timer: at the old deadline
nothing happens, at the new one the process moves on with nobody clicking — in Paris
time, across the daylight-saving change of 25 October 2026."""

from datetime import timedelta

import pytest
from viewflow.workflow.status import STATUS

from kernel.errors import ApplicationError, Forbidden, WrongState
from procurement.models import ChallengeStatus, DeadlineNotice
from tests.api import scenarios
from tests.api.scenarios import POSITIONING_END, PROPOSAL_END
from tests.conftest import later, paris
from tests.workflows.journey import current_steps
from workflows.models import ChallengeProcess
from workflows.services import deadline_extend
from workflows.tasks import sweep

# After the change: 12:00 in Paris is 11:00 UTC (CET); the same wall time a day before
# the change was 10:00 UTC (CEST).
NEW_PROPOSAL_END = paris(2026, 10, 25, 12, 0)


def extend(
    world, challenge, which, new_deadline, notice="Prolongation demandée par les partenaires."
):
    return deadline_extend(
        actor=world.buyer_agent,
        challenge=challenge,
        which=which,
        new_deadline=new_deadline,
        notice=notice,
    )


def status_and_steps(challenge):
    challenge.refresh_from_db()
    return challenge.status, current_steps(challenge)


def timer_due(challenge, step):
    process = ChallengeProcess.objects.get(challenge=challenge)
    task = process.task_set.get(
        flow_task=getattr(process.flow_class, step), status=STATUS.SCHEDULED
    )
    return task.scheduled


@pytest.mark.django_db(transaction=True)
def test_extended_positioning_does_not_close_at_the_old_deadline_but_at_the_new(world, clock):
    challenge = scenarios.published(world)
    challenge.refresh_from_db()
    new_end = later(POSITIONING_END, days=2)

    notice = extend(world, challenge, "positioning", new_end)

    assert timer_due(challenge, "positioning") == new_end
    assert (notice.old_deadline, notice.new_deadline) == (POSITIONING_END, new_end)
    clock.move_to(later(POSITIONING_END, seconds=1))
    sweep()
    assert status_and_steps(challenge) == (ChallengeStatus.POSITIONING, {"positioning"})
    clock.move_to(later(new_end, seconds=-1))
    sweep()
    assert status_and_steps(challenge) == (ChallengeStatus.POSITIONING, {"positioning"})
    clock.move_to(new_end)
    sweep()
    assert status_and_steps(challenge) == (ChallengeStatus.PROPOSALS, {"proposals"})


@pytest.mark.parametrize(
    ("offset", "moved"),
    [(-1, False), (0, True), (1, True)],
    ids=["1s-before", "at", "1s-after"],
)
@pytest.mark.django_db(transaction=True)
def test_extended_proposal_deadline_holds_in_paris_time_across_the_dst_change(
    world, clock, offset, moved
):
    challenge = scenarios.sealed(world, clock)
    challenge.refresh_from_db()
    extend(world, challenge, "proposals", NEW_PROPOSAL_END)
    assert timer_due(challenge, "proposals") == NEW_PROPOSAL_END
    assert NEW_PROPOSAL_END.utcoffset() == timedelta(hours=1)

    # the old deadline, then 12:00 at the summer offset (11:00 Paris): nothing happens
    for moment in (PROPOSAL_END, later(PROPOSAL_END, days=3), paris(2026, 10, 25, 11, 0)):
        clock.move_to(moment)
        sweep()
        assert status_and_steps(challenge) == (ChallengeStatus.PROPOSALS, {"proposals"})

    clock.move_to(later(NEW_PROPOSAL_END, seconds=offset))
    sweep()

    if moved:
        assert status_and_steps(challenge) == (ChallengeStatus.ASSIGNMENT, {"assign_evaluators"})
        assert challenge.proposals_opened_at is not None
    else:
        assert status_and_steps(challenge) == (ChallengeStatus.PROPOSALS, {"proposals"})


@pytest.mark.parametrize(
    ("offset", "allowed"), [(-1, True), (0, False), (1, False)], ids=["1s-before", "at", "after"]
)
@pytest.mark.django_db(transaction=True)
def test_a_deadline_is_extended_only_before_it_passes(world, clock, offset, allowed):
    challenge = scenarios.published(world)
    challenge.refresh_from_db()
    clock.move_to(later(POSITIONING_END, seconds=offset))

    if allowed:
        extend(world, challenge, "positioning", later(POSITIONING_END, days=1))
        assert timer_due(challenge, "positioning") == later(POSITIONING_END, days=1)
    else:
        with pytest.raises(WrongState) as refused:
            extend(world, challenge, "positioning", later(POSITIONING_END, days=1))
        assert refused.value.code == "deadline_passed"
        assert not DeadlineNotice.objects.exists()


@pytest.mark.django_db
def test_an_extension_must_be_later_have_a_notice_and_come_from_the_buyers_staff(world, clock):
    challenge = scenarios.published(world)
    challenge.refresh_from_db()
    with pytest.raises(ApplicationError) as earlier:
        extend(world, challenge, "positioning", later(POSITIONING_END, seconds=-1))
    assert "new_deadline" in earlier.value.extra["fields"]
    with pytest.raises(ApplicationError) as past_proposals:
        extend(world, challenge, "positioning", later(PROPOSAL_END, seconds=1))
    assert "new_deadline" in past_proposals.value.extra["fields"]
    with pytest.raises(ApplicationError) as silent:
        extend(world, challenge, "positioning", later(POSITIONING_END, days=1), notice="  ")
    assert "notice" in silent.value.extra["fields"]
    for outsider in (world.evaluators[0], world.partner_users[0], world.moderator, world.stranger):
        with pytest.raises(Forbidden):
            deadline_extend(
                actor=outsider,
                challenge=challenge,
                which="positioning",
                new_deadline=later(POSITIONING_END, days=1),
                notice="Prolongation.",
            )
    assert timer_due(challenge, "positioning") == POSITIONING_END
    assert not DeadlineNotice.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_proposal_deadline_extended_during_positioning_is_read_by_the_next_timer(world, clock):
    challenge = scenarios.published(world)
    challenge.refresh_from_db()
    extend(world, challenge, "proposals", NEW_PROPOSAL_END)
    clock.move_to(POSITIONING_END)
    sweep()

    assert timer_due(challenge, "proposals") == NEW_PROPOSAL_END

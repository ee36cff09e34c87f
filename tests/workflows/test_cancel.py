"""A challenge can be cancelled by its buyer at any step before award, with a reason."""

import pytest
from viewflow.workflow.status import STATUS

from kernel.errors import ApplicationError, Forbidden, WrongState
from procurement.models import ChallengeStatus
from tests.conftest import later, paris
from tests.workflows import journey
from tests.workflows.journey import current_steps, sweep
from workflows.services import process_cancel

REASON = "Le besoin est couvert par un marché mutualisé de la Région."


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("stage", ["draft", "positioning", "scoring"])
def test_buyer_cancels_at_any_stage_and_no_task_or_timer_stays_open(world, clock, stage):
    # given a challenge at some stage of its process
    if stage == "draft":
        challenge = journey.start(world)
    elif stage == "positioning":
        challenge = journey.published(world)
    else:
        challenge = journey.in_scoring(world, clock)
    assert current_steps(challenge)

    # when its buyer cancels it with a reason
    process_cancel(actor=world.buyer_agent, challenge=challenge, reason=REASON)

    # then the reason is public, the process is cancelled and nothing is left to do or fire
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.CANCELLED
    assert challenge.cancel_reason == REASON
    assert challenge.process.status == STATUS.CANCELED
    assert current_steps(challenge) == set()
    clock.move_to(later(paris(2026, 12, 31), days=1))
    assert sweep()["timers"] == 0
    assert challenge.audit_events.filter(verb="challenge.cancelled").exists()


@pytest.mark.django_db(transaction=True)
def test_cancel_needs_a_reason_and_the_buyer(world, clock):
    challenge = journey.start(world)
    # an empty reason is refused, with the field named
    with pytest.raises(ApplicationError) as excinfo:
        process_cancel(actor=world.buyer_agent, challenge=challenge, reason="  ")
    assert "reason" in excinfo.value.extra["fields"]
    # a partner may not cancel
    with pytest.raises(Forbidden):
        process_cancel(actor=world.partner_users[0], challenge=challenge, reason=REASON)
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.DRAFT
    assert current_steps(challenge) == {"draft"}


@pytest.mark.django_db(transaction=True)
def test_a_cancelled_challenge_cannot_be_cancelled_again(world, clock):
    challenge = journey.start(world)
    process_cancel(actor=world.buyer_agent, challenge=challenge, reason=REASON)
    challenge.refresh_from_db()
    with pytest.raises(WrongState):
        process_cancel(actor=world.buyer_agent, challenge=challenge, reason=REASON)

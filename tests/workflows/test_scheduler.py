"""Deadlines are database timers: any new scheduler process fires what is due."""

from io import StringIO

import pytest
from django.core.management import call_command

from procurement.models import ChallengeStatus
from tests.conftest import later, paris
from tests.workflows import journey
from tests.workflows.journey import complete, current_steps, give_opinion


def _published(world):
    challenge = journey.start(world)
    complete(challenge, "draft", world.buyer_agent)
    give_opinion(world, challenge)
    complete(
        challenge,
        "publish",
        world.buyer_agent,
        {
            "positioning_deadline": paris(2026, 9, 15, 17, 0).isoformat(),
            "proposal_deadline": paris(2026, 10, 15, 17, 0).isoformat(),
        },
    )
    return challenge


@pytest.mark.django_db(transaction=True)
def test_a_fresh_scheduler_fires_a_deadline_that_passed_while_nothing_ran(world, clock):
    # given a published challenge, and no scheduler running when its deadline passes
    challenge = _published(world)
    clock.move_to(later(paris(2026, 9, 15, 17, 0), hours=6))

    # when a scheduler starts (as after a restart) and sweeps once
    out = StringIO()
    call_command("run_scheduler", "--once", stdout=out)

    # then the positioning is closed and proposals are open, with nobody clicking
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.PROPOSALS
    assert current_steps(challenge) == {"proposals"}
    assert "1 échéance franchie, 0 avis hors délai" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_sweeping_before_the_deadline_changes_nothing_and_sweeping_twice_fires_once(world, clock):
    # given a published challenge one second before its positioning deadline
    challenge = _published(world)
    clock.move_to(paris(2026, 9, 15, 16, 59, 59))

    # when the scheduler sweeps
    call_command("run_scheduler", "--once", stdout=StringIO())

    # then nothing moved
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.POSITIONING

    # and at the deadline it moves once, however many sweeps follow
    clock.move_to(paris(2026, 9, 15, 17, 0))
    call_command("run_scheduler", "--once", stdout=StringIO())
    call_command("run_scheduler", "--once", stdout=StringIO())
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.PROPOSALS
    assert challenge.audit_events.filter(verb="positioning.closed").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_job_that_keeps_failing_is_retried_ever_less_often_then_completes(
    world, clock, monkeypatch
):
    from django.utils import timezone

    from workflows import pack as document_data
    from workflows.tasks import sweep

    # given a round closing while the document renderer is broken
    original = document_data.build_pack
    broken = {"yes": True, "calls": 0}

    def build_pack(challenge):
        broken["calls"] += 1
        if broken["yes"]:
            raise RuntimeError("renderer down")
        return original(challenge)

    monkeypatch.setattr(document_data, "build_pack", build_pack)
    challenge = journey.in_cofunding(world, clock)
    journey.close_cofunding(clock)
    assert current_steps(challenge) == {"generate_documents"}
    assert broken["calls"] == 1

    # when the scheduler sweeps every 5 seconds for ten minutes
    start = timezone.now()
    for step in range(0, 600, 5):
        clock.move_to(later(start, seconds=step))
        sweep()

    # then the job was retried after 2, 6 then 14 minutes — not 96 times
    assert broken["calls"] == 1 + 2

    # and once the renderer is fixed, the next retry completes the step
    broken["yes"] = False
    clock.move_to(later(start, minutes=15))
    sweep()
    assert broken["calls"] == 4
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.AWARD
    assert current_steps(challenge) == {"award"}

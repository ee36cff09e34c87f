"""A document job whose worker is lost in the middle of it (killed, its machine gone)
resumes from the periodic sweep within a minute and finishes once: each piece stored
once, one ``documents.generated`` event (issue 19, item 3).

Here the worker's death is played in-process (an exception no handler catches, as a
SIGKILL leaves the job); ``test_worker_killed.py`` kills a real worker on PostgreSQL and
Redis."""

import contextlib
import dataclasses
from collections import Counter
from datetime import timedelta

import pytest
from django.db.models import Count

from procurement.models import ChallengeStatus, DocumentJob, DocumentStage, DocumentStatus
from procurement.services.documents import JOB_MAX_ATTEMPTS, JOB_STALL_SECONDS
from tests.workflows import journey
from tests.workflows.journey import current_steps
from workflows import pack
from workflows.tasks import sweep


class WorkerKilled(BaseException):
    """What a killed worker leaves: the run stops, no ``except Exception`` runs."""


def killed_at(monkeypatch, builder: str, piece_number: int, times: int = 1) -> dict:
    """Make ``times`` runs of ``pack.<builder>`` die while rendering piece
    ``piece_number``."""
    original = getattr(pack, builder)
    state = {"kills": times, "runs": 0}

    def build(challenge):
        state["runs"] += 1
        pieces = original(challenge)
        if state["kills"] <= 0:
            return pieces
        state["kills"] -= 1
        render = pieces[piece_number - 1].render

        def die():
            render()
            raise WorkerKilled

        pieces[piece_number - 1] = dataclasses.replace(pieces[piece_number - 1], render=die)
        return pieces

    monkeypatch.setattr(pack, builder, build)
    return state


def versions_per_piece(challenge, stage) -> Counter:
    rows = (
        challenge.documents.filter(stage=stage)
        .values_list("piece", "key")
        .annotate(n=Count("pk"))
        .values_list("piece", "key", "n")
    )
    return Counter({(piece, key): n for piece, key, n in rows})


def generated_events(job) -> int:
    return job.challenge.audit_events.filter(
        verb="documents.generated", object_id=str(job.pk)
    ).count()


@pytest.mark.django_db
def test_a_dce_job_killed_at_its_third_piece_resumes_after_its_heartbeat_stops_and_finishes_once(
    world, clock, monkeypatch, django_capture_on_commit_callbacks
):
    # given a call published while its worker dies rendering the third piece of the DCE
    kill = killed_at(monkeypatch, "build_dce", 3)
    with pytest.raises(WorkerKilled), django_capture_on_commit_callbacks(execute=True):
        challenge = journey.published(world)
    challenge = DocumentJob.objects.get(stage=DocumentStage.DCE).challenge
    job = challenge.document_jobs.get()
    assert (job.status, job.done, job.attempts) == (DocumentStatus.PENDING, 2, 1)
    killed_at_time = job.heartbeat_at

    # when the sweep passes while the heartbeat is still fresh, it leaves the job alone
    clock.move_to(killed_at_time + timedelta(seconds=JOB_STALL_SECONDS - 1))
    sweep()
    job.refresh_from_db()
    assert (job.status, kill["runs"]) == (DocumentStatus.PENDING, 1)

    # when it passes once the heartbeat is older than the bound
    clock.move_to(killed_at_time + timedelta(seconds=JOB_STALL_SECONDS + 1))
    result = sweep()

    # then the job ran again and finished, every piece stored once, one event
    job.refresh_from_db()
    assert result["requeued"] == 1
    assert (job.status, job.attempts, kill["runs"]) == (DocumentStatus.DONE, 2, 2)
    assert job.done == job.total >= 5
    counts = versions_per_piece(challenge, DocumentStage.DCE)
    assert len(counts) == job.total
    assert set(counts.values()) == {1}
    assert generated_events(job) == 1

    # and later sweeps leave the finished job alone
    clock.move_to(killed_at_time + timedelta(minutes=5))
    assert sweep()["requeued"] == 0


@pytest.mark.django_db(transaction=True)
def test_the_award_step_killed_midway_resumes_through_its_process_step_which_moves_on(
    world, clock, monkeypatch
):
    # given a round closing while the worker dies at the award pack's fourth piece
    challenge = journey.in_cofunding(world, clock)
    kill = killed_at(monkeypatch, "build_pack", 4)
    with pytest.raises(WorkerKilled):
        journey.close_cofunding(clock)
    job = challenge.document_jobs.get(stage=DocumentStage.AWARD)
    assert (job.status, job.done) == (DocumentStatus.PENDING, 3)
    assert current_steps(challenge) == {"generate_documents"}

    # when the sweep passes past the bound
    clock.move_to(job.heartbeat_at + timedelta(seconds=JOB_STALL_SECONDS + 1))
    sweep()

    # then the same job finished, each piece once, and the process went on to the award
    job.refresh_from_db()
    assert (job.status, kill["runs"]) == (DocumentStatus.DONE, 2)
    assert challenge.document_jobs.filter(stage=DocumentStage.AWARD).count() == 1
    assert set(versions_per_piece(challenge, DocumentStage.AWARD).values()) == {1}
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.AWARD
    assert current_steps(challenge) == {"award"}
    assert generated_events(job) == 1


@pytest.mark.django_db
def test_a_job_cut_every_time_is_failed_with_its_reason_after_the_last_attempt(
    world, clock, monkeypatch, django_capture_on_commit_callbacks
):
    # given a DCE whose third piece kills its worker at every run
    kill = killed_at(monkeypatch, "build_dce", 3, times=100)
    with pytest.raises(WorkerKilled), django_capture_on_commit_callbacks(execute=True):
        journey.published(world)
    job = DocumentJob.objects.get(stage=DocumentStage.DCE)

    # when the sweep resumes it each time its heartbeat stops
    for _ in range(JOB_MAX_ATTEMPTS + 2):
        job.refresh_from_db()
        clock.move_to(job.heartbeat_at + timedelta(seconds=JOB_STALL_SECONDS + 1))
        with contextlib.suppress(WorkerKilled):
            sweep()

    # then it ran JOB_MAX_ATTEMPTS times, then failed, saying so in French
    job.refresh_from_db()
    assert kill["runs"] == JOB_MAX_ATTEMPTS
    assert job.status == DocumentStatus.FAILED
    assert f"interrompue {JOB_MAX_ATTEMPTS} fois" in job.error

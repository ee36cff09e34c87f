"""The document step run by a real Celery worker, on PostgreSQL with Redis as broker."""

import pytest

from procurement.models import ChallengeStatus, DocumentStatus
from tests.workflows import journey
from tests.workflows.celery_workers import (
    require_postgres_and_redis,
    start_worker,
    stop_worker,
    switch_broker,
    use_redis,
    wait_for,
)
from tests.workflows.journey import current_steps

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture
def worker(transactional_db, settings):
    """A real worker process on the test database, fed through Redis."""
    require_postgres_and_redis()
    process = start_worker(settings)
    previous = use_redis()
    yield process
    switch_broker(**previous)
    stop_worker(process)


def test_documents_step_is_run_by_a_real_worker_on_postgres_and_redis(world, worker, clock):
    # given a challenge driven to its cofunding round
    challenge = journey.in_cofunding(world, clock)

    # when the round's deadline passes, the sweep closes it and enqueues the document job
    journey.close_cofunding(clock)
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.DOCUMENTS

    # then the worker renders the pack, stores it, and the process moves on to the award
    def awarded_step_reached():
        challenge.refresh_from_db()
        return challenge.status == ChallengeStatus.AWARD

    if not wait_for(awarded_step_reached):
        pytest.fail(f"Le worker n'a pas terminé l'étape des documents :\n{stop_worker(worker)}")
    assert challenge.document_jobs.filter(status=DocumentStatus.DONE).exists()
    assert challenge.documents.filter(piece="reglement").exists()
    assert current_steps(challenge) == {"award"}

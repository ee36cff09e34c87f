"""The document step run by a real Celery worker, on PostgreSQL with Redis as broker."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from config.celery import app as celery_app
from procurement.models import ChallengeStatus, DocumentStatus
from tests.conftest import require_service
from tests.workflows import journey
from tests.workflows.journey import current_steps

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def _redis_ping():
    import redis

    redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()


@pytest.fixture
def worker(transactional_db, settings):
    """A real worker process on the test database, fed through Redis."""
    if connection.vendor != "postgresql":
        pytest.fail("Ce test tourne sur PostgreSQL : lancez-le avec DATABASE_URL=postgres://…")
    require_service("Redis", _redis_ping)
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": REDIS_URL,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    process = subprocess.Popen(  # noqa: S603 — our own venv's celery, fixed arguments
        [
            str(Path(sys.executable).parent / "celery"),
            "-A",
            "config",
            "worker",
            "-P",
            "solo",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    previous = {
        "task_always_eager": celery_app.conf.task_always_eager,
        "broker_url": celery_app.conf.broker_url,
    }
    _switch_broker(task_always_eager=False, broker_url=REDIS_URL)
    yield process
    _switch_broker(**previous)
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def _switch_broker(**conf):
    """Point the app at another broker: drop the connections it pooled on the old one
    (earlier eager tests may have opened the in-memory transport)."""
    celery_app.conf.update(**conf)
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def _wait_for(predicate, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return False


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

    if not _wait_for(awarded_step_reached):
        worker.terminate()
        output = worker.communicate(timeout=10)[0]
        pytest.fail(f"Le worker n'a pas terminé l'étape des documents :\n{output[-3000:]}")
    assert challenge.document_jobs.filter(status=DocumentStatus.DONE).exists()
    assert challenge.documents.filter(piece="reglement").exists()
    assert current_steps(challenge) == {"award"}

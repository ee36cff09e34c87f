"""Real Celery workers for the tests that run on PostgreSQL with Redis as broker: each
one a process of its own on the test database, started by ``tests.workflows.worker_main``
(which may slow the rendering of each piece, so that a test can kill a worker in the
middle of a job)."""

import os
import subprocess
import sys
import time

import pytest
from django.db import connection

from config.celery import app as celery_app
from tests.conftest import require_service

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_ping():
    import redis

    redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()


def require_postgres_and_redis() -> None:
    if connection.vendor != "postgresql":
        pytest.fail("Ce test tourne sur PostgreSQL : lancez-le avec DATABASE_URL=postgres://…")
    require_service("Redis", redis_ping)
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def start_worker(settings, *, piece_seconds: float = 0.0) -> subprocess.Popen:
    """A worker process (solo pool: the process that runs the job is the one a signal
    kills) on the test database, fed through Redis; each piece of the award pack takes
    at least ``piece_seconds`` to render."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": REDIS_URL,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "TEST_PIECE_SECONDS": str(piece_seconds),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "tests.workflows.worker_main"],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def stop_worker(process: subprocess.Popen) -> str:
    """Stop a worker (if it still runs) and return the end of what it printed."""
    if process.poll() is None:
        process.terminate()
    try:
        output = process.communicate(timeout=10)[0]
    except subprocess.TimeoutExpired:
        process.kill()
        output = process.communicate()[0]
    return (output or "")[-3000:]


def switch_broker(**conf):
    """Point the app at another broker: drop the connections it pooled on the old one
    (earlier eager tests may have opened the in-memory transport)."""
    celery_app.conf.update(**conf)
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def use_redis():
    """Send this process's tasks through Redis; give back the previous configuration."""
    previous = {
        "task_always_eager": celery_app.conf.task_always_eager,
        "broker_url": celery_app.conf.broker_url,
    }
    switch_broker(task_always_eager=False, broker_url=REDIS_URL)
    return previous


def wait_for(predicate, seconds=60, every=0.5):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return False

"""The probes: liveness touches nothing; readiness answers 200 while the database, the
cache, the storage and (when there is one) the broker answer, and 503 with Retry-After,
naming the failing one, as soon as one does not."""

import json

import pytest

from tests.config.helpers import production_env, python
from tests.conftest import require_service

REDIS_URL = "redis://127.0.0.1:6379/15"


def test_liveness_answers_without_touching_the_database(client):
    # given a test without database access (pytest-django refuses any query here)
    # when a supervisor probes the process by its address
    response = client.get("/health/", HTTP_HOST="10.0.0.7:8000")

    # then it answers that it serves
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-store" in response.headers["Cache-Control"]


@pytest.mark.django_db
def test_readiness_is_200_when_every_dependency_answers(client):
    # when the load balancer asks whether this process may take traffic
    response = client.get("/health/ready/", HTTP_HOST="10.0.0.7:8000")

    # then each dependency of the embedded default answers, and no broker is checked
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "storage": "ok"},
    }


def test_readiness_is_503_when_the_database_is_unreachable():
    # given a process whose database does not answer (nothing listens on that port)
    env = production_env(
        DJANGO_SETTINGS_MODULE="config.settings_test",
        DATABASE_URL="postgres://communs@127.0.0.1:9/communs?connect_timeout=2",
    )
    code = """
import json, django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="10.0.0.7")
ready, live = client.get("/health/ready/"), client.get("/health/")
print(json.dumps({
    "ready": [ready.status_code, ready.json(), ready.headers.get("Retry-After")],
    "live": [live.status_code, live.json()],
}))
"""

    # when the supervisor probes it
    result = python(code, env=env)

    # then readiness says 503, names the database, and asks to retry later
    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout.strip().splitlines()[-1])
    status, body, retry_after = answers["ready"]
    assert status == 503
    assert body["status"] == "unavailable"
    assert body["checks"]["database"].startswith("Unavailable")
    assert body["checks"]["cache"] == "ok"
    assert body["checks"]["storage"] == "ok"
    assert retry_after == "10"
    # while liveness still answers: the process itself is fine, restarting it won't help
    assert answers["live"] == [200, {"status": "ok"}]


@pytest.mark.django_db
def test_readiness_is_503_when_the_configured_broker_is_unreachable(client, settings):
    # given a process configured with a broker that does not answer
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://:secret@127.0.0.1:9/0"

    # when the load balancer asks
    response = client.get("/health/ready/")

    # then the broker is named, without its password
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["broker"] == "Unavailable: broker unreachable"
    assert checks["database"] == "ok"
    assert "secret" not in response.content.decode()


@pytest.mark.redis
@pytest.mark.django_db
def test_readiness_checks_a_reachable_broker(client, settings):
    def ping():
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()

    require_service("Redis", ping)
    # given a process whose broker is Redis
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = REDIS_URL

    # when the load balancer asks
    response = client.get("/health/ready/")

    # then the broker is among the checks, and answers
    assert response.status_code == 200
    assert response.json()["checks"]["broker"] == "ok"


@pytest.mark.django_db
def test_probes_answer_only_reads(client):
    response = client.post("/health/ready/")

    assert response.status_code == 405

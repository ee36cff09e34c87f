"""Which engines the settings choose from the environment: the embedded default of
``make run`` (SQLite, eager Celery, an in-memory cache) unless told otherwise; one
``REDIS_URL`` for the shared cache and the broker of several processes."""

import json

import pytest

from tests.config.helpers import production_env, python

SHOW = """
import json
import django

django.setup()
from django.conf import settings

print(json.dumps({
    "database": settings.DATABASES["default"]["ENGINE"],
    "cache": settings.CACHES["default"]["BACKEND"],
    "cache_location": settings.CACHES["default"].get("LOCATION", ""),
    "broker": settings.CELERY_BROKER_URL,
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
}))
"""


def engines(**env: str) -> dict:
    base = production_env(**env)
    for name in ("DATABASE_URL", "REDIS_URL", "CACHE_URL", "CELERY_BROKER_URL"):
        if name not in env:
            base.pop(name, None)
    shown = python(SHOW, env=base)
    assert shown.returncode == 0, shown.stderr[-3000:]
    return json.loads(shown.stdout.strip().splitlines()[-1])


def test_the_embedded_default_needs_no_server():
    # when nothing names a database, a cache or a broker
    chosen = engines()

    # then the service runs on SQLite, with eager tasks and a cache in its own memory
    assert chosen == {
        "database": "django.db.backends.sqlite3",
        "cache": "django.core.cache.backends.locmem.LocMemCache",
        "cache_location": "",
        "broker": "memory://localhost/",
        "eager": True,
    }


def test_one_redis_url_gives_the_processes_a_shared_cache_and_a_broker():
    # when the operator names one Redis
    chosen = engines(REDIS_URL="redis://redis.internal:6379/3")

    # then every process caches in it and sends its tasks through it, to the workers
    assert chosen["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert chosen["cache_location"] == "redis://redis.internal:6379/3"
    assert chosen["broker"] == "redis://redis.internal:6379/3"
    assert chosen["eager"] is False


@pytest.mark.parametrize(
    ("variable", "key", "value"),
    [
        ("CACHE_URL", "cache_location", "redis://cache.internal:6379/1"),
        ("CELERY_BROKER_URL", "broker", "redis://broker.internal:6379/2"),
    ],
)
def test_a_cache_or_a_broker_of_its_own_overrides_the_redis_url(variable, key, value):
    chosen = engines(REDIS_URL="redis://redis.internal:6379/0", **{variable: value})

    assert chosen[key] == value
    other = "broker" if key == "cache_location" else "cache_location"
    assert chosen[other] == "redis://redis.internal:6379/0"

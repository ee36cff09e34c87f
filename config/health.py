"""Liveness and readiness probes, for a supervisor or a load balancer (django-health-check).

- ``GET /health/`` (liveness): the process answers; nothing else is touched, so a
  database outage never gets the web processes restarted.
- ``GET /health/ready/`` (readiness): the database, the cache, the files' storage and,
  when ``CELERY_BROKER_URL`` names one, Celery's broker each answer in time. 200 with
  ``{"status": "ok", "checks": {...}}`` when they all do; 503 with ``Retry-After``
  and the failing check's short reason otherwise, so the balancer sends no traffic
  to this process meanwhile.

Both answer in JSON ahead of every other middleware: orchestrators probe a process by
its own address over plain HTTP, which host validation and the HTTPS redirect would
refuse, and a probe needs no session, language nor CSP.
"""

import asyncio
import dataclasses
import datetime

from asgiref.sync import async_to_sync
from django.conf import settings
from django.http import HttpResponseNotAllowed, JsonResponse
from django.utils.cache import add_never_cache_headers
from health_check.base import HealthCheck
from health_check.checks import Cache, Database, Storage
from health_check.exceptions import ServiceUnavailable
from kombu import Connection
from kombu.exceptions import KombuError

LIVENESS_PATH = "/health/"
READINESS_PATH = "/health/ready/"
RETRY_AFTER_SECONDS = 10


@dataclasses.dataclass
class Broker(HealthCheck):
    """Celery's broker (Redis or RabbitMQ) accepts a connection and a channel: tasks
    enqueued now would be delivered. The URL, with its password, stays out of the
    report."""

    url: str = dataclasses.field(repr=False)
    timeout: datetime.timedelta = dataclasses.field(
        default=datetime.timedelta(seconds=3), repr=False
    )

    def run(self) -> None:
        seconds = self.timeout.total_seconds()
        options = {"socket_connect_timeout": seconds, "socket_timeout": seconds}
        try:
            with Connection(self.url, connect_timeout=seconds, transport_options=options) as conn:
                conn.ensure_connection(max_retries=0)
                conn.default_channel  # noqa: B018 — opening a channel is the probe
        except (KombuError, OSError) as exc:
            raise ServiceUnavailable("broker unreachable") from exc


def readiness_checks() -> dict[str, HealthCheck]:
    """What must answer for this process to take traffic, by name. No broker check in
    the embedded default: its Celery runs tasks in the caller's process."""
    checks: dict[str, HealthCheck] = {
        "database": Database(),
        "cache": Cache(),
        "storage": Storage(),
    }
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        checks["broker"] = Broker(url=settings.CELERY_BROKER_URL)
    return checks


async def _run(checks: dict[str, HealthCheck]) -> dict[str, str]:
    results = await asyncio.gather(*(check.get_result() for check in checks.values()))
    return {
        name: "ok" if result.error is None else str(result.error)
        for name, result in zip(checks, results, strict=True)
    }


def _answer(body: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(body, status=status)
    add_never_cache_headers(response)
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def liveness(request) -> JsonResponse:
    return _answer({"status": "ok"})


def readiness(request) -> JsonResponse:
    results = async_to_sync(_run)(readiness_checks())
    healthy = all(outcome == "ok" for outcome in results.values())
    return _answer(
        {"status": "ok" if healthy else "unavailable", "checks": results},
        status=200 if healthy else 503,
    )


PROBES = {LIVENESS_PATH: liveness, READINESS_PATH: readiness}


class ProbeMiddleware:
    """Answers the two probes before the rest of the stack (first in ``MIDDLEWARE`` after
    the receipt stamp, kernel.receipt)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        probe = PROBES.get(request.path_info)
        if probe is None:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        return probe(request)

"""Many funders' clicks at once on one bucket: the sums never go past the bucket's
maximum nor the funder's envelope, and every pledge refused on that account gets a
409 in the API's error shape, with its reason in French — never a 500, a deadlock or
"database is locked".

The pledges go through real HTTP: a live server, one thread and one database
connection per request. PostgreSQL only: SQLite's in-memory test database is shared
between threads through SQLite's shared cache, whose table locks fail at once with
"database table is locked" instead of waiting as a file database does (the service
runs on a file, with IMMEDIATE transactions and a busy timeout).
"""

import json
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db import connection, connections

from procurement.models import Allocation, Bucket, Pledge
from procurement.services.chains import audit_verify
from procurement.services.cofunding import allocation_set, pledge_withdraw
from tests.factories import PASSWORD
from tests.workflows import journey

PLEDGES = 200
# In flight at once, each holding a server thread and a database connection. No more
# than the live server's listen backlog (Django's WSGIServer.request_queue_size, 10):
# past it, the kernel resets connections before Django ever sees them.
CLIENTS = 10
# Cycled over the 200 pledges: 49,850 € asked in all.
AMOUNTS = [Decimal("100.00"), Decimal("250.00"), Decimal("400.00")]
ASKED = [AMOUNTS[i % len(AMOUNTS)] for i in range(PLEDGES)]
# The selected proposal's whole budget (journey.submit_proposals): hors marché, it is all
# subsidised, so the bucket is the biggest one the journey makes.
BUCKET_MAX = Decimal("30000.00")
# the start of each refusal; the rest says what remains, which depends on the race
OVER_BUCKET = "Cet engagement dépasserait le maximum du commun : on peut encore y engager "
OVER_ENVELOPE = "Cet engagement dépasserait votre enveloppe : il y reste "


@dataclass
class Round:
    challenge: object
    bucket: Bucket
    allocation: Allocation
    funder: object
    user: object


def open_round(world, clock, envelope: Decimal) -> Round:
    """A challenge in cofunding, its one bucket empty, the funder's envelope ``envelope``."""
    challenge = journey.in_cofunding(world, clock, **journey.SUBSIDISED)
    funder, user = world.funders[0], world.funder_users[0]
    bucket = challenge.cofunding_round.buckets.get()
    pledge_withdraw(actor=user, pledge=bucket.pledges.get())  # journey's own pledge
    allocation = allocation_set(
        actor=user, round_=challenge.cofunding_round, funder=funder, amount=envelope
    )
    bucket.refresh_from_db()
    assert (bucket.max_amount, bucket.pledged, allocation.pledged) == (BUCKET_MAX, 0, 0)
    return Round(challenge, bucket, allocation, funder, user)


def pledge_body(round_: Round, amount: Decimal) -> dict:
    return {"bucket": round_.bucket.pk, "funder": round_.funder.pk, "amount": str(amount)}


def pledges_url(round_: Round) -> str:
    return f"/api/v1/challenges/{round_.challenge.pk}/cofunding/pledges/"


def race(send, amounts: list[Decimal]) -> list[tuple[Decimal, int, dict]]:
    """Send every pledge from ``CLIENTS`` threads released together; (amount, status, body)."""
    start = threading.Barrier(CLIENTS)
    started = threading.local()

    def one(amount):
        if not getattr(started, "done", False):
            started.done = True
            start.wait(timeout=30)
        try:
            return (amount, *send(amount))
        except Exception as exc:  # reported as a failure by assert_race_outcome
            return (amount, -1, {"exception": repr(exc)})
        finally:
            connections.close_all()  # this thread's own connection, if it opened one

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        return list(pool.map(one, amounts))


def assert_race_outcome(round_: Round, results, limit: Decimal, code: str, message: str):
    """201 or 409 only; the database holds exactly the accepted pledges, within the limit
    that was reached; each refusal was due (the final total leaves no room for it)."""
    unexpected = [r for r in results if r[1] not in (201, 409)]
    assert not unexpected, unexpected[:5]
    accepted = [(amount, body) for amount, status, body in results if status == 201]
    refused = [(amount, body) for amount, status, body in results if status == 409]
    assert accepted
    assert refused

    for _amount, body in refused:
        assert set(body) >= {"code", "message", "fields"}, body
        assert (body["code"], body["fields"]) == (code, {}), body
        assert body["message"].startswith(message), body
        assert Decimal(body["detail"]["available"]) >= 0, body

    bucket = Bucket.objects.get(pk=round_.bucket.pk)
    allocation = Allocation.objects.get(pk=round_.allocation.pk)
    total = sum((amount for amount, _body in accepted), Decimal(0))
    active = Pledge.objects.filter(bucket=bucket, status=Pledge.Status.ACTIVE)
    assert sorted(active.values_list("pk", flat=True)) == sorted(b["id"] for _a, b in accepted)
    assert sum(active.values_list("amount", flat=True)) == total
    assert bucket.pledged == allocation.pledged == total
    assert bucket.pledged <= bucket.max_amount
    assert allocation.pledged <= allocation.amount
    # The limit was reached: no refused pledge would have fitted in what is left.
    assert all(total + amount > limit for amount, _body in refused)
    assert total > limit - max(AMOUNTS)

    trail = audit_verify(challenge=round_.challenge)
    assert trail.valid, trail
    assert (
        round_.challenge.audit_events.filter(verb="cofunding.pledged").count() == len(accepted) + 1
    )  # + the journey's own pledge, withdrawn since


ENVELOPE = Decimal("12000.00")
CASES = [
    # the funder's envelope, the limit that is hit, the refusal's code and message
    pytest.param(Decimal(50000), BUCKET_MAX, "bucket_overfunded", OVER_BUCKET, id="bucket-max"),
    pytest.param(ENVELOPE, ENVELOPE, "allocation_exceeded", OVER_ENVELOPE, id="envelope"),
]


def http(base: str, path: str, body: dict, token: str | None = None) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json", "Accept-Language": "fr"}
    if token:
        headers["Authorization"] = f"Token {token}"
    request = urllib.request.Request(  # noqa: S310 — http://localhost, the test's own server
        base + path, data=json.dumps(body).encode(), headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw)
        except ValueError:
            return error.code, {"raw": raw[:300].decode(errors="replace")}


@pytest.mark.postgres
@pytest.mark.parametrize(("envelope", "limit", "code", "message"), CASES)
def test_concurrent_pledges_over_http_never_exceed_the_limits_on_postgres(
    world, clock, live_server, envelope, limit, code, message
):
    if connection.vendor != "postgresql":
        pytest.fail("Ce test tourne sur PostgreSQL : lancez-le avec DATABASE_URL=postgres://…")
    # given a round whose bucket and envelope are both empty
    round_ = open_round(world, clock, envelope)
    status, body = http(
        live_server.url,
        "/api/v1/auth/token/",
        {"username": round_.user.username, "password": PASSWORD},
    )
    assert status == 200, body
    token = body["token"]

    # when 200 pledges of the same funder on the same bucket arrive 10 at a time
    results = race(
        lambda amount: http(
            live_server.url, pledges_url(round_), pledge_body(round_, amount), token
        ),
        ASKED,
    )

    # then the limit holds, and every pledge past it is refused with a 409
    assert_race_outcome(round_, results, limit, code, message)

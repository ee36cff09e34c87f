"""How many pledges per second the API sustains on PostgreSQL, with concurrent clients.

Run from the repository root, PostgreSQL listening on 127.0.0.1:5432::

    .venv/bin/python bench/cofunding.py [--clients 1 4 16] [--seconds 5]

The bench (re)creates its own database (``communs_bench``, or ``--database-url``; a
``sqlite:////tmp/bench.db`` URL measures the embedded SQLite set-up instead),
migrates it and builds through the services a challenge in cofunding, replayed at
past dates up to a round that stays open until tomorrow: one bucket (the first
proposal, 42,000 € at most) and one funder with an envelope far larger. It then starts
a real server on a free port of 127.0.0.1 — runserver's threaded WSGI server in its own
process, with TCP_NODELAY (``--runserver``: ``manage.py runserver --noreload`` as is,
whose Nagle delay caps one client near 15 requests a second), DEBUG off, throttling
raised out of the way — and, for each number of clients,
lets that many threads POST pledges for ``--seconds`` seconds, each on its own
keep-alive connection with a token — all on the same bucket by the same funder, the
worst case, since every pledge then waits for the same two row locks. One pledge in
ten asks for more than the bucket's maximum and must be refused (409). The table
shows accepted and refused pledges per second, the latency (p50, p99) and errors:
anything but a 201 or a 409, which must be 0. Last, the database's sums are checked
against the accepted pledges.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a plain script

DATABASE_URL = "postgres://postgres@127.0.0.1:5432/communs_bench"
PASSWORD = "bench-password"  # noqa: S105 — the bench database's throwaway accounts
SETTINGS = {
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "SECRET_KEY": "bench-only-not-a-secret",
    "DEBUG": "0",
    "SECURE_SSL_REDIRECT": "0",  # plain HTTP on loopback: no TLS proxy in front
    "CELERY_BROKER_URL": "",  # eager: the document step runs in-process
    "THROTTLE_USER": "100000000/min",  # measure the service, not the throttle
    "PASSWORD_HASHERS": "django.contrib.auth.hashers.MD5PasswordHasher",
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",  # no mail in the figures
}
PLEDGE = Decimal("1.00")
REFUSED_EVERY = 10  # one pledge in ten asks for more than the bucket's maximum


def recreate_database(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme == "sqlite":  # sqlite:////absolute/path.db: the embedded set-up
        for suffix in ("", "-wal", "-shm"):
            Path(parts.path + suffix).unlink(missing_ok=True)
        return
    import psycopg

    name = parts.path.lstrip("/")
    try:
        admin = psycopg.connect(
            host=parts.hostname,
            port=parts.port or 5432,
            user=parts.username or "postgres",
            password=parts.password,
            dbname="postgres",
            autocommit=True,
            connect_timeout=5,
        )
    except psycopg.OperationalError as exc:
        raise SystemExit(f"PostgreSQL is needed at {parts.hostname}:{parts.port}: {exc}") from exc
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def build_round():
    """A challenge replayed from five weeks ago up to an open round; its bucket, funder."""
    import time_machine
    from django.core.management import call_command
    from django.utils import timezone

    from procurement.models import Challenge
    from procurement.services.cofunding import allocation_set
    from workflows.demo import steps as demo
    from workflows.demo.cast import ensure_cast
    from workflows.tasks import sweep

    call_command("migrate", verbosity=0)
    cast = ensure_cast(PASSWORD)
    users, orgs = cast.users, cast.orgs
    now = timezone.now()
    # A MAPA's offers get at least MAPA_MIN_OFFER_DAYS (15) days: 25 here, no warning.
    start = now - timedelta(days=35)
    with time_machine.travel(start, tick=True) as clock:
        challenge = demo.start(cast, "BENCH-COFUNDING", "Banc d'essai du cofinancement")
        demo.refer_and_publish(
            cast, challenge, start + timedelta(days=10), start + timedelta(days=25)
        )
        demo.position(cast, challenge)
        clock.move_to(start + timedelta(days=10, seconds=1))
        sweep()
        demo.propose(cast, challenge)
        clock.move_to(start + timedelta(days=25, seconds=1))
        sweep()
        evaluators = [users["evaluateur.1"], users["evaluatrice.2"]]
        demo.complete(
            challenge,
            "assign_evaluators",
            users["agent.mel"],
            {"evaluators": [u.pk for u in evaluators]},
        )
        demo.score(cast, challenge, "evaluateur.1", [8, 7, 6])
        demo.score(cast, challenge, "evaluatrice.2", [9, 6, 7])
        first = Challenge.objects.get(pk=challenge.pk).proposals.order_by("pk").first()
        demo.complete(
            challenge,
            "select",
            users["agent.mel"],
            {"proposals": [first.pk], "cofunding_deadline": (now + timedelta(days=1)).isoformat()},
        )
        demo.chambre_opinion(cast, challenge, "selection_opinion", verdict="favorable")
    round_ = Challenge.objects.get(pk=challenge.pk).cofunding_round
    funder = orgs["ADEME Hauts-de-France"]
    allocation_set(
        actor=users["ademe"], round_=round_, funder=funder, amount=Decimal("9000000000.00")
    )
    return round_.buckets.get(), funder, users["ademe"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(port: int) -> None:
    """runserver's threaded server, but answering without Nagle's delay: wsgiref writes
    the headers and the body apart, and the second write waits for the client's delayed
    ACK (up to 40 ms on Linux), which would cap one client at ~20 requests a second."""
    import django

    django.setup()
    from django.core.servers.basehttp import WSGIServer, get_internal_wsgi_application, run

    class NoDelayServer(WSGIServer):
        request_queue_size = 64

        def get_request(self):
            sock, address = super().get_request()
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return sock, address

    run(
        "127.0.0.1", port, get_internal_wsgi_application(), threading=True, server_cls=NoDelayServer
    )


def start_server(port: int, env: dict, log, runserver: bool) -> subprocess.Popen:
    """The server logs every request: to a file, since an unread pipe would fill up and
    stall it."""
    command = (
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]
        if runserver
        else [sys.executable, __file__, "--serve", str(port)]
    )
    server = subprocess.Popen(  # noqa: S603 — our own venv's python, fixed arguments
        command,
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            log.seek(0)
            raise SystemExit(f"the server stopped: {log.read()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("the server did not start within 60 s")


def call(conn: http.client.HTTPConnection, path: str, body: dict, token: str = ""):
    headers = {"Content-Type": "application/json", "Accept-Language": "fr"}
    if token:
        headers["Authorization"] = f"Token {token}"
    conn.request("POST", path, json.dumps(body), headers)
    response = conn.getresponse()
    return response.status, response.read()


def run_clients(port, path, token, bucket, funder, clients: int, seconds: float) -> dict:
    """``clients`` threads POST pledges for ``seconds``; their statuses and latencies."""
    oversize = str(bucket.max_amount + 1)
    # Connect one by one (runserver's listen backlog is 10), then start together.
    conns = [http.client.HTTPConnection("127.0.0.1", port, timeout=60) for _ in range(clients)]
    for conn in conns:
        conn.connect()
    go = threading.Barrier(clients + 1)
    stop = threading.Event()
    results: list[list] = [[] for _ in range(clients)]

    def client(index: int) -> None:
        conn, mine, sent = conns[index], results[index], 0
        go.wait()
        while not stop.is_set():
            sent += 1
            amount = oversize if sent % REFUSED_EVERY == 0 else str(PLEDGE)
            body = {"bucket": bucket.pk, "funder": funder.pk, "amount": amount}
            started = time.perf_counter()
            try:
                status, raw = call(conn, path, body, token)
            except (OSError, http.client.HTTPException) as exc:
                status, raw = -1, repr(exc).encode()
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            mine.append((status, time.perf_counter() - started, amount, raw))
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    go.wait()
    started = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    flat = [r for mine in results for r in mine]
    return {"elapsed": elapsed, "results": flat}


def percentile(values: list[float], q: float) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def measure(port, bucket, funder, user, options) -> tuple[Decimal, int, list]:
    """One row per number of clients; the accepted amount, the errors and a few samples."""
    from django.db import connection

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    status, raw = call(
        conn, "/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}
    )
    conn.close()
    assert status == 200, raw
    token = json.loads(raw)["token"]
    path = f"/api/v1/challenges/{bucket.round.challenge_id}/cofunding/pledges/"

    print(
        f"POST {path} on 127.0.0.1:{port} "
        f"({'runserver' if options.runserver else 'runserver without Nagle'}, threaded, DEBUG off, "
        f"{connection.vendor}), one bucket, "
        f"one funder, {options.seconds:g} s per row, 1 pledge in {REFUSED_EVERY} over the max"
    )
    print(
        f"{'clients':>7}  {'requests':>8}  {'accepted/s':>10}  {'refused/s':>9}  "
        f"{'p50 ms':>7}  {'p99 ms':>7}  {'errors':>6}"
    )
    accepted_total, errors_total, samples = Decimal(0), 0, []
    for clients in options.clients:
        run = run_clients(port, path, token, bucket, funder, clients, options.seconds)
        results, elapsed = run["results"], run["elapsed"]
        accepted = [r for r in results if r[0] == 201]
        refused = [r for r in results if r[0] == 409]
        errors = [r for r in results if r[0] not in (201, 409)]
        wrong_refusals = [r for r in refused if r[2] == str(PLEDGE)]
        errors += wrong_refusals  # a 1 € pledge has room: refusing it is a bug too
        accepted_total += sum((Decimal(r[2]) for r in accepted), Decimal(0))
        errors_total += len(errors)
        samples.extend(errors[:3])
        latencies = sorted(r[1] * 1000 for r in results)
        print(
            f"{clients:>7}  {len(results):>8}  {len(accepted) / elapsed:>10.1f}  "
            f"{len(refused) / elapsed:>9.1f}  {percentile(latencies, 50):>7.1f}  "
            f"{percentile(latencies, 99):>7.1f}  {len(errors):>6}",
            flush=True,
        )
    return accepted_total, errors_total, samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument(
        "--runserver",
        action="store_true",
        help="serve with manage.py runserver as is (Nagle's delay included)",
    )
    parser.add_argument("--serve", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", DATABASE_URL)
    )
    options = parser.parse_args()
    if options.serve:
        serve(options.serve)
        return

    env = {**os.environ, **SETTINGS, "DATABASE_URL": options.database_url}
    os.environ.update(env)
    recreate_database(options.database_url)
    import django

    django.setup()
    from django.db import connection

    from procurement.models import Allocation, Bucket, Pledge

    print(f"setting up {options.database_url} …", flush=True)
    bucket, funder, user = build_round()
    connection.close()

    port = free_port()
    with tempfile.TemporaryFile("w+") as log:
        server = start_server(port, env, log, options.runserver)
        try:
            accepted_total, errors_total, samples = measure(port, bucket, funder, user, options)
        finally:
            server.terminate()
            server.wait(timeout=30)
        log.seek(0)
        failures = [line for line in log if " 500 " in line or "Traceback" in line]
    if failures:
        print(f"server log: {len(failures)} failures, first: {failures[0].strip()}")
        errors_total += len(failures)

    bucket = Bucket.objects.get(pk=bucket.pk)
    allocation = Allocation.objects.get(round=bucket.round, funder=funder)
    active = sum(
        Pledge.objects.filter(bucket=bucket, status=Pledge.Status.ACTIVE).values_list(
            "amount", flat=True
        ),
        Decimal(0),
    )
    consistent = bucket.pledged == allocation.pledged == active == accepted_total
    within = bucket.pledged <= bucket.max_amount and allocation.pledged <= allocation.amount
    print(
        f"database: bucket {bucket.pledged} € of {bucket.max_amount} €, envelope "
        f"{allocation.pledged} €, accepted {accepted_total} €: "
        f"{'consistent' if consistent and within else 'INCONSISTENT'}"
    )
    for sample in samples:
        print(f"error sample: {sample[0]} {sample[3][:300]!r}")
    if errors_total or not (consistent and within):
        raise SystemExit(1)


if __name__ == "__main__":
    main()

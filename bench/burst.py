"""The deadline rush (issue 20, item 1): 1,000 working groups submitting their sealed
proposal in the last minute, from 32 clients, against gunicorn on PostgreSQL, beside a
bare DRF insert endpoint of the same size served the same way in the same run.

Run from the repository root (PostgreSQL at 127.0.0.1:5432, user postgres)::

    .venv/bin/python bench/burst.py [--n 1000] [--clients 32] [--port 8151]
    .venv/bin/python bench/burst.py --n 200 --clients 16     # a quick run

The bench creates its own database (``communs_burst_bench_<pid>``, or ``--database``
for a name of one's own on a shared server; it stops if that name exists: it never
touches a database it did not create), migrates it, builds two calls in the proposals
stage with ``--n`` working groups each (an organisation, a member with an API token),
and starts gunicorn from ``config/gunicorn.py`` on
``bench/burst_app.py`` (the service, plus the bare endpoint). Then, from ``--clients``
threads, one new connection per request:

1. the floor: ``--n`` POSTs of the same proposal body to the bare endpoint (token
   authentication, the body validated by the same input serializer, one INSERT);
2. the rush: ``--n`` submissions of the first call, its deadline ahead; then the call
   is opened (``proposals_open``) and its chains verified;
3. the deadline crossing: ``--n`` submissions of the second call, whose deadline falls
   in the middle of the rush, while the opening starts at the deadline and waits for
   the submissions in flight. Every submission received before the deadline must be
   accepted and opened, every one received at or after it refused.

It prints throughput and p50/p99 latency of the floor and of the rush and their ratios
(targets: throughput ≥ 0.5× the floor, p99 within 2× the floor's), the submissions lost
(accepted but not opened, or answered neither 201 nor 409), those refused though
received in time, and the chains' verdict. Figures on a shared machine move with its
load: the ratios of one run are what counts. No timing is asserted anywhere.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a plain script
PYTHON = sys.executable
# the bare endpoint's table (bench/burst_app.py), in the bench's own database
BARE_TABLE = "bench_bare_insert"

from setup_django import configure_django  # noqa: E402  (bench/, the script's folder)


@dataclass
class Result:
    status: int
    seconds: float
    body: dict


def post(port: int, path: str, body: dict, token: str) -> Result:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        connection.request(
            "POST",
            path,
            body=json.dumps(body).encode(),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Token {token}",
                "Accept-Language": "fr",
            },
        )
        response = connection.getresponse()
        raw = response.read()
        elapsed = time.perf_counter() - started
        try:
            parsed = json.loads(raw or b"{}")
        except ValueError:
            parsed = {"raw": raw[:200].decode(errors="replace")}
        return Result(response.status, elapsed, parsed)
    except OSError as exc:
        return Result(-1, time.perf_counter() - started, {"error": repr(exc)})
    finally:
        connection.close()


def burst(port: int, jobs: list[tuple[str, dict, str]], clients: int) -> tuple[list[Result], float]:
    """Every job (path, body, token) from ``clients`` threads at once; the results and
    the wall time."""
    todo: queue.Queue = queue.Queue()
    for job in jobs:
        todo.put(job)
    results: list[Result] = []
    lock = threading.Lock()
    go = threading.Event()

    def client() -> None:
        go.wait()
        while True:
            try:
                path, body, token = todo.get_nowait()
            except queue.Empty:
                return
            result = post(port, path, body, token)
            with lock:
                results.append(result)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    started = time.perf_counter()
    go.set()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - started


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def figures(label: str, results: list[Result], wall: float) -> tuple[float, float, float]:
    times = [r.seconds for r in results]
    rate = len(results) / wall
    p50, p99 = statistics.median(times), percentile(times, 0.99)
    print(
        f"{label:<28} {rate:7.1f} req/s   p50 {p50 * 1000:7.0f} ms   p99 {p99 * 1000:7.0f} ms"
        f"   wall {wall:6.1f} s"
    )
    return rate, p50, p99


# --- the bench's own database ----------------------------------------------------------


def admin(base: str):
    import psycopg

    return psycopg.connect(f"{base}/postgres", autocommit=True)


def create_database(base: str, name: str) -> None:
    with admin(base) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            raise SystemExit(
                f"La base {name} existe déjà : le banc ne touche pas à une base "
                "qu'il n'a pas créée."
            )
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(base: str, name: str) -> None:
    with admin(base) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- the data ----------------------------------------------------------------------------


def proposal_body(group: int) -> dict:
    return {
        "group": group,
        "title": f"Proposition du groupe {group}",
        "summary": "Produire le commun avec sa communauté, et le maintenir trois ans. " * 4,
        "deliverables": "Code publié sous licence libre, documentation, formations.",
        "licence": "EUPL-1.2",
        "community": "Une communauté de contributeurs et d'utilisateurs.",
        "governance": "Gouvernance partagée entre les membres du groupement.",
        "budget_lines": [
            {
                "category": "development",
                "label": "Développement",
                "quantity": "85",
                "unit": "day",
                "rate": "300.00",
                "scope": "contract",
            },
            {
                "category": "coordination",
                "label": "Coordination et animation",
                "quantity": "15",
                "unit": "day",
                "rate": "300.00",
                "scope": "outside",
            },
        ],
        "milestones": [
            {"title": "Version 1", "due_on": "2027-03-01", "deliverable": "Code publié"},
            {"title": "Version 2", "due_on": "2027-09-01", "deliverable": "Documentation"},
        ],
    }


def build(n: int, label: str, deadline: datetime) -> tuple[object, list[tuple[int, str]]]:
    """A call in the proposals stage with ``n`` working groups, each of one partner
    organisation whose member holds an API token: the call and its (group, token)."""
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from procurement.models import (
        Challenge,
        ChallengeResource,
        ChallengeStatus,
        Lot,
        Membership,
        Organisation,
        OrganisationKind,
        Role,
        WorkingGroup,
        WorkingGroupMember,
    )

    buyer, _ = Organisation.objects.get_or_create(
        name="Acheteur du banc", kind=OrganisationKind.BUYER
    )
    chambre, _ = Organisation.objects.get_or_create(
        name="Chambre du banc", kind=OrganisationKind.CHAMBRE
    )
    agent, _ = get_user_model().objects.get_or_create(username="agent.banc")
    now = datetime.now().astimezone()
    challenge = Challenge.objects.create(
        reference=f"BANC-RUEE-{label}",
        title=f"Appel du banc ({label})",
        context="La ruée de la dernière minute.",
        buyer=buyer,
        chambre=chambre,
        status=ChallengeStatus.PROPOSALS,
        estimated_amount=Decimal("900000.00"),
        published_at=now - timedelta(days=40),
        positioning_deadline=now - timedelta(days=10),
        proposal_deadline=deadline,
        created_by=agent,
    )
    lot = Lot.objects.create(
        challenge=challenge, number=1, title="Lot unique", estimated_amount=Decimal("900000")
    )
    orgs = Organisation.objects.bulk_create(
        Organisation(name=f"Partenaire {label} {i}", kind=OrganisationKind.PARTNER)
        for i in range(n)
    )
    users = get_user_model().objects.bulk_create(
        # an unusable password: the members sign in with their token
        get_user_model()(username=f"banc.{label}.{i}", password="!")  # noqa: S106
        for i in range(n)
    )
    Membership.objects.bulk_create(
        Membership(user=u, organisation=o, role=Role.MEMBER)
        for u, o in zip(users, orgs, strict=True)
    )
    tokens = Token.objects.bulk_create(Token(key=Token.generate_key(), user=u) for u in users)
    resources = ChallengeResource.objects.bulk_create(
        ChallengeResource(challenge=challenge, lot=lot, title=f"Ressource {i}", order=i)
        for i in range(n)
    )
    groups = WorkingGroup.objects.bulk_create(
        WorkingGroup(resource=r, coordinator=o) for r, o in zip(resources, orgs, strict=True)
    )
    WorkingGroupMember.objects.bulk_create(
        WorkingGroupMember(group=g, organisation=o) for g, o in zip(groups, orgs, strict=True)
    )
    return challenge, [(g.pk, t.key) for g, t in zip(groups, tokens, strict=True)]


def serve(env: dict, port: int, log) -> subprocess.Popen:
    process = subprocess.Popen(  # noqa: S603 — our venv's gunicorn, fixed arguments
        [PYTHON, "-m", "gunicorn", "-c", "config/gunicorn.py", "bench.burst_app:application"],
        cwd=ROOT,
        env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    limit = time.monotonic() + 60
    while time.monotonic() < limit:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/health/")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    log.flush()
    print(Path(log.name).read_text()[-3000:])
    raise SystemExit("gunicorn n'a pas démarré")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="submissions per phase")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--port", type=int, default=8151)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument(
        "--database",
        default=f"communs_burst_bench_{os.getpid()}",
        help="the database the bench creates and drops (it must not exist)",
    )
    args = parser.parse_args()
    name = args.database
    work = Path(tempfile.mkdtemp(prefix="bench-burst-"))
    url = f"{args.pg}/{name}"
    create_database(args.pg, name)
    process = None
    try:
        configure_django(work, DATABASE_URL=url, LOG_LEVEL="ERROR")
        from django.core.management import call_command
        from django.db import connection
        from django.utils import timezone

        from procurement.models import Challenge, Proposal
        from procurement.services.chains import chains_verify
        from procurement.services.proposals import proposals_open

        call_command("migrate", verbosity=0)
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TABLE {BARE_TABLE} (id bigserial PRIMARY KEY, user_id integer, "
                "body jsonb, created_at timestamptz)"
            )
        far = timezone.now() + timedelta(hours=6)
        rush, rush_groups = build(args.n, "ruee", far)
        crossing, crossing_groups = build(args.n, "echeance", far)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": url,
            "MEDIA_ROOT": str(work / "media"),
            "SECRET_KEY": "bench-only-not-a-secret-" + "x" * 40,
            "DEBUG": "0",
            "CELERY_BROKER_URL": "",
            "SITE_URL": "https://communs.example.fr",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "LOG_LEVEL": "ERROR",
        }
        log = (work / "gunicorn.log").open("w")
        process = serve(env, args.port, log)
        print(
            f"{args.n} requêtes par phase, {args.clients} clients, gunicorn "
            f"({env.get('GUNICORN_WORKERS', 'workers par défaut')}), PostgreSQL {name}"
        )

        # warm the workers on both endpoints
        warm = [("/api/v1/bench-bare/", proposal_body(g), t) for g, t in rush_groups[:8]]
        burst(args.port, warm, 8)

        # 1. the floor, 2. the rush
        bare_jobs = [("/api/v1/bench-bare/", proposal_body(g), t) for g, t in rush_groups]
        bare, bare_wall = burst(args.port, bare_jobs, args.clients)
        path = f"/api/v1/challenges/{rush.pk}/proposals/"
        rush_jobs = [(path, proposal_body(g), t) for g, t in rush_groups]
        subs, subs_wall = burst(args.port, rush_jobs, args.clients)
        print()
        for results in (bare, subs):
            odd = next((r for r in results if r.status != 201), None)
            if odd is not None:
                print(f"(première réponse autre que 201 : {odd.status} {str(odd.body)[:300]})")
        b_rate, b_p50, b_p99 = figures("insert DRF nu (plancher)", bare, bare_wall)
        s_rate, s_p50, s_p99 = figures("dépôt de propositions", subs, subs_wall)
        print(
            f"{'rapports':<28} débit {s_rate / b_rate:.2f}× (cible ≥ 0,5×)   "
            f"p50 {s_p50 / b_p50:.2f}×   p99 {s_p99 / b_p99:.2f}× (cible ≤ 2×)"
        )
        bare_statuses = sorted({r.status for r in bare})
        accepted = [r for r in subs if r.status == 201]
        other = [r for r in subs if r.status != 201]
        Challenge.objects.filter(pk=rush.pk).update(
            proposal_deadline=timezone.now() - timedelta(seconds=5)
        )
        opened = proposals_open(challenge=Challenge.objects.get(pk=rush.pk))
        stored = Proposal.objects.filter(challenge=rush).count()
        print(
            f"ruée : {len(accepted)} acceptées, {len(other)} autres réponses "
            f"{sorted({r.status for r in other})}; {stored} en base, {opened} ouvertes; "
            f"perdues {len(accepted) - opened + len([r for r in other if r.status != 409])}; "
            f"plancher : statuts {bare_statuses}"
        )

        # 3. the deadline falls in the middle of the rush; the opening starts at it
        deadline = timezone.now() + timedelta(seconds=max(1.0, subs_wall / 2))
        Challenge.objects.filter(pk=crossing.pk).update(proposal_deadline=deadline)
        opening: dict = {}

        def open_at_deadline() -> None:
            from django.db import connections

            try:
                time.sleep(max(0.0, (deadline - timezone.now()).total_seconds()))
                opening["count"] = proposals_open(challenge=Challenge.objects.get(pk=crossing.pk))
            except Exception as exc:  # reported below
                opening["error"] = repr(exc)
            finally:
                connections.close_all()

        opener = threading.Thread(target=open_at_deadline)
        opener.start()
        path = f"/api/v1/challenges/{crossing.pk}/proposals/"
        cross_jobs = [(path, proposal_body(g), t) for g, t in crossing_groups]
        crossed, _wall = burst(args.port, cross_jobs, args.clients)
        opener.join()
        accepted = [r for r in crossed if r.status == 201]
        refused = [r for r in crossed if r.status == 409]
        in_time_refused = [
            r
            for r in refused
            if r.body.get("code") == "opened_before_receipt"
            or datetime.fromisoformat(
                r.body.get("detail", {}).get("received_at", "9999-01-01T00:00:00+00:00")
            )
            < deadline
        ]
        late_accepted = [
            r for r in accepted if datetime.fromisoformat(r.body["submitted_at"]) >= deadline
        ]
        neither = [r for r in crossed if r.status not in (201, 409)]
        count = opening.get("count")
        lost = (len(accepted) - count if count is not None else len(accepted)) + len(neither)
        print(
            f"échéance au milieu de la ruée : {len(accepted)} reçues à temps et acceptées, "
            f"{len(refused)} refusées hors délai, ouverture : {opening}; "
            f"perdues {lost}; refusées quoique reçues à temps {len(in_time_refused)}; "
            f"acceptées quoique reçues hors délai {len(late_accepted)}"
        )

        verification = chains_verify(
            chains=[
                f"challenge:{rush.pk}",
                f"sealed:{rush.pk}",
                f"challenge:{crossing.pk}",
                f"sealed:{crossing.pk}",
            ]
        )
        print(
            "chaînes après coup : "
            + ("intègres" if verification.valid else f"ANOMALIES {verification.problems[:3]}")
            + " ("
            + ", ".join(f"{r.chain} {r.count} év." for r in verification.reports)
            + ")"
        )
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=30)
        from django.db import connections

        connections.close_all()
        drop_database(args.pg, name)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

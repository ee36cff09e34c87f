"""Scale-out: a whole call served by two gunicorn web processes and two Celery workers
(and one beat), real processes started with production settings, sharing nothing but
one PostgreSQL database and one Redis (cache and broker) and the documents' folder.

Every request of the journey goes over HTTP, in turn to one web process and then the
other, as a load balancer would spread them; the deadlines pass in real time (windows of
a few seconds: ``MAPA_MIN_OFFER_DAYS=0`` lets a MAPA publish so short a window), and the
beat's sweep fires them; the documents (the DCE at publication, the award pieces after
the cofunding round, the rejection letters after the award) are rendered by the workers.

The database is the test's own (created, then dropped: never one it did not create), and
so is the Redis database (``SCALE_OUT_REDIS_URL``, db 12 by default). The processes are
killed, with their children, whatever happens. ``SCALE_OUT_PORTS=8121,8122`` picks the web
ports (free ones by default).
"""

import contextlib
import ctypes
import itertools
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings

from tests.api.steps import (
    act,
    challenge_url,
    chambre_opinion,
    complete,
    create_challenge,
    inbox,
    ok,
    process_of,
    status_of,
    task_in_inbox,
)
from tests.config.helpers import PYTHON, ROOT, production_env
from tests.conftest import require_service
from tests.factories import PASSWORD
from tests.workflows import journey

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

REDIS_URL = os.environ.get("SCALE_OUT_REDIS_URL", "redis://127.0.0.1:6379/12")
HOST = "communs.example.org"
# Each deadline of the call lies this far after the step that sets it: room for the
# requests that must come before it, on a loaded machine.
WINDOW = timedelta(seconds=10)
# The whole run, processes' start included.
BUDGET_SECONDS = 180
WAIT_SECONDS = 60


# --- HTTP, spread over the web processes -------------------------------------------------


class Response:
    def __init__(self, status: int, content: bytes):
        self.status_code, self.content = status, content

    def json(self):
        return json.loads(self.content)


@dataclass
class Balancer:
    """Hands each request to the next web process in turn, and counts what each got."""

    ports: list[int]
    turn: itertools.count = field(default_factory=itertools.count)
    sent: Counter = field(default_factory=Counter)

    def next_port(self) -> int:
        port = self.ports[next(self.turn) % len(self.ports)]
        self.sent[port] += 1
        return port


class HttpClient:
    """What ``tests.api.steps`` asks of a client (``get``, ``post``, ``put``,
    ``credentials``), over HTTP through the proxy's headers, to the balancer's next web
    process."""

    def __init__(self, balancer: Balancer):
        self.balancer = balancer
        self.headers = {
            "Host": HOST,
            "X-Forwarded-Proto": "https",
            "Accept": "application/json",
            "Accept-Language": "fr",
        }

    def credentials(self, HTTP_AUTHORIZATION: str) -> None:
        self.headers["Authorization"] = HTTP_AUTHORIZATION

    def get(self, path: str, data: dict | None = None, port: int | None = None) -> Response:
        if data:
            path = f"{path}?{urllib.parse.urlencode(data, doseq=True)}"
        return self._send("GET", path, None, port)

    def post(self, path: str, data=None, format=None) -> Response:
        return self._send("POST", path, data, None)

    def put(self, path: str, data=None, format=None) -> Response:
        return self._send("PUT", path, data, None)

    def _send(self, method: str, path: str, data, port: int | None) -> Response:
        import http.client

        if port is None:
            port = self.balancer.next_port()
        elif path.startswith("/api/"):
            self.balancer.sent[port] += 1
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = dict(self.headers)
        body = None
        if method != "GET":
            body = json.dumps(data if data is not None else {}).encode()
            headers["Content-Type"] = "application/json"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return Response(response.status, response.read())
        finally:
            connection.close()


# --- The processes -----------------------------------------------------------------------


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def die_with_parent() -> None:
    """In a child, before it runs: be killed if the test's process dies without its
    finalizers (a SIGKILL, a SIGTERM); the children's own children (gunicorn's and
    Celery's) leave when their parent is gone."""
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def signal_group(process: Process, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.popen.pid, signum)


def stop_all(processes: list[Process]) -> None:
    """Stop the processes and their children (each its own session): TERM to all, a
    grace of 15 s together, then KILL to whatever is left of each group."""
    for process in processes:
        signal_group(process, signal.SIGTERM)
    deadline = time.monotonic() + 15
    for process in processes:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
    for process in processes:
        signal_group(process, signal.SIGKILL)  # children a master left behind, or itself
        process.popen.wait(timeout=10)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(args: list[str], env: dict[str, str], timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 — our own interpreter, fixed arguments
        [PYTHON, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def wait_for(what: str, predicate, stack: "Stack", seconds: float = WAIT_SECONDS) -> None:
    """Poll ``predicate`` for ``seconds`` at most, and never past the run's budget."""
    deadline = min(time.monotonic() + seconds, stack.started + BUDGET_SECONDS)
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    pytest.fail(f"{what}: not in time ({stack.elapsed():.0f} s into the run)\n{stack.logs()}")


# The database migrated as at a release, then the world's rows (tests.conftest) written
# in it, by one child process; their ids and user names printed for the test, which knows
# them by nothing else.
MIGRATE_AND_BUILD_WORLD = """
import json
import django

django.setup()
from django.core.management import call_command

call_command("migrate", interactive=False, verbosity=0)
from tests.conftest import build_world
from tests.factories import UserFactory

w = build_world()
admin = UserFactory(username="admin.chaines", is_staff=True)
user = lambda u: {"pk": u.pk, "username": u.username}
print(json.dumps({
    "buyer": w.buyer.pk, "chambre": w.chambre.pk, "host": w.host.pk,
    "partners": [o.pk for o in w.partners], "funders": [o.pk for o in w.funders],
    "buyer_agent": user(w.buyer_agent), "moderator": user(w.moderator),
    "rapporteur": user(w.rapporteur), "admin": user(admin),
    "partner_users": [user(u) for u in w.partner_users],
    "evaluators": [user(u) for u in w.evaluators],
    "funder_users": [user(u) for u in w.funder_users],
}))
"""


@dataclass
class Stack:
    root: Path
    env: dict[str, str]
    dbname: str
    server: dict
    world: dict = field(default_factory=dict)
    processes: list[Process] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    balancer: Balancer | None = None

    def start(self, name: str, args: list[str], **env: str) -> Process:
        log = self.root / f"{name}.log"
        with log.open("w") as out:
            popen = subprocess.Popen(  # noqa: S603 — our own interpreter, fixed arguments
                [PYTHON, *args],
                cwd=ROOT,
                env={**self.env, **env},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, stopped with its children
                preexec_fn=die_with_parent,
            )
        process = Process(name, popen, log)
        self.processes.append(process)
        return process

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def mark(self, what: str) -> None:
        """A line of the run's timeline, printed (pytest -s, or with a failure's output)."""
        print(f"{self.elapsed():6.1f} s  {what}")

    def named(self, prefix: str) -> list[Process]:
        return [p for p in self.processes if p.name.startswith(prefix)]

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.output()[-2500:]}" for p in self.processes)

    def sql(self, query: str, *params) -> list[tuple]:
        import psycopg

        with psycopg.connect(**self.server, dbname=self.dbname) as connection:
            return connection.execute(query, params).fetchall()


def postgres_server() -> dict:
    """The PostgreSQL server of the test run (``DATABASE_URL``), to create a database on."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.fail("Ce test tourne sur PostgreSQL : lancez-le avec DATABASE_URL=postgres://…")
    server = {"host": db["HOST"] or "127.0.0.1", "port": int(db["PORT"] or 5432)}
    server["user"] = db["USER"] or "postgres"
    if db["PASSWORD"]:
        server["password"] = db["PASSWORD"]
    return server


def database_url(server: dict, dbname: str) -> str:
    password = f":{urllib.parse.quote(server['password'], safe='')}" if "password" in server else ""
    user = urllib.parse.quote(server["user"], safe="")
    return f"postgres://{user}{password}@{server['host']}:{server['port']}/{dbname}"


@pytest.fixture
def own_database():
    """A PostgreSQL database of this test's own, dropped at the end (and only it)."""
    import psycopg

    server = postgres_server()
    require_service(
        "PostgreSQL",
        lambda: psycopg.connect(**server, dbname="postgres", connect_timeout=3).close(),
    )
    dbname = f"communs_scaleout_{secrets.token_hex(4)}"
    with psycopg.connect(**server, dbname="postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{dbname}"')
    try:
        yield server, dbname
    finally:
        with psycopg.connect(**server, dbname="postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


@pytest.fixture
def own_redis():
    """The Redis database of this test, emptied before and after."""
    import redis

    require_service(
        "Redis", lambda: redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    )
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield REDIS_URL
    client.flushdb()
    client.close()


@pytest.fixture
def stack(own_database, own_redis, tmp_path):
    """Migrated, the world written, then two web processes, two workers and one beat,
    each ready; all of them stopped at the end, even on failure."""
    server, dbname = own_database
    # One environment for every process, as an operator gives it: one SECRET_KEY (which
    # signs the chains' anchors), one database, one Redis, one documents' folder.
    env = production_env(
        DATABASE_URL=database_url(server, dbname),
        REDIS_URL=own_redis,
        STORAGE_BACKEND="local",
        MEDIA_ROOT=str(tmp_path / "media"),
        STATIC_ROOT=str(tmp_path / "static"),
        # Windows of a few seconds, which no real MAPA would publish.
        MAPA_MIN_OFFER_DAYS="0",
        MAPA_WARN_OFFER_DAYS="0",
        # Fast hashes for the test's passwords; mails kept in memory.
        PASSWORD_HASHERS="django.contrib.auth.hashers.MD5PasswordHasher",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        GUNICORN_WORKERS="1",
        LOG_LEVEL="WARNING",
        # Deadlines fire within two seconds of passing.
        SWEEP_INTERVAL="2",
    )
    # (No collectstatic: the API serves no static file; WhiteNoise wants the folder.)
    (tmp_path / "static").mkdir()
    stack = Stack(root=tmp_path, env=env, dbname=dbname, server=server)
    try:
        # The web processes and the workers touch the database only when asked: they boot
        # while it is migrated; the beat, whose sweeps read it, starts after.
        wanted = os.environ.get("SCALE_OUT_PORTS", "")
        ports = [int(p) for p in wanted.split(",")] if wanted else [free_port(), free_port()]
        for n, port in enumerate(ports, 1):
            stack.start(
                f"web{n}",
                ["-m", "gunicorn", "-c", "config/gunicorn.py"],
                GUNICORN_BIND=f"127.0.0.1:{port}",
            )
        celery = ["-m", "celery", "-A", "config"]
        for n in (1, 2):
            stack.start(
                f"worker{n}",
                [*celery, "worker", "--loglevel=INFO", "-c1", f"--hostname=worker{n}@%h"],
            )
        built = run(["-c", MIGRATE_AND_BUILD_WORLD], env)
        assert built.returncode == 0, built.stderr[-3000:]
        stack.world = json.loads(built.stdout.strip().splitlines()[-1])
        stack.mark("database migrated, world written")
        schedule = f"--schedule={tmp_path / 'beat-schedule'}"
        stack.start("beat", [*celery, "beat", "--loglevel=INFO", schedule])
        stack.balancer = Balancer(ports)
        probe = HttpClient(stack.balancer)

        def ready(port: int):
            """Ready on the shared database, cache, storage and broker."""
            try:
                response = probe.get("/health/ready/", port=port)
            except OSError:
                return False
            if response.status_code != 200:
                return False
            checks = response.json()["checks"]
            assert set(checks) == {"database", "cache", "storage", "broker"}, checks
            return True

        for port in ports:
            wait_for(f"web process on {port} ready", lambda port=port: ready(port), stack)
        for worker in stack.named("worker"):
            wait_for(f"{worker.name} ready", lambda w=worker: " ready." in w.output(), stack)
        wait_for("beat started", lambda: "beat: Starting" in stack.named("beat")[0].output(), stack)
        stack.mark("2 web processes, 2 workers and the beat ready")
        yield stack
    finally:
        stop_all(stack.processes)


# --- The journey -------------------------------------------------------------------------


def sign_in(balancer: Balancer, user: dict) -> HttpClient:
    client = HttpClient(balancer)
    token = ok(
        client.post(
            "/api/v1/auth/token/",
            {"username": user["username"], "password": PASSWORD},
            format="json",
        )
    )["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def later(delta: timedelta = WINDOW) -> str:
    return (datetime.now(UTC) + delta).isoformat()


def access_log_requests(process: Process) -> int:
    """The API requests in a web process's access log."""
    return len(re.findall(r'"(?:GET|POST|PUT|PATCH|DELETE) /api/v1/', process.output()))


def tasks_run(process: Process, task: str | None = None, result: str | None = None) -> int:
    """How many times a worker ran ``task`` (any task by default) to its end (with
    ``result``, if given)."""
    name = re.escape(task) if task else r"[\w.]+"
    ending = re.escape(result) if result is not None else ".*"
    pattern = rf"Task {name}\[[0-9a-f-]+\] succeeded in [0-9.]+s: {ending}$"
    return len(re.findall(pattern, process.output(), flags=re.MULTILINE))


def latest_job(buyer: HttpClient, cid: int) -> str:
    """The status of the call's latest document job, as its buyer sees it."""
    job = ok(buyer.get(challenge_url(cid, "documents/")))["job"]
    assert job["status"] != "failed", job
    return job["status"]


def test_a_whole_call_runs_on_two_web_processes_and_two_workers(stack):
    w = stack.world
    balancer = stack.balancer
    ids = SimpleNamespace(
        buyer=SimpleNamespace(pk=w["buyer"]), chambre=SimpleNamespace(pk=w["chambre"])
    )
    buyer, moderator = sign_in(balancer, w["buyer_agent"]), sign_in(balancer, w["moderator"])
    rapporteur = sign_in(balancer, w["rapporteur"])
    partners = [sign_in(balancer, u) for u in w["partner_users"]]
    evaluators = [sign_in(balancer, u) for u in w["evaluators"]]
    funders = [sign_in(balancer, u) for u in w["funder_users"]]
    anonymous = HttpClient(balancer)
    the_rapporteur = SimpleNamespace(pk=w["rapporteur"]["pk"])

    # --- drafted, approved by the Chambre, published --------------------------------------
    challenge = create_challenge(buyer, ids)
    cid, pid = challenge["id"], challenge["process"]
    act(buyer, cid, "draft", {"note": "Pour avis."})
    chambre_opinion(moderator, the_rapporteur, cid, "call_opinion", writer=rapporteur)
    act(
        buyer,
        cid,
        "publish",
        {"positioning_deadline": later(), "proposal_deadline": later(2 * WINDOW)},
    )
    assert status_of(anonymous, cid) == "positioning"
    stack.mark("published")

    # --- the partners position themselves, while a worker renders the DCE ------------------
    resources = ok(anonymous.get(challenge_url(cid, "resources/")))
    for resource, org, client in zip(resources, w["partners"], partners, strict=True):
        position = {
            "resource": resource["id"],
            "organisation": org,
            "intent": "produce",
            "contributions": [{"kind": "skills", "days": "40", "profile": "Développeur"}],
            "public_name": True,
        }
        ok(client.post(challenge_url(cid, "positions/"), position, format="json"), 201)

    wait_for("the DCE rendered", lambda: latest_job(buyer, cid) == "done", stack)
    dce = ok(anonymous.get(challenge_url(cid, "documents/")))["documents"]
    assert {d["piece"] for d in dce} >= {"reglement", "cctp"}

    # --- the positioning deadline passes: the beat's sweep forms the groups --------------
    wait_for("proposals open", lambda: status_of(anonymous, cid) == "proposals", stack)
    stack.mark("positioning closed by the beat")
    groups = ok(anonymous.get(challenge_url(cid, "working-groups/")))
    for group, client in zip(groups, partners, strict=True):
        proposal = {
            "group": group["id"],
            "title": f"Proposition — {group['resource_title']}",
            "summary": "Produire le commun avec sa communauté.",
            "deliverables": "Code, documentation",
            "licence": "EUPL-1.2",
            **journey.proposal_json("30000.00"),
        }
        ok(client.post(challenge_url(cid, "proposals/"), proposal, format="json"), 201)
    assert ok(buyer.get(challenge_url(cid, "proposals/")))["count"] == 0  # sealed

    # --- the proposal deadline passes: opened, assigned, scored -------------------------
    wait_for("proposals opened", lambda: status_of(anonymous, cid) == "assignment", stack)
    stack.mark("proposals opened by the beat")
    proposals = ok(buyer.get(challenge_url(cid, "proposals/")))["results"]
    assert len(proposals) == 3
    act(
        buyer,
        cid,
        "assign_evaluators",
        {"evaluators": [u["pk"] for u in w["evaluators"]]},
    )
    codes = [
        c["code"]
        for c in ok(buyer.get(challenge_url(cid, "grid/")))["criteria"]
        if c["scale"] != "price"
    ]
    for client in evaluators:
        task = task_in_inbox(client, cid, "score")
        for assignment in ok(client.get(challenge_url(cid, "assignments/")))["results"]:
            url = challenge_url(cid, f"assignments/{assignment['id']}/declare/")
            ok(client.post(url, {"conflict": False}, format="json"))
        evaluations = [
            {"proposal": p["id"], "conflict": False, "scores": dict.fromkeys(codes, "7")}
            for p in ok(client.get(challenge_url(cid, "proposals/")))["results"]
        ]
        complete(client, task["id"], {"evaluations": evaluations})
    assert status_of(buyer, cid) == "selection"

    # --- two lots selected, the Chambre approves, the funders pledge --------------------
    ranking = ok(buyer.get(challenge_url(cid, "ranking/")))
    ranked = [e["proposal_id"] for e in sorted(ranking["entries"], key=lambda e: e["rank"])]
    selected = ranked[:2]
    act(
        buyer,
        cid,
        "select",
        {
            "proposals": selected,
            "cofunding_deadline": later(2 * WINDOW),  # the Chambre, then six requests
            "justification": "Le troisième lot attend une seconde consultation.",
        },
    )
    chambre_opinion(moderator, the_rapporteur, cid, "selection_opinion", writer=rapporteur)
    assert status_of(anonymous, cid) == "cofunding"
    buckets = ok(anonymous.get(challenge_url(cid, "cofunding/")))["buckets"]
    for client, funder in zip(funders, w["funders"], strict=True):
        allocation = {"funder": funder, "amount": "20000"}
        ok(
            client.post(challenge_url(cid, "cofunding/allocations/"), allocation, format="json"),
            201,
        )
    for bucket, client, funder in zip(buckets, funders, w["funders"], strict=True):
        pledge = {"bucket": bucket["id"], "funder": funder, "amount": bucket["max_amount"]}
        ok(client.post(challenge_url(cid, "cofunding/pledges/"), pledge, format="json"), 201)
    by_id = {p["id"]: p for p in proposals}
    for proposal in selected:
        url = challenge_url(cid, f"resources/{by_id[proposal]['resource']}/host/")
        ok(buyer.post(url, {"host": w["host"]}, format="json"))

    # --- the round closes: a worker renders the award pieces, then the award ------------
    wait_for(
        "the award pieces rendered",
        lambda: "award" in {t["step"] for t in inbox(buyer, challenge=cid)},
        stack,
    )
    stack.mark("cofunding closed, award pieces rendered")
    job = ok(buyer.get(challenge_url(cid, "documents/")))["job"]
    assert job["status"] == "done", job
    act(buyer, cid, "award", {"proposals": selected})
    wait_for(
        "the rejection letters rendered",
        lambda: "sign" in {t["step"] for t in inbox(buyer, challenge=cid)},
        stack,
    )
    act(buyer, cid, "sign", {})
    assert status_of(anonymous, cid) == "awarded"
    assert process_of(buyer, pid)["status"] == "DONE"
    # (the signature has the award pieces drawn up again, by a worker)
    wait_for("the signed pieces rendered", lambda: latest_job(buyer, cid) == "done", stack)
    stack.mark("signed, pieces rendered again")

    # === then ================================================================================
    # every step ran once: each deadline fired once, each job completed once
    history = Counter(
        step["step"] for step in process_of(buyer, pid)["history"] if step["status"] == "DONE"
    )
    once = [
        "draft",
        "call_opinion",
        "publish",
        "positioning",
        "proposals",
        "assign_evaluators",
        "select",
        "selection_opinion",
        "cofunding",
        "generate_documents",
        "award",
        "rejection_letters",
        "sign",
    ]
    assert {step: history[step] for step in once} == dict.fromkeys(once, 1), history
    assert history["score"] == 2
    # and each stage was entered once, on a chain that verifies
    audit = ok(buyer.get(challenge_url(cid, "audit/")))
    assert audit["verification"]["valid"] is True, audit["verification"]
    moves = Counter(
        (e["data"]["from"], e["data"]["to"])
        for e in audit["events"]
        if e["verb"] == "challenge.stage_changed"
    )
    assert moves
    assert set(moves.values()) == {1}, moves

    # the documents were rendered by the workers, once each: one job per stage, run once
    jobs = stack.sql(
        "SELECT stage, status, attempts FROM procurement_documentjob WHERE challenge_id = %s",
        cid,
    )
    assert sorted(jobs) == [
        ("award", "done", 1),  # after the cofunding round
        ("award", "done", 1),  # after the signature
        ("dce", "done", 1),
        ("letters", "done", 1),
    ]
    documents = ok(buyer.get(challenge_url(cid, "documents/")))["documents"]
    versions = Counter((d["stage"], d["piece"], d["key"], d["version"]) for d in documents)
    assert set(versions.values()) == {1}, versions
    assert {d["stage"] for d in documents} == {"dce", "award", "letters"}
    workers, webs = stack.named("worker"), stack.named("web")
    assert sum(tasks_run(p, "workflows.tasks.generate_documents") for p in workers) == 2
    assert sum(tasks_run(p, "workflows.tasks.run_job", "'done'") for p in workers) == 2
    assert all(tasks_run(p) for p in workers), "each worker ran tasks"
    # and either web process serves a piece a worker stored
    piece = next(d for d in dce if d["piece"] == "reglement")
    for port in balancer.ports:
        download = anonymous.get(piece["download_url"], port=port)
        assert download.status_code == 200
        assert download.content[:2] == b"PK"  # a .docx

    # every chain verifies, through the API and the command an operator runs
    admin = sign_in(balancer, w["admin"])
    assert ok(admin.get("/api/v1/chains/verification/"))["valid"] is True
    verified = run(["manage.py", "verify_chains"], stack.env)
    assert verified.returncode == 0, verified.stdout + verified.stderr

    # the API's throttles counted in the shared cache, not in each process's memory
    import redis

    with redis.Redis.from_url(stack.env["REDIS_URL"]) as shared:
        assert shared.keys(":1:throttle_user_*")
    # the requests were spread over both web processes, as sent
    served = [access_log_requests(p) for p in webs]
    assert served == [balancer.sent[port] for port in balancer.ports]
    assert min(served) >= max(served) - 1 > 50
    stack.mark("checked")
    # within the time budget
    assert stack.elapsed() < BUDGET_SECONDS

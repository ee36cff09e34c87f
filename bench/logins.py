"""What a flood of wrong passwords costs the other users (issue 18).

Run from the repository root::

    .venv/bin/python bench/logins.py [--parallel 32] [--port 8133]

The bench migrates its own SQLite database in a temporary directory, creates one
account, and starts gunicorn from ``config/gunicorn.py`` with the production hashers
(Argon2 first) and its default number of workers. It measures an unrelated request
(``GET /api/v1/commons/``, which reads the database) alone, then while ``--parallel``
wrong passwords hit the token endpoint at once — for the same account, then for as
many different accounts from the same address — twice:

- with the lockout (``AXES_FAILURE_LIMIT=5``, the default): past five failures an
  attempt is refused before the hasher runs;
- without it in effect (``AXES_FAILURE_LIMIT=100000``): every attempt hashes, as before.

It prints the time of one wrong password at a time (the first five, which hash, then
the next ten, refused once locked), and the unrelated request's median and worst time
during each flood, with the flood's wall time and statuses. Figures on a shared machine
move with its load: compare the two cases of one run.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
PASSWORD = "communs-bench-1"  # noqa: S105 — the bench's own throwaway account


def request(port: int, method: str, path: str, body: dict | None = None) -> tuple[int, float]:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        payload = json.dumps(body).encode() if body is not None else None
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    finally:
        connection.close()


def unrelated(port: int, count: int, pause: float = 0.0) -> list[float]:
    times = []
    for _ in range(count):
        status, elapsed = request(port, "GET", "/api/v1/commons/")
        assert status == 200, status
        times.append(elapsed)
        time.sleep(pause)
    return times


def flood(port: int, parallel: int, same_account: bool) -> tuple[list[float], Counter, float]:
    """``parallel`` wrong passwords at once, while the unrelated request is timed."""
    statuses: Counter = Counter()
    lock = threading.Lock()
    go = threading.Event()

    def guess(n: int) -> None:
        go.wait()
        username = "agent.bench" if same_account else f"inconnu.{n}"
        status, _ = request(
            port, "POST", "/api/v1/auth/token/", {"username": username, "password": "mauvais"}
        )
        with lock:
            statuses[status] += 1

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(parallel)]
    for thread in threads:
        thread.start()
    started = time.perf_counter()
    go.set()
    time.sleep(0.01)  # the guesses first, as an attacker's burst would come
    times = []
    while any(thread.is_alive() for thread in threads):
        times.extend(unrelated(port, 1))
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    times.extend(unrelated(port, 3))
    return times, statuses, wall


def one_by_one(port: int, count: int, username: str) -> list[float]:
    """``count`` wrong passwords in a row for ``username``: the cost of one attempt."""
    return [
        request(port, "POST", "/api/v1/auth/token/", {"username": username, "password": "x"})[1]
        for _ in range(count)
    ]


def serve(env: dict, port: int, log) -> subprocess.Popen:
    process = subprocess.Popen(  # noqa: S603 — our venv's gunicorn, fixed arguments
        [PYTHON, "-m", "gunicorn", "-c", "config/gunicorn.py"],
        cwd=ROOT,
        env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if request(port, "GET", "/health/")[0] == 200:
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("gunicorn did not start")


def reset(env: dict) -> None:
    subprocess.run(  # noqa: S603 — our manage.py, fixed arguments
        [PYTHON, "manage.py", "axes_reset"], cwd=ROOT, env=env, check=True, capture_output=True
    )


def ms(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1000:.0f} ms, worst {max(values) * 1000:.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parallel", type=int, default=32)
    parser.add_argument("--port", type=int, default=8133)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-logins-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "1",  # plain HTTP, static files in place; the hashers stay production's
        "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
        "MEDIA_ROOT": str(work / "media"),
        "SECRET_KEY": "bench-only-" + "x" * 50,
        "LOG_LEVEL": "ERROR",
    }
    try:
        subprocess.run(  # noqa: S603 — our manage.py, fixed arguments
            [PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
        )
        subprocess.run(  # noqa: S603 — our interpreter, code written here
            [
                PYTHON,
                "-c",
                "import django; django.setup()\n"
                "from django.contrib.auth import get_user_model\n"
                f"get_user_model().objects.create_user('agent.bench', password={PASSWORD!r})",
            ],
            cwd=ROOT,
            env=env,
            check=True,
        )
        for label, limit in (("without lockout", "100000"), ("with lockout", "5")):
            run_env = {**env, "AXES_FAILURE_LIMIT": limit}
            with (work / f"gunicorn-{limit}.log").open("w") as log:
                process = serve(run_env, args.port, log)
                try:
                    unrelated(args.port, 5)  # warm the workers
                    alone = unrelated(args.port, 20, pause=0.02)
                    print(f"[{label}] unrelated request alone: {ms(alone)}")
                    reset(run_env)
                    single = one_by_one(args.port, 15, "agent.bench")
                    print(
                        f"[{label}] one wrong password at a time: first five {ms(single[:5])}; "
                        f"the ten after {ms(single[5:])}"
                    )
                    for same in (True, False):
                        reset(run_env)
                        times, statuses, wall = flood(args.port, args.parallel, same)
                        who = "one account" if same else f"{args.parallel} accounts, one address"
                        print(
                            f"[{label}] {args.parallel} parallel bad logins ({who}): "
                            f"unrelated request {ms(times)}; flood {wall:.2f} s, "
                            f"statuses {dict(sorted(statuses.items()))}"
                        )
                finally:
                    process.terminate()
                    process.wait(timeout=30)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

"""The lockout holds across server processes (issue 18): two gunicorn servers, started
from ``config/gunicorn.py`` as production starts them, share one database (a SQLite
file, hence in the SQLite pass only: the Makefile's ONCE list). Failures made on one
are counted by the other, which refuses the account with a 429 — the API's token
endpoint in the error shape, the portal's login and ``/admin/login/`` with a French page.
Nothing here is skipped: the servers are this checkout's own."""

import http.client
import json
import os
import socket
import subprocess
import time
from urllib.parse import urlencode

import pytest

from tests.config.helpers import PYTHON, ROOT, manage, python

USERNAME = "agent.partage"
PASSWORD = "communs-processus-1"
LIMIT = 5


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, port: int, process: subprocess.Popen, log):
        self.port, self.process, self.log = port, process, log

    def request(self, method: str, path: str, body: bytes = b"", headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def token(self, password: str):
        return self.request(
            "POST",
            "/api/v1/auth/token/",
            json.dumps({"username": USERNAME, "password": password}).encode(),
            {"Content-Type": "application/json"},
        )

    def form_login(self, path: str, password: str):
        # The form as a browser sends it, with the CSRF cookie and token of its page.
        status, headers, body = self.request("GET", path)
        assert status == 200, body[:500]
        cookie = headers["Set-Cookie"].split(";", 1)[0]
        csrf = cookie.split("=", 1)[1]
        return self.request(
            "POST",
            path,
            urlencode(
                {"username": USERNAME, "password": password, "csrfmiddlewaretoken": csrf}
            ).encode(),
            {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
        )


def start(root, env, port: int, name: str) -> Server:
    log = (root / f"{name}.log").open("w+")
    process = subprocess.Popen(  # noqa: S603 — our venv's gunicorn, fixed arguments
        [PYTHON, "-m", "gunicorn", "-c", "config/gunicorn.py"],
        cwd=ROOT,
        env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    return Server(port, process, log)


def wait_ready(server: Server) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            if server.request("GET", "/health/")[0] == 200:
                return
        except OSError:
            pass
        if server.process.poll() is not None or time.monotonic() > deadline:
            server.log.seek(0)
            pytest.fail(f"gunicorn did not start:\n{server.log.read()[-3000:]}")
        time.sleep(0.2)


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    root = tmp_path_factory.mktemp("lockout")
    # The test settings (static files read in place, a fast hasher), not the test
    # database: a file both servers open, as two machines share PostgreSQL.
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_ALLOW_ASYNC")},
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DATABASE_URL": f"sqlite:///{root / 'db.sqlite3'}",
        "MEDIA_ROOT": str(root / "media"),
        "AXES_FAILURE_LIMIT": str(LIMIT),
        "GUNICORN_WORKERS": "1",
    }
    migrated = manage("migrate", "--noinput", env=env, timeout=300)
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    created = python(
        "import django; django.setup()\n"
        "from django.contrib.auth import get_user_model\n"
        f"get_user_model().objects.create_user({USERNAME!r}, password={PASSWORD!r},"
        " is_staff=True)\n",
        env=env,
    )
    assert created.returncode == 0, created.stderr[-3000:]
    ports = os.environ.get("LOCKOUT_TEST_PORTS", "").split(",")
    ports = [int(p) for p in ports if p.strip()] or [free_port(), free_port()]
    started = [start(root, env, port, name) for port, name in zip(ports, ("a", "b"), strict=True)]
    try:
        for server in started:
            wait_ready(server)
        yield started
    finally:
        for server in started:
            server.process.terminate()
        for server in started:
            try:
                server.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.process.kill()
            server.log.close()


def test_failures_on_one_process_lock_the_account_on_the_other(servers):
    a, b = servers
    assert a.process.pid != b.process.pid

    # given the right password works on both processes
    assert a.token(PASSWORD)[0] == 200
    assert b.token(PASSWORD)[0] == 200

    # when the account fails three times on A, then once on B (four: not yet locked)
    assert [a.token("mauvais")[0] for _ in range(3)] == [400] * 3
    assert b.form_login("/connexion/", "mauvais")[0] == 400

    # and a fifth time on A
    status, headers, body = a.token("mauvais")
    assert status == 429, body[:500]

    # then B refuses it too, even with the right password: the API in its error shape,
    status, headers, body = b.token(PASSWORD)
    assert status == 429, body[:500]
    error = json.loads(body)
    assert error["code"] == "too_many_attempts"
    assert set(error) == {"code", "message", "fields"}
    assert "Trop de tentatives" in error["message"]
    assert int(headers["Retry-After"]) == 15 * 60

    # the portal's login and the admin's with a French page
    for path in ("/connexion/", "/admin/login/"):
        status, headers, body = b.form_login(path, PASSWORD)
        assert status == 429, (path, body[:500])
        assert int(headers["Retry-After"]) == 15 * 60
        assert "Connexion momentanément bloquée" in body.decode()

"""The service as production serves it: ``collectstatic``, then gunicorn with
``config/gunicorn.py`` and production settings, asked through the operator's proxy
(``X-Forwarded-Proto: https`` from the same machine) and directly, as a probe would.

No database is migrated: the pages asked here (the probes, the API's documentation,
the portal's 404 page) read no table."""

import base64
import hashlib
import http.client
import json
import re
import socket
import subprocess
import time

import pytest

from tests.config.helpers import PYTHON, ROOT, manage, production_env

HOST = "communs.example.org"
HTTPS = {"Host": HOST, "X-Forwarded-Proto": "https"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, port: int, process: subprocess.Popen, log):
        self.port, self.process, self.log = port, process, log

    def get(self, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("GET", path, headers=headers or {})
            response = connection.getresponse()
            return (
                response.status,
                {k.lower(): v for k, v in response.getheaders()},
                response.read(),
            )
        finally:
            connection.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("production")
    port = free_port()
    env = production_env(
        DATABASE_URL=f"sqlite:///{root / 'db.sqlite3'}",
        STATIC_ROOT=str(root / "static"),
        MEDIA_ROOT=str(root / "media"),
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="2",
    )
    collected = manage("collectstatic", "--noinput", env=env, timeout=300)
    assert collected.returncode == 0, collected.stderr[-3000:]
    log = (root / "gunicorn.log").open("w+")
    process = subprocess.Popen(  # noqa: S603 — our venv's gunicorn, fixed arguments
        [PYTHON, "-m", "gunicorn", "-c", "config/gunicorn.py"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    served = Server(port, process, log)
    deadline = time.monotonic() + 60
    while True:
        try:
            if served.get("/health/")[0] == 200:
                break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            log.seek(0)
            pytest.fail(f"gunicorn did not start:\n{log.read()[-3000:]}")
        time.sleep(0.2)
    yield served
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


def test_probes_answer_a_bare_address_over_plain_http(server):
    # when an orchestrator probes the process by its address, without TLS
    live = server.get("/health/", {"Host": "10.1.2.3:8000"})
    ready = server.get("/health/ready/", {"Host": "10.1.2.3:8000"})

    # then both answer, neither redirected nor refused for the host
    assert live[0] == 200
    assert ready[0] == 200
    assert b'"database": "ok"' in ready[2]


def test_plain_http_is_redirected_to_https(server):
    status, headers, _ = server.get("/api/docs/", {"Host": HOST})

    assert status == 301
    assert headers["location"] == f"https://{HOST}/api/docs/"


def test_https_answers_carry_hsts_and_the_policy(server):
    # when a browser asks through the proxy
    status, headers, _ = server.get("/api/docs/", HTTPS)

    # then the answer is marked HTTPS-only for a year, under the CSP
    assert status == 200
    assert headers["strict-transport-security"] == "max-age=31536000; includeSubDomains; preload"
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"


def test_static_files_are_served_hashed_compressed_and_cached_for_a_year(server):
    # given the API documentation, which names Swagger UI's bundle
    _, _, body = server.get("/api/docs/", HTTPS)
    bundle = re.search(rb'src="(/static/[^"]*swagger-ui-bundle\.[0-9a-f]{12}\.js)"', body)
    assert bundle, body[:2000]

    # when a browser fetches it
    status, headers, content = server.get(
        bundle.group(1).decode(), {**HTTPS, "Accept-Encoding": "gzip"}
    )

    # then WhiteNoise serves the compressed copy, to be kept for good
    assert status == 200
    assert headers["content-encoding"] == "gzip"
    assert "immutable" in headers["cache-control"]
    assert int(headers["content-length"]) == len(content) > 0


def test_the_dsfr_files_keep_the_bytes_their_integrity_hash_pins(server):
    # given a portal page (the 404 page, which reads no table) in the DSFR
    status, _, body = server.get("/nulle-part/", HTTPS)
    assert status == 404
    assert b"Page introuvable" in body
    pinned = re.findall(rb'(?:href|src)="(/static/[^"]+)"\s+integrity="(sha384-[^"]+)"', body)
    assert len(pinned) == 4, body[:3000]

    for url, integrity in pinned:
        # when the browser fetches each pinned file
        status, _, content = server.get(url.decode(), HTTPS)

        # then its bytes match the hash, or the browser would refuse it
        assert status == 200
        digest = base64.b64encode(hashlib.sha384(content).digest())
        assert b"sha384-" + digest == integrity, url


def test_each_request_is_logged_with_its_duration_and_forwarded_client(server):
    # when a request comes through the proxy
    server.get("/health/", {"X-Forwarded-For": "203.0.113.9"})

    # then the access log says who asked, how long it took and which worker answered
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        server.log.seek(0)
        lines = [line for line in server.log if 'forwarded_for="203.0.113.9"' in line]
        if lines:
            break
        time.sleep(0.2)
    assert lines
    assert re.search(r'"GET /health/ HTTP/1.1" 200 .* duration_ms=\d+ worker=<\d+>', lines[-1])


def test_a_body_far_over_the_limit_gets_its_413_not_a_reset_connection(server):
    # given a client that sends its whole 30 MB body before reading the answer
    body = b'{"username": "' + b"x" * (30 * 2**20) + b'"}'
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    try:
        connection.request(
            "POST",
            "/api/v1/auth/token/",
            body=body,
            headers={**HTTPS, "Content-Type": "application/json"},
        )
        response = connection.getresponse()
        status, content_type, answer = (
            response.status,
            response.getheader("Content-Type"),
            response.read(),
        )
    finally:
        connection.close()

    # then it reads the API's 413, in its shape
    assert (status, content_type) == (413, "application/json")
    assert json.loads(answer)["code"] == "too_large"

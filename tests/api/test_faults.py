"""Faults answered in the API's error shape, never a 500 (issue 19, item 3): a database
that does not answer (503 with ``Retry-After``), a write that lost a race to a
concurrent one (409). The shape of unknown paths, oversize and over-nested bodies is in
``test_error_shape.py``; the uniqueness race over real HTTP on PostgreSQL is
``test_races.py``."""

import socket
from contextlib import contextmanager
from unittest import mock

import pytest
from django.db import IntegrityError, connections
from django.db.utils import load_backend
from rest_framework.test import APIClient

from tests.api.test_error_shape import shaped
from tests.factories import PASSWORD


def closed_port() -> int:
    """A port nothing listens on: bound, then released."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def database_unreachable():
    """The service's connection pointed at a database that does not answer — a
    PostgreSQL port nothing listens on, or an SQLite file in a folder that does not
    exist — while the test's own connection (and its data) stays aside."""
    original = connections["default"]
    settings = dict(original.settings_dict)
    if original.vendor == "postgresql":
        settings.update(HOST="127.0.0.1", PORT=closed_port(), CONN_HEALTH_CHECKS=False)
    else:
        settings.update(NAME="/nonexistent-folder/communs/db.sqlite3")
    broken = load_backend(settings["ENGINE"]).DatabaseWrapper(settings, "default")
    connections._connections.default = broken
    try:
        yield
    finally:
        broken.close()
        connections._connections.default = original


@pytest.mark.django_db(transaction=True)
def test_a_database_that_does_not_answer_gives_503_json_with_retry_after(world):
    # given a token obtained while the database answered
    client = APIClient(raise_request_exception=False)
    token = client.post(
        "/api/v1/auth/token/",
        {"username": world.buyer_agent.username, "password": PASSWORD},
        format="json",
    ).json()["token"]
    signed_in = APIClient(raise_request_exception=False)
    signed_in.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    # when the database stops answering
    with database_unreachable():
        answers = {
            "anonymous list": client.get("/api/v1/challenges/"),
            "sign in": client.post(
                "/api/v1/auth/token/",
                {"username": world.buyer_agent.username, "password": PASSWORD},
                format="json",
            ),
            "token holder": signed_in.get("/api/v1/tasks/"),
            "write": signed_in.post("/api/v1/challenges/", {"title": "x"}, format="json"),
        }

    # then every request is told to come back later, in the API's shape and in French
    for who, response in answers.items():
        body = shaped(response, 503, "unavailable")
        assert body["message"].startswith("Le service est momentanément indisponible"), who
        assert int(response["Retry-After"]) > 0, who
    # and once the database is back, the same client is served again
    assert signed_in.get("/api/v1/tasks/").status_code == 200


@pytest.mark.django_db
def test_a_write_refused_by_a_database_constraint_answers_409_not_500(world, clock, api):
    # given a concurrent request that inserted the same row between the service's check
    # and its own insert (played here by the constraint's error itself)
    from tests.workflows import journey

    challenge = journey.published(world)
    resource = challenge.resources.first()
    refused = IntegrityError('duplicate key value violates unique constraint "x"')

    # when the partner's request reaches the database
    with mock.patch("procurement.services.positions.position_create", side_effect=refused):
        response = api(world.partner_users[0]).post(
            f"/api/v1/challenges/{challenge.pk}/positions/",
            {
                "resource": resource.pk,
                "organisation": world.partners[0].pk,
                "intent": "produce",
                "contributions": [{"kind": "skills", "days": "3", "profile": "Dév"}],
            },
            format="json",
        )

    # then it is told of the conflict, in French, and nothing internal leaks
    body = shaped(response, 409, "conflict")
    assert "au même moment" in body["message"]
    assert "duplicate" not in response.content.decode()

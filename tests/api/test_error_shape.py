"""Every answer under /api/ has the documented error shape ``{code, message, fields}``,
including errors that arise outside a DRF view (API.md, « Errors »)."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client
from rest_framework.test import APIClient

from api.parsers import MAX_DEPTH


def shaped(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:200]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) >= {"code", "message", "fields"}
    assert body["code"] == code
    return body


@pytest.mark.django_db
def test_a_deeply_nested_json_body_is_refused_with_a_400_not_a_500():
    # given 10 KB of nested arrays sent anonymously to the token endpoint
    body = "[" * 5000 + "]" * 5000

    # when posted, then it is refused as a malformed body, in the API's shape
    response = APIClient().post("/api/v1/auth/token/", body, content_type="application/json")
    shaped(response, 400, "parse_error")
    assert "trop imbriqué" in response.json()["message"]


@pytest.mark.django_db
def test_nesting_is_accepted_up_to_the_bound_and_refused_one_level_past_it():
    client = APIClient()

    def nested(levels: int) -> str:
        return '{"username": ' + "[" * (levels - 1) + "]" * (levels - 1) + "}"

    # at the bound the body is parsed (and refused for its content, not its shape)
    at_bound = client.post(
        "/api/v1/auth/token/", nested(MAX_DEPTH), content_type="application/json"
    )
    assert at_bound.json()["code"] == "invalid"
    # one level past it, refused as too deep
    past = client.post(
        "/api/v1/auth/token/", nested(MAX_DEPTH + 1), content_type="application/json"
    )
    shaped(past, 400, "parse_error")


@pytest.mark.django_db
def test_an_unknown_api_path_answers_404_in_the_api_shape():
    for path in ("/api/v1/nothing-here/", "/api/v2/challenges/", "/api/"):
        shaped(APIClient().get(path), 404, "not_found")


@pytest.mark.django_db
def test_a_body_over_the_limit_answers_413_in_the_api_shape(settings):
    # given a JSON body one byte over the limit
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = '{"username": "' + "x" * 1009 + '"}'
    assert len(body.encode()) == 1025

    # then 413, while a body at the limit is read
    response = APIClient().post("/api/v1/auth/token/", body, content_type="application/json")
    shaped(response, 413, "too_large")
    at_limit = body.replace("xx", "x", 1)
    response = APIClient().post("/api/v1/auth/token/", at_limit, content_type="application/json")
    assert response.status_code == 400  # read, refused for its content


@pytest.mark.django_db
def test_a_database_that_does_not_answer_gives_503_with_retry_after():
    # given the database failing under the challenges list
    client = APIClient(raise_request_exception=False)
    with mock.patch(
        "api.challenges.ChallengeList.list", side_effect=OperationalError("connection refused")
    ):
        response = client.get("/api/v1/challenges/")

    # then 503 in the API's shape, with when to retry
    shaped(response, 503, "unavailable")
    assert int(response["Retry-After"]) > 0


@pytest.mark.django_db
def test_an_unexpected_failure_answers_500_in_the_api_shape_and_the_portal_is_untouched():
    client = APIClient(raise_request_exception=False)
    with mock.patch("api.challenges.ChallengeList.list", side_effect=KeyError("title")):
        response = client.get("/api/v1/challenges/")
    shaped(response, 500, "server_error")
    assert "title" not in response.json()["message"]  # nothing internal leaks


@pytest.mark.django_db
def test_a_write_to_an_unknown_api_path_answers_404_json_not_the_csrf_check_html():
    # given a client that does not send the CSRF token (a script, a generated request)
    client = Client(enforce_csrf_checks=True)

    # then writing to a path the API does not have is a 404 in the API's shape
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)("/api/v1/tasks/-1/claim/")
        shaped(response, 404, "not_found")

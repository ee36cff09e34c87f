"""API tokens expire (``API_TOKEN_TTL_HOURS``, 8 h by default) and rotate: a valid token
is exchanged for a fresh one at ``POST /api/v1/auth/token/refresh/``, an expired one is
refused with 401 ``token_expired`` in the API's error shape (issue 18)."""

import time
from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from config import settings as production
from tests.api.steps import error, ok
from tests.factories import PASSWORD, UserFactory

TOKEN = "/api/v1/auth/token/"
REFRESH = "/api/v1/auth/token/refresh/"
ME = "/api/v1/subscriptions/"  # any read that needs a signed-in caller


@pytest.fixture(autouse=True)
def production_lifetime(settings):
    """The production lifetime of a token (the test settings lengthen it for the journeys)."""
    assert production.API_TOKEN_TTL_HOURS == 8
    settings.API_TOKEN_TTL_HOURS = production.API_TOKEN_TTL_HOURS


def sign_in(username: str) -> dict:
    return ok(APIClient().post(TOKEN, {"username": username, "password": PASSWORD}, format="json"))


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.mark.django_db
def test_a_token_works_until_its_expiry_to_the_second_then_answers_401(clock, settings):
    # given a token issued at 9:00 with a life of 8 hours
    user = UserFactory(username="agent.jeton")
    issued = sign_in(user.username)
    start = time.time()
    assert issued["expires"].startswith("2026-09-01T")

    # when used one second before 17:00, then it works
    clock.move_to(start + 8 * 3600 - 1)
    ok(bearer(issued["token"]).get(ME))

    # when used at 17:00, then it is refused: 401 in the error shape, in French
    clock.move_to(start + 8 * 3600)
    response = bearer(issued["token"]).get(ME)
    body = error(response, 401, "token_expired")
    assert "expiré" in body["message"]
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.django_db
def test_signing_in_again_after_expiry_hands_a_new_token(clock):
    user = UserFactory(username="agent.renouvele")
    first = sign_in(user.username)
    # while valid, signing in again gives the same token (several scripts may share it)
    assert sign_in(user.username)["token"] == first["token"]

    # once expired, signing in gives a new one, which works
    clock.move_to(time.time() + 9 * 3600)
    second = sign_in(user.username)
    assert second["token"] != first["token"]
    ok(bearer(second["token"]).get(ME))
    error(bearer(first["token"]).get(ME), 401)


@pytest.mark.django_db
def test_rotation_gives_a_fresh_token_and_retires_the_old_one_at_once(clock):
    # given a token six hours old
    user = UserFactory(username="agent.rotation")
    old = sign_in(user.username)
    clock.move_to(time.time() + 6 * 3600)

    # when its holder rotates it
    fresh = ok(bearer(old["token"]).post(REFRESH))

    # then the new token lives 8 hours from now, and the old one no longer works
    assert fresh["token"] != old["token"]
    assert fresh["expires"] > old["expires"]
    ok(bearer(fresh["token"]).get(ME))
    error(bearer(old["token"]).get(ME), 401, "authentication_failed")
    # and the new one still works past the old one's expiry
    clock.move_to(time.time() + 7 * 3600)
    ok(bearer(fresh["token"]).get(ME))


@pytest.mark.django_db
def test_an_expired_token_cannot_be_rotated(clock):
    user = UserFactory(username="agent.trop.tard")
    old = sign_in(user.username)
    clock.move_to(time.time() + timedelta(hours=8).total_seconds())

    error(bearer(old["token"]).post(REFRESH), 401, "token_expired")
    error(APIClient().post(REFRESH), 401)


@pytest.mark.django_db
def test_a_revoked_token_stops_working():
    user = UserFactory(username="agent.revoque")
    token = sign_in(user.username)["token"]

    response = bearer(token).delete(TOKEN)

    assert response.status_code == 204
    error(bearer(token).get(ME), 401)


@pytest.mark.django_db
def test_wrong_credentials_answer_400_in_french():
    UserFactory(username="agent.distrait")

    response = APIClient().post(
        TOKEN, {"username": "agent.distrait", "password": "pas le bon"}, format="json"
    )

    body = error(response, 400, "invalid")
    assert body["fields"] == {"non_field_errors": ["Identifiants incorrects."]}


@pytest.mark.django_db
def test_the_schema_documents_issue_rotation_and_the_429():
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    obtain = schema["paths"][TOKEN]["post"]
    assert set(obtain["responses"]) >= {"200", "400", "429"}
    assert "Retry-After" in obtain["responses"]["429"]["description"]
    refresh = schema["paths"][REFRESH]["post"]
    assert set(refresh["responses"]) >= {"200", "401"}
    assert "expires" in schema["components"]["schemas"]["TokenOutput"]["properties"]

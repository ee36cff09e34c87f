"""Failed sign-ins are limited per account and per address (django-axes, settings
``AXES_*``): past ``AXES_FAILURE_LIMIT`` failures the API's token endpoint, the portal's
login and ``/admin/login/`` answer 429 with ``Retry-After`` and a French message, and a
refused attempt does not run the password hasher (issue 18). Across processes:
``test_lockout_processes.py``."""

from unittest import mock

import pytest
from django.contrib.auth.backends import ModelBackend
from django.test import Client

from config import settings as production
from tests.factories import PASSWORD, UserFactory

TOKEN = "/api/v1/auth/token/"
PORTAL = "/connexion/"
ADMIN = "/admin/login/"


def attempt(where: str, username: str, password: str, address: str = "192.0.2.10"):
    client = Client(REMOTE_ADDR=address)
    if where == TOKEN:
        return client.post(
            TOKEN, {"username": username, "password": password}, content_type="application/json"
        )
    return client.post(where, {"username": username, "password": password})


def fail(where: str, username: str, times: int, address: str = "192.0.2.10") -> list[int]:
    return [attempt(where, username, "mauvais", address).status_code for _ in range(times)]


@pytest.fixture
def limit(settings):
    settings.AXES_FAILURE_LIMIT = 5
    return 5


@pytest.mark.django_db
def test_the_token_endpoint_answers_429_in_the_api_shape_once_an_account_is_locked(limit):
    # given an account, and four wrong passwords in a row
    UserFactory(username="agent.cible")
    assert fail(TOKEN, "agent.cible", limit - 1) == [400] * (limit - 1)

    # when the fifth fails, and when the right password comes next
    fifth = attempt(TOKEN, "agent.cible", "mauvais")
    right = attempt(TOKEN, "agent.cible", PASSWORD)

    # then both are refused with 429, the error shape, a French message and Retry-After
    for response in (fifth, right):
        assert response.status_code == 429
        body = response.json()
        assert body["code"] == "too_many_attempts"
        assert set(body) == {"code", "message", "fields"}
        assert "Trop de tentatives" in body["message"]
        assert "15 minutes" in body["message"]
        assert response["Retry-After"] == "900"


@pytest.mark.django_db
@pytest.mark.parametrize("where", [PORTAL, ADMIN])
def test_the_portal_and_admin_logins_answer_a_french_429_page(limit, where):
    # given a staff account that failed five times
    UserFactory(username="agent.portail", is_staff=True)
    fail(where, "agent.portail", limit)

    # when the right password comes next

    response = attempt(where, "agent.portail", PASSWORD)

    # then it is refused with a French page, status 429 and Retry-After
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    page = response.content.decode()
    assert "Connexion momentanément bloquée" in page
    assert "réessayez dans 15 minutes" in page


@pytest.mark.django_db
def test_an_account_is_locked_whatever_the_address_the_guesses_come_from(limit):
    # given an account guessed from five different addresses
    UserFactory(username="agent.visee")
    for n in range(limit):
        attempt(TOKEN, "agent.visee", "mauvais", address=f"198.51.100.{n}")

    # then its owner, from a sixth address, is refused too
    assert attempt(TOKEN, "agent.visee", PASSWORD, address="203.0.113.7").status_code == 429
    # while another account signs in
    UserFactory(username="agent.voisine")
    assert attempt(TOKEN, "agent.voisine", PASSWORD, address="203.0.113.7").status_code == 200


@pytest.mark.django_db
def test_an_address_is_locked_whatever_the_accounts_it_tries(limit):
    # given one address trying five different accounts once each
    for n in range(limit):
        attempt(PORTAL, f"inconnu.{n}", "mauvais", address="198.51.100.99")

    # then a real account is refused from that address, and allowed from another
    UserFactory(username="agent.bureau")
    assert attempt(TOKEN, "agent.bureau", PASSWORD, address="198.51.100.99").status_code == 429
    assert attempt(TOKEN, "agent.bureau", PASSWORD, address="198.51.100.1").status_code == 200


@pytest.mark.django_db
def test_one_failure_short_of_the_limit_a_right_password_still_signs_in_and_clears_the_count(
    limit,
):
    UserFactory(username="agent.etourdie")
    fail(TOKEN, "agent.etourdie", limit - 1)

    assert attempt(TOKEN, "agent.etourdie", PASSWORD).status_code == 200
    # the count starts again: four more failures do not lock
    assert fail(TOKEN, "agent.etourdie", limit - 1) == [400] * (limit - 1)
    assert attempt(TOKEN, "agent.etourdie", PASSWORD).status_code == 200


@pytest.mark.django_db
def test_the_lock_lifts_after_the_cool_off(limit, clock):
    UserFactory(username="agent.patiente")
    fail(TOKEN, "agent.patiente", limit)
    start = __import__("time").time()

    clock.move_to(start + 15 * 60 - 1)
    assert attempt(TOKEN, "agent.patiente", PASSWORD).status_code == 429
    # the refused attempt counted: the 15 minutes run from it
    clock.move_to(start + 2 * 15 * 60)
    assert attempt(TOKEN, "agent.patiente", PASSWORD).status_code == 200


@pytest.mark.django_db
def test_a_refused_attempt_does_not_run_the_password_hasher(limit):
    # given a locked account
    UserFactory(username="agent.bloque")
    fail(TOKEN, "agent.bloque", limit)

    # when more guesses come, on the API and the portal
    with mock.patch.object(
        ModelBackend, "authenticate", autospec=True, side_effect=ModelBackend.authenticate
    ) as hashing_backend:
        statuses = [attempt(where, "agent.bloque", "x").status_code for where in (TOKEN, PORTAL)]

    # then they are refused before the backend that hashes passwords is asked
    assert statuses == [429, 429]
    assert hashing_backend.call_count == 0
    # (while an unlocked account's attempt does ask it)
    UserFactory(username="agent.libre")
    with mock.patch.object(
        ModelBackend, "authenticate", autospec=True, side_effect=ModelBackend.authenticate
    ) as hashing_backend:
        attempt(TOKEN, "agent.libre", PASSWORD, address="203.0.113.50")
    assert hashing_backend.call_count == 1


def test_production_hashes_new_passwords_with_argon2_and_has_no_md5(settings):
    from django.contrib.auth.hashers import check_password, make_password

    from config import settings as production

    # given the production list of hashers
    assert production.PASSWORD_HASHERS[0] == "config.hashers.Argon2idHasher"
    assert not [h for h in production.PASSWORD_HASHERS if "MD5" in h or "Unsalted" in h]
    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS

    # then a new password is hashed with Argon2id, and checks
    encoded = make_password("communs-argon")
    # at OWASP's parameters: 19 MiB, 2 passes, 1 lane
    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert check_password("communs-argon", encoded)


@pytest.mark.django_db
def test_a_pbkdf2_hash_is_upgraded_to_argon2_at_the_next_sign_in(settings):
    from django.contrib.auth.hashers import make_password

    from config import settings as production

    # given an account whose password was hashed with PBKDF2 before
    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS
    user = UserFactory(username="agent.ancienne")
    user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user.save()

    # when its owner signs in
    assert attempt(TOKEN, "agent.ancienne", PASSWORD).status_code == 200

    # then the stored hash is now Argon2id
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


@pytest.mark.django_db
def test_a_portal_session_lasts_a_working_day_at_most(client, settings):
    # given the production lifetime of a session (the test settings lengthen it)
    assert production.SESSION_COOKIE_AGE == 10 * 3600
    settings.SESSION_COOKIE_AGE = production.SESSION_COOKIE_AGE
    # and a person who signs in on the portal
    UserFactory(username="agent.journee")

    response = client.post(PORTAL, {"username": "agent.journee", "password": PASSWORD})

    # then the session cookie lasts 10 hours
    assert response.status_code == 302
    assert response.cookies["sessionid"]["max-age"] == 10 * 3600

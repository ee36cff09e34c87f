"""Fixtures of the API tests: clients signed in as the world's people with a token
obtained from ``POST /api/v1/auth/token/``, as a real client would."""

import pytest
from rest_framework.test import APIClient

from procurement.models import Role
from tests.conftest import member
from tests.factories import PASSWORD


def token_client(user) -> APIClient:
    """A client that signs in with the token the API hands out for ``user``."""
    client = APIClient()
    response = client.post(
        "/api/v1/auth/token/",
        {"username": user.username, "password": PASSWORD},
        format="json",
    )
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


@pytest.fixture
def api():
    """``api(user)``: a token-authenticated client for ``user``; ``api()``: anonymous.

    One client per user for the whole test (a token is obtained once)."""
    clients: dict[int, APIClient] = {}

    def client_for(user=None) -> APIClient:
        if user is None:
            return APIClient()
        if user.pk not in clients:
            clients[user.pk] = token_client(user)
        return clients[user.pk]

    return client_for


@pytest.fixture
def colleague(world):
    """A second agent on the buyer's staff: sees the buyer's tasks, may claim them."""
    return member(world.buyer, "agent2.mel", Role.MEMBER)


@pytest.fixture
def porteur(world):
    """A member of the Chambre's "porteurs" group: sees the Chambre's tasks, but only the
    modérateur issues opinions."""
    return member(world.chambre, "porteur.chambre", Role.PORTEURS)

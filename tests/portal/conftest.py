import pytest

from tests.oidc import proconnect  # noqa: F401 (the ProConnect tests' provider)


@pytest.fixture
def login(client):
    """Sign a test user in on the test client (the sign-in form has its own tests)."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in

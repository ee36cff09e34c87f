"""A real OpenID Connect provider for the ProConnect tests: oidc-provider-mock (authlib
under Flask) served by werkzeug in a thread, behind a gate that makes it as strict as
ProConnect on what the mock leaves out — every authorization request carries a state, a
nonce and a PKCE challenge (S256), and the token endpoint refuses a code whose verifier
does not hash to that challenge. The gate records what it saw for the tests to read."""

import base64
import copy
import hashlib
import io
import json
import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlparse

import pytest
from oidc_provider_mock import User, app
from werkzeug.serving import make_server

# The ports given to this suite's own servers (the live server takes its own).
PORT = int(os.environ.get("OIDC_MOCK_PORT", "8141"))

# A public agent of the Métropole Européenne de Lille (the world's buyer, by its SIRET),
# and one of an administration that has no account here.
AGENT = User(
    sub="claire.dubois@lille.fr",
    claims={
        "email": "claire.dubois@lille.fr",
        "given_name": "Claire",
        "usual_name": "Dubois",
        "siret": "20009320100016",
        "uid": "4242",
    },
)
OUTSIDER = User(
    sub="jean.martin@interieur.gouv.fr",
    claims={
        "email": "jean.martin@interieur.gouv.fr",
        "given_name": "Jean",
        "usual_name": "Martin",
        "siret": "11000001900017",
    },
)


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass
class Provider:
    base: str
    authorizations: list[dict] = field(default_factory=list)
    tokens: list[dict] = field(default_factory=list)
    end_sessions: list[dict] = field(default_factory=list)
    challenges: dict[str, str] = field(default_factory=dict)

    def __call__(self, inner):
        def gate(environ, start_response):
            path = environ["PATH_INFO"]
            query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
            if path == "/oauth2/authorize":
                self.authorizations.append(query)
                missing = [k for k in ("state", "nonce", "code_challenge") if not query.get(k)]
                if missing or query.get("code_challenge_method") != "S256":
                    return _refuse(start_response, f"missing or weak: {missing}")

                def remember_code(status, headers, exc_info=None):
                    for name, value in headers:
                        if name.lower() == "location":
                            code = parse_qs(urlparse(value).query).get("code", [""])[0]
                            self.challenges[code] = query["code_challenge"]
                    return start_response(status, headers, exc_info)

                return inner(environ, remember_code)
            if path == "/oauth2/token":
                body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
                environ["wsgi.input"] = io.BytesIO(body)
                form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
                self.tokens.append(form)
                expected = self.challenges.pop(form.get("code", ""), None)
                if expected is None or s256(form.get("code_verifier", "")) != expected:
                    return _refuse(start_response, "PKCE verifier does not match")
            if path == "/oauth2/end_session":
                self.end_sessions.append(query)
            return inner(environ, start_response)

        return gate

    def endpoint(self, path: str) -> str:
        return self.base + path


def _refuse(start_response, why: str):
    start_response("400 Bad Request", [("Content-Type", "application/json")])
    return [json.dumps({"error": "invalid_request", "error_description": why}).encode()]


@contextmanager
def oidc_provider(port: int = PORT, users=(AGENT, OUTSIDER)):
    provider = Provider(base=f"http://127.0.0.1:{port}")
    server = make_server(
        "127.0.0.1",
        port,
        provider(app(require_nonce=True, user_claims=list(users))),
        threaded=True,
    )
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def proconnect(settings):
    """ProConnect switched on against the local provider; yields the ``Provider``."""
    with oidc_provider() as provider:
        settings.PROCONNECT_ENABLED = True
        settings.OIDC_RP_CLIENT_ID = "appels-a-communs"
        settings.OIDC_RP_CLIENT_SECRET = "secret-de-test"
        settings.OIDC_OP_AUTHORIZATION_ENDPOINT = provider.endpoint("/oauth2/authorize")
        settings.OIDC_OP_TOKEN_ENDPOINT = provider.endpoint("/oauth2/token")
        settings.OIDC_OP_USER_ENDPOINT = provider.endpoint("/userinfo")
        settings.OIDC_OP_JWKS_ENDPOINT = provider.endpoint("/jwks")
        settings.OIDC_OP_LOGOUT_ENDPOINT = provider.endpoint("/oauth2/end_session")
        # The mock signs with one key that has no "kid" (ProConnect's keys have one, and
        # the default checks it); the signature itself is still verified.
        settings.OIDC_VERIFY_KID = False
        # The mock gives the names with the standard "profile" scope, ProConnect with its
        # own "given_name" and "usual_name" scopes (the default setting).
        settings.OIDC_RP_SCOPES = "openid email profile siret"
        # As config/settings.py does when ProConnect is set: the logout form may lead there.
        policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
        policy["DIRECTIVES"]["form-action"].append(provider.base)
        settings.CONTENT_SECURITY_POLICY = policy
        yield provider

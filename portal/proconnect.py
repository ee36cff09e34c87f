"""ProConnect, the State's sign-in for public agents (OpenID Connect), through
mozilla-django-oidc: the authorization code flow with PKCE (S256), state and nonce, the
ID token checked against the provider's keys, the claims read from its userinfo
endpoint. Which account and which buyer the claims stand for is
``procurement.services.accounts.agent_sign_in``'s to say; an agent whose SIRET no buyer
has is shown a refusal page. Off unless ``PROCONNECT_ENABLED`` (config/settings.py)."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.crypto import get_random_string
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from kernel.errors import ApplicationError
from procurement.services.accounts import agent_sign_in

ID_TOKEN_SESSION_KEY = "oidc_id_token"  # noqa: S105 (a session key, set by mozilla-django-oidc)


class ProConnectBackend(OIDCAuthenticationBackend):
    """The OIDC backend, inert when ProConnect is off (so that the password sign-in,
    which asks every backend, never needs its settings)."""

    def __init__(self, *args, **kwargs):
        if settings.PROCONNECT_ENABLED:
            super().__init__(*args, **kwargs)
        else:
            self.UserModel = get_user_model()

    def authenticate(self, request, **kwargs):
        if not settings.PROCONNECT_ENABLED:
            return None
        return super().authenticate(request, **kwargs)

    def verify_claims(self, claims):
        return bool(claims.get("email"))

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        if not self.verify_claims(claims):
            return None
        # An ApplicationError (no buyer with that SIRET…) goes up to the callback view.
        return agent_sign_in(claims=claims)


class ProConnectStart(OIDCAuthenticationRequestView):
    """« Se connecter avec ProConnect »: off → 404; on → the redirect to the provider,
    with a fresh state, nonce and PKCE challenge kept in the session."""

    def get(self, request):
        if not settings.PROCONNECT_ENABLED:
            raise Http404
        return super().get(request)


class ProConnectCallback(OIDCAuthenticationCallbackView):
    """Back from the provider: the code is exchanged (with the PKCE verifier), the ID
    token checked (signature, nonce), then the agent signed in; a refusal of
    ``agent_sign_in`` is a page that says why (403)."""

    @property
    def failure_url(self):
        return reverse("portal:proconnect_failed")

    def get(self, request):
        if not settings.PROCONNECT_ENABLED:
            raise Http404
        try:
            return super().get(request)
        except ApplicationError as exc:
            return render(
                request,
                "portal/proconnect_refused.html",
                {"message": exc.message, "code": exc.code},
                status=exc.status_code,
            )


def proconnect_failed(request):
    """Where a sign-in that failed on the way (denied, state lost, token refused) ends."""
    return render(request, "portal/proconnect_refused.html", {"message": None}, status=400)


def provider_logout_url(request, id_token: str) -> str:
    """The provider's end_session endpoint (OpenID Connect RP-initiated logout): the
    agent's session ends there too, then the provider sends them back to our home."""
    query = urlencode(
        {
            "id_token_hint": id_token,
            "state": get_random_string(32),
            "post_logout_redirect_uri": request.build_absolute_uri(reverse("portal:home")),
        }
    )
    return f"{settings.OIDC_OP_LOGOUT_ENDPOINT}?{query}"

"""``Authorization: Token <key>`` with an expiry (``API_TOKEN_TTL_HOURS`` after the token
was issued or rotated). Apart from the token views (``api.auth``): DRF imports the
authentication classes while it loads its own views."""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token


def token_ttl() -> timedelta:
    return timedelta(hours=settings.API_TOKEN_TTL_HOURS)


def token_expires(token: Token) -> datetime:
    return token.created + token_ttl()


class ExpiringTokenAuthentication(TokenAuthentication):
    """A token refused with a 401 (``token_expired``) once its time is up."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_expires(token) <= timezone.now():
            raise exceptions.AuthenticationFailed(
                _("Ce jeton a expiré : demandez-en un nouveau (POST /api/v1/auth/token/)."),
                code="token_expired",
            )
        return user, token

"""What django-axes answers once an account or an address has failed to sign in too often
(settings ``AXES_*``): a 429 with ``Retry-After``, in the API's error shape under
``/api/`` (the token endpoint), a French page elsewhere (the portal's login and
``/admin/login/``). Here in ``config`` because it speaks for both the API and the portal.

The refused attempt itself counts as a failure, so the lock lasts the cool-off from the
last attempt: ``Retry-After`` is that cool-off, in seconds.
"""

import math

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from api.errors import error_body


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' backend, first in AUTHENTICATION_BACKENDS: it refuses a locked-out
    attempt before any password is hashed. A sign-in without a request (a management
    command, the shell, the test client's ``login``) comes from the server itself, with
    no client address to count: it passes on to the next backends rather than fail."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_address(request: HttpRequest) -> str | None:
    """The client's address as the last trusted proxy saw it: with
    ``TRUSTED_PROXY_COUNT`` proxies in front, the entry they appended to X-Forwarded-For
    (counted from the right: entries to its left are whatever the client sent);
    without proxies, or if the header is short, the connection's address."""
    count = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR")


def lockout_response(request: HttpRequest, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the answer to a sign-in refused for too many failures."""
    cool_off = get_cool_off(request)
    seconds = max(1, math.ceil(cool_off.total_seconds())) if cool_off else 3600
    minutes = math.ceil(seconds / 60)
    message = ngettext(
        "Trop de tentatives de connexion échouées pour ce compte ou depuis cette adresse : "
        "réessayez dans %(minutes)d minute.",
        "Trop de tentatives de connexion échouées pour ce compte ou depuis cette adresse : "
        "réessayez dans %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(error_body("too_many_attempts", message), status=429)
    else:
        response = render(
            request,
            "portal/error.html",
            {"status": 429, "title": _("Connexion momentanément bloquée"), "message": message},
            status=429,
        )
    response["Retry-After"] = str(seconds)
    return response

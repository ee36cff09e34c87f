"""What the portal's views share: the sign-in requirement and a service call whose
refusal is put back on the form."""

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.urls import reverse_lazy

from portal.errors import REFUSALS, apply_refusal

portal_login_required = login_required(login_url=reverse_lazy("portal:login"))


def call_service(form, service: Callable[..., Any], /, **kwargs) -> tuple[Any, int]:
    """Run ``service(**kwargs)``; on a refusal, show it on ``form`` and return its HTTP
    status (the page is rendered again with everything that was typed)."""
    try:
        return service(**kwargs), 200
    except REFUSALS as exc:
        return None, apply_refusal(form, exc)

"""What the portal's views share: the sign-in requirement, a service call whose
refusal is put back on the form, and the loop of a page's form around that call."""

from collections.abc import Callable, Mapping
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse_lazy

from kernel.conflicts import integrity_conflict
from portal.errors import REFUSALS, apply_refusal

portal_login_required = login_required(login_url=reverse_lazy("portal:login"))


def call_service(form, service: Callable[..., Any], /, **kwargs) -> tuple[Any, int]:
    """Run ``service(**kwargs)``; on a refusal, show it on ``form`` and return its HTTP
    status (the page is rendered again with everything that was typed)."""
    try:
        return service(**kwargs), 200
    except REFUSALS as exc:
        return None, apply_refusal(form, exc)
    except IntegrityError as exc:  # a concurrent request won the race (kernel.conflicts)
        return None, apply_refusal(form, integrity_conflict(exc))


def submit(
    request,
    form,
    service: Callable[..., Any],
    /,
    *,
    success_message: str | Callable[[Any], str],
    success_url: str,
    data: Callable[[Any], Mapping[str, Any]] | None = None,
    **kwargs,
) -> tuple[HttpResponse | None, int]:
    """A page's form, submitted: a bound ``form`` is validated first (400 when it is
    wrong; an unbound one only carries the service's refusal), then
    ``service(**kwargs, **data(form))`` runs through ``call_service`` (``data`` reads
    the valid form: ``cleaned_data``, or a form's own ``service_kwargs``).

    Done: ``success_message`` (or what it makes of the service's result) is flashed and
    the answer is the redirect to ``success_url``, with 200. Refused: no answer, and
    the status the page is rendered again with (400, 403, 404 or 409)."""
    if form.is_bound and not form.is_valid():
        return None, 400
    result, status = call_service(form, service, **kwargs, **(data(form) if data else {}))
    if status != 200:
        return None, status
    if callable(success_message):
        success_message = success_message(result)
    messages.success(request, success_message)
    return redirect(success_url), status


def cleaned_data(form) -> Mapping[str, Any]:
    """``submit``'s ``data`` when the service takes the form's fields as they are."""
    return form.cleaned_data

"""Refusals of the services, put back onto the form that was submitted.

The services (and the task handlers' DRF serializers) answer a wrong input with
``kernel.errors.ApplicationError`` (``.message``, ``.extra["fields"]``), Django's
``ValidationError`` (``full_clean``) or DRF's ``ValidationError`` (``.detail``). Each is
flattened into ``(path, message)`` pairs; the form says which of its fields a path
names (``PortalForm.field_for_error``), and what no field claims is shown at the top.
"""

from collections.abc import Iterator
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError as DRFValidationError

from kernel.errors import ApplicationError, Forbidden, NotFound, WrongState

REFUSALS = (ApplicationError, DjangoValidationError, DRFValidationError)


def flatten(detail, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str]]:
    """``{"a": {"0": ["x"]}}`` → ``(("a", "0"), "x")``, whatever the nesting."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            yield from flatten(value, (*path, str(key)))
    elif isinstance(detail, (list, tuple)):
        if all(not isinstance(item, (dict, list, tuple)) for item in detail):
            for item in detail:
                yield path, str(item)
        else:
            for index, item in enumerate(detail):
                yield from flatten(item, (*path, str(index)))
    else:
        yield path, str(detail)


def _pairs(exc) -> tuple[list[tuple[tuple[str, ...], str]], str | None, int]:
    if isinstance(exc, ApplicationError):
        return list(flatten(exc.extra.get("fields") or {})), str(exc.message), exc.status_code
    if isinstance(exc, DRFValidationError):
        return list(flatten(exc.detail)), None, 400
    if hasattr(exc, "error_dict"):
        return list(flatten(exc.message_dict)), None, 400
    return [((), message) for message in exc.messages], None, 400


def apply_refusal(form, exc) -> int:
    """Show ``exc`` on ``form`` (each message next to its field) and return the HTTP
    status the page is answered with: 400 for a wrong input, 403/404/409 as the
    service said."""
    pairs, message, status = _pairs(exc)
    form.note_refusal(exc)
    for path, text in pairs:
        name = form.field_for_error(path) if path else None
        if name is not None and name in form.fields:
            form.add_error(name, text)
        else:
            form.add_error(None, text)
    if message and message not in form.non_field_errors():
        form.add_error(None, message)
    return status


def error_page(request, status: int, message: str = ""):
    titles = {
        403: _("Accès refusé"),
        404: _("Page introuvable"),
        409: _("Plus possible à cette étape"),
    }
    return render(
        request,
        "portal/error.html",
        {"status": status, "title": titles.get(status, _("Erreur")), "message": message},
        status=status,
    )


def portal_errors(view):
    """A view's ``NotFound`` (the caller may not see it) answers 404, ``Forbidden`` (it
    sees it but may not act) 403 and ``WrongState`` (not at this stage, or too late)
    409, on a portal page rather than a bare error."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            return error_page(request, 404)
        except Forbidden as exc:
            return error_page(request, 403, str(exc.message))
        except WrongState as exc:
            return error_page(request, 409, str(exc.message))
        except PermissionDenied as exc:
            return error_page(request, 403, str(exc) if exc.args else "")

    return wrapper


def refusal_pairs(exc) -> tuple[list[tuple[tuple[str, ...], str]], str | None, int]:
    """``exc`` as ``(path, message)`` pairs, its general message and its HTTP status, for
    a page whose inputs are several forms (``apply_refusal`` serves a single form)."""
    return _pairs(exc)

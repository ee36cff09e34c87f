"""One exception handler: every error body is ``{"code", "message", "fields"}``
(``ErrorSerializer``, which the OpenAPI schema shows for every error response)."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from kernel.conflicts import integrity_conflict
from kernel.errors import ApplicationError
from kernel.serializers import Serializer

# A field's errors: a list of messages; for a nested object or a list of them, the same
# again per inner field or per index (``{"contributions": {"1": {"amount": [...]}}}``).
FIELD_ERRORS_SCHEMA = {
    "type": "object",
    "additionalProperties": {
        "anyOf": [
            {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "object"}]}},
            {"type": "object"},
        ]
    },
}


@extend_schema_field(FIELD_ERRORS_SCHEMA)
class FieldErrorsField(serializers.DictField):
    pass


class ErrorSerializer(Serializer):
    code = serializers.CharField(help_text="Code stable, lisible par une machine.")
    message = serializers.CharField(
        help_text="Message en français ou en anglais (Accept-Language)."
    )
    fields = FieldErrorsField(
        help_text=(
            "Erreurs par champ : une liste de messages, ou pour un objet imbriqué (une "
            "liste d'objets) les erreurs de chacun de ses champs (de chaque indice)."
        )
    )
    detail = serializers.DictField(
        child=serializers.CharField(),
        required=False,
        help_text="Précisions propres au refus (l'état, l'échéance, le montant disponible…).",
    )


def _flatten(detail):
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return [str(item) for item in detail]
        return [_flatten(item) for item in detail]
    return [str(detail)]


def error_body(code: str, message, fields=None) -> dict:
    """The documented shape of every error under ``/api/``."""
    return {"code": code, "message": str(message), "fields": fields or {}}


def exception_handler(exc, context):
    if isinstance(exc, IntegrityError):
        # A concurrent request won a race to the same row (kernel.conflicts): 409.
        exc = integrity_conflict(exc)
    if isinstance(exc, ApplicationError):
        extra = dict(exc.extra)
        fields = extra.pop("fields", {})
        body = error_body(exc.code, exc.message, fields)
        if extra:
            body["detail"] = {k: str(v) for k, v in extra.items()}
        return Response(body, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        fields = (
            _flatten(exc.message_dict)
            if hasattr(exc, "error_dict")
            else {"non_field_errors": exc.messages}
        )
        return Response(
            error_body("invalid", _("Certaines données ne sont pas valables."), fields),
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = error_body(
            "invalid", _("Certaines données ne sont pas valables."), _flatten(detail)
        )
    else:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        code = codes if isinstance(codes, str) else "error"
        detail = getattr(exc, "detail", str(exc))
        response.data = error_body(code, detail)
    return response

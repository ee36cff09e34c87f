"""Every answer under ``/api/`` has the documented error shape (``api.errors``), even when
the error arises outside a DRF view: a body over the limit (413), a database that does
not answer (503 with ``Retry-After``), an unexpected failure (500, logged); unknown
paths answer 404 by ``not_found``, the last route of ``config.urls``."""

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from procurement.uploads import MAX_UPLOAD_BYTES

from .errors import error_body

logger = logging.getLogger(__name__)

# A multipart upload carries one file of MAX_UPLOAD_BYTES at most, with its envelope.
MULTIPART_LIMIT = MAX_UPLOAD_BYTES + 1024 * 1024
RETRY_AFTER_SECONDS = 30
# A body over the limit is read and dropped up to this size before the 413 is sent: a
# client that sends its whole body before reading the answer (most do, without
# ``Expect: 100-continue``) would otherwise find the connection reset under it. Past
# this, the connection is closed on it.
DRAIN_LIMIT = 64 * 1024 * 1024
DRAIN_CHUNK = 64 * 1024


def _too_large(limit: int) -> JsonResponse:
    return JsonResponse(
        error_body(
            "too_large",
            _("La requête dépasse la taille admise (%(size)s Mo).")
            % {"size": round(limit / 2**20, 1)},
        ),
        status=413,
    )


@csrf_exempt  # a POST to an unknown path is a 404, not the CSRF check's HTML 403
def not_found(request, *args, **kwargs) -> JsonResponse:
    """An unknown path under ``/api/``, whatever its method."""
    return JsonResponse(
        error_body("not_found", _("Cette adresse n'existe pas dans l'API.")), status=404
    )


def _drain(request, size: int) -> None:
    """Read and drop ``size`` bytes of the request's body (never kept in memory)."""
    left = size
    while left > 0:
        chunk = request.read(min(DRAIN_CHUNK, left))
        if not chunk:
            return
        left -= len(chunk)


class ApiErrorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        multipart = request.content_type == "multipart/form-data"
        limit = MULTIPART_LIMIT if multipart else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            _drain(request, min(length, DRAIN_LIMIT))
            return _too_large(limit)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not request.path.startswith("/api/"):
            return None
        if isinstance(exception, RequestDataTooBig):
            return _too_large(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        if isinstance(exception, OperationalError | InterfaceError):
            logger.error("database unavailable on %s", request.path, exc_info=exception)
            response = JsonResponse(
                error_body(
                    "unavailable",
                    _("Le service est momentanément indisponible ; réessayez dans un instant."),
                ),
                status=503,
            )
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return response
        logger.exception("server error on %s", request.path, exc_info=exception)
        return JsonResponse(
            error_body("server_error", _("Une erreur inattendue est survenue.")), status=500
        )

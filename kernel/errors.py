"""The one domain error type raised by services for broken business rules.

The API's exception handler maps it to the stable JSON shape of API.md, with its
HTTP status: 400 for a broken rule on the input, 403 for what the caller sees but
may not do, 404 for what the caller may not see, 409 for the wrong state.
"""

from typing import Any


class ApplicationError(Exception):
    status_code = 400
    default_code = "invalid"

    def __init__(self, message: Any, code: str | None = None, extra: dict | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.extra = extra or {}


class Forbidden(ApplicationError):
    status_code = 403
    default_code = "forbidden"


class NotFound(ApplicationError):
    status_code = 404
    default_code = "not_found"


class WrongState(ApplicationError):
    status_code = 409
    default_code = "wrong_state"


class TooLarge(ApplicationError):
    status_code = 413
    default_code = "too_large"

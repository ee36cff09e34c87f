"""Helpers shared by the services: permission checks and validated saves."""

from django.utils import timezone

from procurement.errors import ApplicationError, Forbidden, WrongState
from procurement.queries import STAFF_ROLES, is_member


def require_member(actor, organisation, roles=STAFF_ROLES, *, message: str) -> None:
    """Raise 403 unless ``actor`` belongs to ``organisation`` with one of ``roles``."""
    if not is_member(actor, organisation, roles):
        raise Forbidden(message, code="not_allowed")


def require_status(challenge, *statuses, message: str) -> None:
    if challenge.status not in statuses:
        raise WrongState(message, code="wrong_stage", extra={"status": challenge.status})


def require_before(deadline, *, message: str, code: str = "deadline_passed") -> None:
    """A deadline holds to the second: at the deadline itself it is already too late."""
    if deadline is None or timezone.now() >= deadline:
        raise WrongState(message, code=code, extra={"deadline": deadline})


def validated_save(instance, **kwargs) -> None:
    instance.full_clean(**kwargs)
    instance.save()


def field_error(field: str, message: str, code: str = "invalid") -> ApplicationError:
    """A 400 that names one field and says what is wrong with it."""
    return ApplicationError(message, code=code, extra={"fields": {field: [message]}})

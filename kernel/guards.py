"""Guards every service uses: a stage, a deadline, a validated save, a field error."""

from django.utils import timezone

from kernel.errors import ApplicationError, WrongState


def require_status(challenge, *statuses, message: str) -> None:
    if challenge.status not in statuses:
        raise WrongState(message, code="wrong_stage", extra={"status": challenge.status})


def require_before(deadline, *, message: str, code: str = "deadline_passed", at=None) -> None:
    """A deadline holds to the second: at the deadline itself it is already too late.

    ``at``: the moment that counts, when it is not now (an offer's receipt, stamped
    when its request arrived: ``kernel.receipt``)."""
    if deadline is None or (at or timezone.now()) >= deadline:
        extra = {"deadline": deadline} if at is None else {"deadline": deadline, "received_at": at}
        raise WrongState(message, code=code, extra=extra)


def validated_save(instance, **kwargs) -> None:
    instance.full_clean(**kwargs)
    instance.save()


def field_error(field: str, message: str, code: str = "invalid") -> ApplicationError:
    """A 400 that names one field and says what is wrong with it."""
    return ApplicationError(message, code=code, extra={"fields": {field: [message]}})

"""Reminders 7 days and 1 day before each deadline."""

from django.db import transaction
from django.utils import timezone

from procurement.calculations import reminder_due
from procurement.models import Notification
from procurement.queries import deadlines_to_remind
from procurement.services.notifications.sending import _iso, _notify


@transaction.atomic
def reminders_send_due(now=None) -> int:
    """Called by the periodic sweep: the reminders 7 days and 1 day before each
    deadline (positions, proposals, cofunding) to those concerned, each once. A deadline
    that is extended gets its own reminders. Returns the number of new notifications."""
    now = now or timezone.now()
    created = 0
    for stage, challenge, deadline, recipients in deadlines_to_remind(now):
        label = reminder_due(deadline, now)
        key = f"reminder:{stage}:{label}:{challenge.pk}:{int(deadline.timestamp())}"
        if Notification.objects.filter(key=key).exists():
            continue
        created += _notify(
            kind=f"reminder_{stage}",
            key=key,
            challenge=challenge,
            recipients=recipients(challenge),
            data={"deadline": _iso(deadline), "before": label},
        )
    return created

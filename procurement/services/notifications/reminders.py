"""Reminders 7 days and 1 day before each deadline.

One loop for every deadline (``reminders_send``): its sources say what is ahead and to
whom (``procurement.queries.deadlines_to_remind`` for the call's own deadlines;
``scoring`` gives the collective vote's, which the sweep sends through the same loop).
"""

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from procurement.calculations import reminder_due
from procurement.models import Notification
from procurement.queries import Reminder, deadlines_to_remind
from procurement.services.notifications.sending import _iso, _notify


def reminder_key(reminder: Reminder, label: str) -> str:
    """One reminder of one deadline: the moment is in the key, so a deadline that moves
    gets its own reminders; ``item`` tells apart the deadlines of one call's objects."""
    scope = f"{reminder.challenge.pk}"
    if reminder.item is not None:
        scope += f":{reminder.item}"
    return f"reminder:{reminder.stage}:{label}:{scope}:{int(reminder.deadline.timestamp())}"


@transaction.atomic
def reminders_send(reminders: Iterable[Reminder], now: datetime) -> int:
    """The reminders due at ``now`` (``calculations.reminder_due``: 7 days, then 1 day
    before) of these deadlines, each once to those concerned, in the mail
    ``reminder_<stage>`` with the deadline and, when given, the link to the page where
    they act. Returns the number of new notifications."""
    due = []
    for reminder in reminders:
        label = reminder_due(reminder.deadline, now, reminder.announced_at)
        if label is not None:
            due.append((reminder, label, reminder_key(reminder, label)))
    # One query for those already sent, whatever the number of deadlines ahead.
    sent = set(
        Notification.objects.filter(key__in=[key for _r, _l, key in due]).values_list(
            "key", flat=True
        )
    )
    created = 0
    for reminder, label, key in due:
        if key in sent:
            continue
        data = {**reminder.data, "deadline": _iso(reminder.deadline), "before": label}
        if reminder.page:
            data["path"] = reverse(reminder.page, args=[reminder.challenge.pk])
        created += _notify(
            kind=f"reminder_{reminder.stage}",
            key=key,
            challenge=reminder.challenge,
            recipients=reminder.recipients(),
            data=data,
        )
    return created


def reminders_send_due(now: datetime | None = None) -> int:
    """Called by the periodic sweep: the reminders 7 days and 1 day before each
    deadline of the calls (positions, proposals, cofunding, exploration, deliverables)
    to those concerned, each once. A deadline that is extended gets its own reminders.
    Returns the number of new notifications."""
    now = now or timezone.now()
    return reminders_send(deadlines_to_remind(now), now)

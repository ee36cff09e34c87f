"""Reminders 7 days and 1 day before each deadline."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from procurement.models import Allocation, Challenge, ChallengeStatus, CofundingRound, Notification
from procurement.queries import group_member_recipients, positioned_recipients, staff_recipients
from procurement.services.notifications.sending import _iso, _notify

# Reminders before each deadline: the 7-day one is due from 7 days to 1 day before,
# the 1-day one in the last day (a sweep that starts late sends only the nearer one).
REMINDERS = [("1j", timedelta(days=1)), ("7j", timedelta(days=7))]


def _due_deadlines(now):
    """(stage, challenge, deadline, recipients function) of the deadlines within 7 days."""
    horizon = now + REMINDERS[-1][1]
    for challenge in Challenge.objects.filter(
        status=ChallengeStatus.POSITIONING,
        positioning_deadline__gt=now,
        positioning_deadline__lte=horizon,
    ):
        yield "positioning", challenge, challenge.positioning_deadline, positioned_recipients
    for challenge in Challenge.objects.filter(
        status=ChallengeStatus.PROPOSALS, proposal_deadline__gt=now, proposal_deadline__lte=horizon
    ):
        yield "proposals", challenge, challenge.proposal_deadline, group_member_recipients
    for round_ in CofundingRound.objects.filter(
        closed_at__isnull=True,
        challenge__status=ChallengeStatus.COFUNDING,
        deadline__gt=now,
        deadline__lte=horizon,
    ).select_related("challenge"):

        def funders(challenge, round_=round_):
            return staff_recipients(Allocation.objects.filter(round=round_).values("funder"))

        yield "cofunding", round_.challenge, round_.deadline, funders


@transaction.atomic
def reminders_send_due(now=None) -> int:
    """Called by the periodic sweep: the reminders 7 days and 1 day before each
    deadline (positions, proposals, cofunding) to those concerned, each once. A deadline
    that is extended gets its own reminders. Returns the number of new notifications."""
    now = now or timezone.now()
    created = 0
    for stage, challenge, deadline, recipients in _due_deadlines(now):
        label = next(label for label, before in REMINDERS if deadline - before <= now)
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

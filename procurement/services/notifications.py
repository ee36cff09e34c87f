"""E-mail notifications: subscriptions, and the mails of a challenge's events.

Each event creates its ``Notification`` rows (one per recipient, unique per event key)
in the event's own transaction; the mails leave after commit through a Celery task
(inline in eager mode), so a rolled-back event sends nothing and an event notified
twice mails nobody twice. A failed send keeps ``sent_at`` empty: the sweep retries it.
"""

import logging
from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kernel.errors import ApplicationError
from procurement.models import (
    Allocation,
    Challenge,
    ChallengeStatus,
    CofundingRound,
    Notification,
    Organisation,
    OrganisationKind,
    Position,
    ProposalStatus,
    Subscription,
    WorkingGroupMember,
)
from procurement.queries import STAFF_ROLES
from procurement.services.common import require_member

logger = logging.getLogger(__name__)

PARIS = ZoneInfo("Europe/Paris")
# Reminders before each deadline: the 7-day one is due from 7 days to 1 day before,
# the 1-day one in the last day (a sweep that starts late sends only the nearer one).
REMINDERS = [("1j", timedelta(days=1)), ("7j", timedelta(days=7))]
# A mail that failed is retried by the sweep after 1, 2, 4… minutes, ten times at most.
RETRY_AFTER = timedelta(minutes=1)
MAX_ATTEMPTS = 10


# --- Subscriptions ---------------------------------------------------------------------


@transaction.atomic
def subscription_set(
    *, actor, subscribed: bool, buyer: Organisation | None = None, organisation=None
) -> Subscription | None:
    """Subscribe (or unsubscribe) the actor, or one of its organisations, to the calls of
    ``buyer`` (of every buyer when ``buyer`` is None). Idempotent both ways. A personal
    preference, not an event of a procedure: not in the audit trail."""
    if buyer is not None and buyer.kind != OrganisationKind.BUYER:
        raise ApplicationError(
            _("Cette organisation ne publie pas d'appels."),
            code="not_a_buyer",
            extra={"fields": {"buyer": [_("Choisissez un acheteur public.")]}},
        )
    if organisation is not None:
        require_member(
            actor,
            organisation,
            message=_("Seul un membre de l'organisation gère ses abonnements."),
        )
        subscriber = {"organisation": organisation, "user": None}
    else:
        subscriber = {"user": actor, "organisation": None}
    current = Subscription.objects.filter(buyer=buyer, **subscriber)
    if not subscribed:
        current.delete()
        return None
    subscription = current.first()
    if subscription is None:
        subscription = Subscription.objects.create(buyer=buyer, created_by=actor, **subscriber)
    return subscription


def subscriptions_of(user):
    """The subscriptions of the user and of the organisations it is staff of."""
    from procurement.queries import org_ids

    return (
        Subscription.objects.filter(Q(user=user) | Q(organisation__in=org_ids(user, STAFF_ROLES)))
        .select_related("buyer", "organisation")
        .order_by("id")
    )


# --- Recipients ------------------------------------------------------------------------


def _staff_of(org_ids) -> set[int]:
    """The active users with an address among the staff of these organisations."""
    return set(
        get_user_model()
        .objects.filter(
            memberships__organisation__in=org_ids,
            memberships__role__in=STAFF_ROLES,
            is_active=True,
        )
        .exclude(email="")
        .values_list("pk", flat=True)
    )


def _subscribers(challenge) -> set[int]:
    subscriptions = Subscription.objects.filter(Q(buyer__isnull=True) | Q(buyer=challenge.buyer_id))
    users = set(
        get_user_model()
        .objects.filter(
            pk__in=subscriptions.filter(user__isnull=False).values("user_id"), is_active=True
        )
        .exclude(email="")
        .values_list("pk", flat=True)
    )
    return users | _staff_of(
        subscriptions.filter(organisation__isnull=False).values("organisation")
    )


def _positioned(challenge) -> set[int]:
    return _staff_of(Position.objects.filter(resource__challenge=challenge).values("organisation"))


def _group_members(challenge) -> set[int]:
    return _staff_of(
        WorkingGroupMember.objects.filter(group__resource__challenge=challenge).values(
            "organisation"
        )
    )


def _proposers(challenge, statuses) -> dict[int, dict[str, list[str]]]:
    """Per user of a group that proposed: the titles of its proposals, by status."""
    per_org: dict[int, list[tuple[str, str]]] = {}
    proposals = challenge.proposals.filter(status__in=statuses).prefetch_related("group__members")
    for proposal in proposals:
        for member in proposal.group.members.all():
            per_org.setdefault(member.organisation_id, []).append((proposal.status, proposal.title))
    users: dict[int, dict[str, list[str]]] = {}
    memberships = (
        get_user_model()
        .objects.filter(
            memberships__organisation__in=per_org,
            memberships__role__in=STAFF_ROLES,
            is_active=True,
        )
        .exclude(email="")
        .values_list("pk", "memberships__organisation")
    )
    for user_pk, org_pk in memberships:
        by_status = users.setdefault(user_pk, {})
        for status, title in per_org[org_pk]:
            titles = by_status.setdefault(status, [])
            if title not in titles:
                titles.append(title)
    return users


# --- Creating and sending ----------------------------------------------------------------


def _enqueue(ids: list[int]) -> None:
    from procurement.tasks import send_notifications

    send_notifications.delay(ids)


def _notify(*, kind: str, key: str, challenge, recipients, data: dict | None = None) -> int:
    """Record the event's mails (those already recorded for ``key`` are left alone) and
    send them once the transaction commits. Returns the number of new notifications."""
    per_user = recipients if isinstance(recipients, dict) else {pk: {} for pk in recipients}
    if not per_user:
        return 0
    already = set(
        Notification.objects.filter(key=key, recipient__in=per_user).values_list(
            "recipient_id", flat=True
        )
    )
    Notification.objects.bulk_create(
        [
            Notification(
                key=key,
                kind=kind,
                recipient_id=pk,
                challenge=challenge,
                data={**(data or {}), **extra},
            )
            for pk, extra in per_user.items()
            if pk not in already
        ],
        ignore_conflicts=True,
    )
    ids = list(
        Notification.objects.filter(
            key=key, recipient__in=per_user, sent_at__isnull=True
        ).values_list("pk", flat=True)
    )
    if ids:
        transaction.on_commit(partial(_enqueue, ids), robust=True)
    return len(per_user) - len(already)


def _iso(dt: datetime | None) -> str | None:
    return dt.isoformat() if dt else None


def notification_render(notification: Notification) -> tuple[str, str]:
    """Subject and text body, in French, times in Europe/Paris."""
    data = dict(notification.data)
    for name in ("deadline",):
        if data.get(name):
            data[name] = datetime.fromisoformat(data[name])
    challenge = notification.challenge
    link = settings.SITE_URL
    if challenge is not None:
        link += reverse("portal:challenge", args=[challenge.pk])
    context = {
        "challenge": challenge,
        "recipient": notification.recipient,
        "link": link,
        "site_url": settings.SITE_URL,
        **data,
    }
    with translation.override("fr"), timezone.override(PARIS):
        subject = render_to_string(f"emails/{notification.kind}_subject.txt", context)
        body = render_to_string(f"emails/{notification.kind}.txt", context)
    return " ".join(subject.split()), body


def notification_send(*, pk: int) -> bool:
    """Send one notification if it is still unsent (row-locked: never twice). A failure
    is recorded on the row and left for the sweep."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .filter(pk=pk, sent_at__isnull=True)
            .first()
        )
        if notification is None:
            return False
        try:
            subject, body = notification_render(notification)
            send_mail(subject, body, None, [notification.recipient.email])
        except Exception as exc:
            logger.exception("Notification %s not sent", pk)
            notification.attempts += 1
            notification.last_error = repr(exc)[:2000]
            notification.save(update_fields=["attempts", "last_error"])
            return False
        notification.attempts += 1
        notification.sent_at = timezone.now()
        notification.last_error = ""
        notification.save(update_fields=["attempts", "sent_at", "last_error"])
        return True


def notifications_retry_due(now) -> int:
    """The sweep's second chance for mails that failed (or whose task was lost)."""
    sent = 0
    unsent = Notification.objects.filter(
        sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS, created_at__lte=now - RETRY_AFTER
    ).order_by("created_at")[:200]
    for pk, created_at, attempts in unsent.values_list("pk", "created_at", "attempts"):
        if created_at + RETRY_AFTER * 2 ** max(attempts - 1, 0) <= now:
            sent += notification_send(pk=pk)
    return sent


# --- Events (one call from each service) ---------------------------------------------------


@transaction.atomic
def notify_challenge_published(challenge: Challenge) -> int:
    """To the subscribers of the buyer's calls (or of all calls)."""
    return _notify(
        kind="challenge_published",
        key=f"challenge.published:{challenge.pk}",
        challenge=challenge,
        recipients=_subscribers(challenge),
        data={"deadline": _iso(challenge.positioning_deadline)},
    )


@transaction.atomic
def notify_answers_published(challenge: Challenge) -> int:
    """To the partners positioned on the challenge and its subscribers. One event per
    state of the published answers: calling it again with no new answer mails nobody."""
    answered = challenge.questions.filter(answered_at__isnull=False)
    count = answered.count()
    if not count:
        return 0
    return _notify(
        kind="answers_published",
        key=f"answers.published:{challenge.pk}:{count}",
        challenge=challenge,
        recipients=_positioned(challenge) | _subscribers(challenge),
        data={"count": count, "deadline": _iso(challenge.proposal_deadline)},
    )


@transaction.atomic
def notify_deadline_extended(notice) -> int:
    """To the partners positioned on the challenge and its subscribers: a deadline moved,
    with the buyer's published notice. One event per notice."""
    challenge = notice.challenge
    return _notify(
        kind="deadline_extended",
        key=f"deadline.extended:{notice.pk}",
        challenge=challenge,
        recipients=_positioned(challenge) | _subscribers(challenge),
        data={
            "which": notice.get_which_display(),
            "deadline": _iso(notice.new_deadline),
            "notice": notice.notice,
        },
    )


@transaction.atomic
def notify_proposals_opened(challenge: Challenge) -> int:
    """To the working groups' members and the buyer's staff."""
    return _notify(
        kind="proposals_opened",
        key=f"proposals.opened:{challenge.pk}",
        challenge=challenge,
        recipients=_group_members(challenge) | _staff_of([challenge.buyer_id]),
        data={
            "count": challenge.proposals.exclude(status=ProposalStatus.DRAFT).count(),
        },
    )


@transaction.atomic
def notify_proposals_selected(challenge: Challenge) -> int:
    """To the partners who proposed: retained or not."""
    recipients = {
        pk: {
            "retained": titles.get(ProposalStatus.SELECTED, []),
            "not_retained": titles.get(ProposalStatus.REJECTED, []),
        }
        for pk, titles in _proposers(
            challenge, [ProposalStatus.SELECTED, ProposalStatus.REJECTED]
        ).items()
    }
    return _notify(
        kind="proposals_selected",
        key=f"proposals.selected:{challenge.pk}",
        challenge=challenge,
        recipients=recipients,
        data={"deadline": _iso(challenge.cofunding_deadline)},
    )


@transaction.atomic
def notify_challenge_awarded(challenge: Challenge) -> int:
    """To the partners who proposed: awarded or not."""
    recipients = {
        pk: {
            "awarded": titles.get(ProposalStatus.AWARDED, []),
            "not_awarded": titles.get(ProposalStatus.SELECTED, [])
            + titles.get(ProposalStatus.REJECTED, []),
        }
        for pk, titles in _proposers(
            challenge,
            [ProposalStatus.AWARDED, ProposalStatus.SELECTED, ProposalStatus.REJECTED],
        ).items()
    }
    return _notify(
        kind="challenge_awarded",
        key=f"challenge.awarded:{challenge.pk}",
        challenge=challenge,
        recipients=recipients,
    )


# --- Reminders -------------------------------------------------------------------------------


def _due_deadlines(now):
    """(stage, challenge, deadline, recipients function) of the deadlines within 7 days."""
    horizon = now + REMINDERS[-1][1]
    for challenge in Challenge.objects.filter(
        status=ChallengeStatus.POSITIONING,
        positioning_deadline__gt=now,
        positioning_deadline__lte=horizon,
    ):
        yield "positioning", challenge, challenge.positioning_deadline, _positioned
    for challenge in Challenge.objects.filter(
        status=ChallengeStatus.PROPOSALS, proposal_deadline__gt=now, proposal_deadline__lte=horizon
    ):
        yield "proposals", challenge, challenge.proposal_deadline, _group_members
    for round_ in CofundingRound.objects.filter(
        closed_at__isnull=True,
        challenge__status=ChallengeStatus.COFUNDING,
        deadline__gt=now,
        deadline__lte=horizon,
    ).select_related("challenge"):

        def funders(challenge, round_=round_):
            return _staff_of(Allocation.objects.filter(round=round_).values("funder"))

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

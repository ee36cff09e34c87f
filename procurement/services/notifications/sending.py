"""Recording a notification per recipient and sending it after commit; the sweep
retries the mails that failed."""

import logging
from datetime import date, datetime
from functools import partial
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMessage, send_mail
from django.db import transaction
from django.template.loader import select_template
from django.urls import reverse
from django.utils import timezone, translation

from procurement.calculations import MAX_ATTEMPTS, RETRY_AFTER, retry_at
from procurement.models import Notification, OpinionSubject, TenderDocument, Verdict
from procurement.queries import mail_language
from procurement.uploads import open_stored

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

logger = logging.getLogger(__name__)

PARIS = ZoneInfo("Europe/Paris")


def _enqueue(ids: list[int]) -> None:
    # Imported here: procurement.tasks imports this module to send (a task calls its
    # service), so importing the task at the top would make a cycle.
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


def _templates(kind: str, language: str, part: str) -> list[str]:
    """The template of ``kind`` in ``language`` (``emails/en/…``), else the French one."""
    name = f"{kind}{part}.txt"
    french = f"emails/{name}"
    return [french] if language == "fr" else [f"emails/{language}/{name}", french]


def notification_render(notification: Notification) -> tuple[str, str]:
    """Subject and text body in the recipient's language (French unless it chose
    English), times in Europe/Paris. The link goes to the page where the recipient acts
    (``data["path"]``), else to the call's page."""
    data = dict(notification.data)
    for name in ("deadline", "standstill_ends_at", "letters_sent_at"):
        if data.get(name):
            data[name] = datetime.fromisoformat(data[name])
    if data.get("due_on"):  # a day (a deliverable's), written as the day it is
        data["due_on"] = date.fromisoformat(data["due_on"])
    # Labels are named by their code in the row and read in the recipient's language.
    if data.get("subject") in OpinionSubject.values:
        data["subject_label"] = OpinionSubject(data["subject"]).label
    if data.get("verdict") in Verdict.values:
        data["verdict_label"] = Verdict(data["verdict"]).label
    challenge = notification.challenge
    link = settings.SITE_URL
    if data.get("path"):
        link += data["path"]
    elif challenge is not None:
        link += reverse("portal:challenge", args=[challenge.pk])
    context = {
        "challenge": challenge,
        "recipient": notification.recipient,
        "link": link,
        "site_url": settings.SITE_URL,
        **data,
    }
    language = mail_language(notification.recipient)
    with translation.override(language), timezone.override(PARIS):
        subject = select_template(_templates(notification.kind, language, "_subject")).render(
            context
        )
        body = select_template(_templates(notification.kind, language, "")).render(context)
    return " ".join(subject.split()), body


def _attach_documents(message: EmailMessage, notification: Notification) -> None:
    """Attach the pieces the notification carries (a candidate's rejection letters)."""
    ids = notification.data["documents"]
    for document in TenderDocument.objects.filter(pk__in=ids).order_by("key", "pk"):
        with open_stored(document.file) as handle:
            content = handle.read()
        message.attach(document.file.name.rsplit("/", 1)[-1], content, DOCX_TYPE)


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
            if notification.data.get("documents"):
                message = EmailMessage(subject, body, None, [notification.recipient.email])
                _attach_documents(message, notification)
                message.send()
            else:
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
        if retry_at(created_at, attempts) <= now:
            sent += notification_send(pk=pk)
    return sent

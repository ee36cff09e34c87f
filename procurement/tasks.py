"""Celery tasks of the domain: ids in, one service call, idempotent, bounded retries."""

import logging

from celery import shared_task

from procurement.services.notifications import notification_send

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def send_notifications(notification_ids: list[int]) -> int:
    """Send the given notifications that are still unsent (each under a row lock, so a
    task run twice mails nobody twice). A failure stays on its row for the sweep to
    retry; it never fails the task, so nothing propagates to the committed caller."""
    sent = 0
    for pk in notification_ids:
        try:
            sent += notification_send(pk=pk)
        except Exception:
            logger.exception("Notification %s failed", pk)
    return sent

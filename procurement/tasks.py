"""Celery tasks of the domain: ids in, one service call, idempotent, bounded retries."""

import logging

from celery import shared_task

from procurement.services.documents import document_job_run
from procurement.services.notifications import notification_send

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, max_retries=3, default_retry_delay=10)
def generate_documents(self, job_pk: int) -> None:
    """Render a requested tender pack (the job row shows pending, done or failed)."""
    try:
        document_job_run(job_pk=job_pk)
    except Exception as exc:
        if self.request.called_directly or self.request.is_eager:
            raise
        raise self.retry(exc=exc) from exc


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

"""Celery tasks of the domain: ids in, one service call, idempotent, bounded retries."""

from celery import shared_task

from procurement.services.documents import document_job_run


@shared_task(bind=True, acks_late=True, max_retries=3, default_retry_delay=10)
def generate_documents(self, job_pk: int) -> None:
    """Render a requested tender pack (the job row shows pending, done or failed)."""
    try:
        document_job_run(job_pk=job_pk)
    except Exception as exc:
        if self.request.called_directly or self.request.is_eager:
            raise
        raise self.retry(exc=exc) from exc

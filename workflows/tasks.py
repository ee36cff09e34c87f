"""Celery tasks of the process: ids in, idempotent, bounded retries."""

import logging
from datetime import timedelta

from celery import shared_task
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS
from viewflow.workflow.timers import fire_due_timers

logger = logging.getLogger(__name__)

# A job task still NEW this long after its creation lost its message: enqueue it again.
STALE_JOB_SECONDS = 120


@shared_task(bind=True, acks_late=True, max_retries=3, default_retry_delay=10)
def run_job(self, task_pk: int) -> str:
    """Run a ``CeleryJob`` step: its work, then complete the task under the process lock.

    Safe to run twice: a task that is no longer NEW is left alone."""
    task = Task.objects.filter(pk=task_pk).first()
    if task is None or task.status != STATUS.NEW:
        return "skipped"
    node = task.flow_task
    try:
        if node._work is not None:
            node._work(task)
        task.refresh_from_db()
        if task.status != STATUS.NEW:
            return "skipped"
        node.run(task)
    except Exception as exc:
        logger.exception("Job task %s failed", task_pk)
        if self.request.called_directly or self.request.is_eager:
            raise
        raise self.retry(exc=exc) from exc
    return "done"


@shared_task(acks_late=True)
def sweep() -> dict:
    """Advance whatever is due: fire the deadline timers, re-enqueue lost jobs.

    Runs every few seconds (celery beat in production, ``run_scheduler`` in the
    embedded default); deadlines live in the database, never in Celery countdowns."""
    from workflows.nodes import CeleryJob

    fired = fire_due_timers()
    stale = timezone.now() - timedelta(seconds=STALE_JOB_SECONDS)
    requeued = 0
    for task in Task.objects.filter(status=STATUS.NEW, created__lte=stale).exclude(
        flow_task_type__in=["HUMAN", "START", "TIMER"]
    ):
        if isinstance(task.flow_task, CeleryJob):
            try:
                run_job.delay(task.pk)
            except Exception:  # eager mode runs it inline: one failure must not stop the sweep
                logger.exception("Job task %s failed again", task.pk)
            requeued += 1
    return {"timers": fired, "requeued": requeued}

"""Celery tasks of the process: ids in, idempotent, bounded retries."""

import logging
from datetime import datetime, timedelta

from celery import shared_task
from django.utils import timezone
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from procurement.models import DocumentStage
from procurement.services.chains import chains_anchor_due
from procurement.services.cofunding import cofunding_hosts_missing
from procurement.services.community import motion_actions_overdue_notify
from procurement.services.documents import document_jobs_stalled
from procurement.services.notifications import notifications_retry_due, reminders_send_due
from scoring.services.votes import vote_reminders_send_due
from workflows.documents import document_job_run
from workflows.nodes import CeleryJob
from workflows.opendata import daily_export
from workflows.services import referrals_expire_due

logger = logging.getLogger(__name__)

# A job task still NEW this long after its creation lost its message: enqueue it again,
# then ever less often (twice the wait each time, at most an hour), so a job that keeps
# failing does not hammer the workers every few seconds but still completes once the
# cause is fixed.
STALE_JOB_SECONDS = 120
MAX_REQUEUE_WAIT_SECONDS = 3600


def requeue_due(task, now) -> bool:
    """Is a stale job task due to be enqueued again?"""
    requeues = task.data.get("requeues", 0)
    wait = min(STALE_JOB_SECONDS * 2**requeues, MAX_REQUEUE_WAIT_SECONDS)
    last = task.data.get("requeued_at")
    since = datetime.fromisoformat(last) if last else task.created
    return now - since >= timedelta(seconds=wait)


def fire_due_timers() -> int:
    """viewflow's dispatcher, re-checking the due time under the process lock: a deadline
    extended while the sweep was listing the due timers must not fire at the old time."""
    fired = 0
    now = timezone.now()
    due = Task.objects.filter(
        flow_task_type="TIMER", status=STATUS.SCHEDULED, scheduled__lte=now
    ).order_by("scheduled")
    for task in due:
        try:
            with task.activation() as activation:  # locks, then reloads the task
                start = getattr(activation, "start", None)
                if start is None or activation.task.scheduled > now:
                    continue
                if start.can_proceed():
                    activation.start()
                    activation.execute()
                    fired += 1
        except FlowLockFailed:
            logger.info("Timer task %s is locked, left to the next sweep", task.pk)
        except Exception:  # one broken flow must not block the whole sweep
            logger.exception("Timer task %s failed to fire", task.pk)
    return fired


def cofunding_closes_retry() -> int:
    """Try again the close of a cofunding round refused for a commons without host
    (``cofunding_close``: no pledge becomes money before its host is designated): its
    step stands in error until the buyer designates the host, then the next sweep revives
    it, and the process goes on to the award pieces. Never revived while a host is still
    missing, so a refused close leaves one errored step, not one per sweep."""
    revived = 0
    errored = Task.objects.filter(status=STATUS.ERROR, flow_task_type="FUNCTION").select_related(
        "process"
    )
    for task in errored:
        if task.flow_task.name != "close_cofunding":
            continue
        challenge = task.process.challengeprocess.challenge
        if cofunding_hosts_missing(challenge=challenge):
            continue
        try:
            with task.activation() as activation:
                activation.revive()
                revived += 1
        except FlowLockFailed:
            logger.info("Close task %s is locked, left to the next sweep", task.pk)
        except Exception:
            logger.exception("Close task %s could not be revived", task.pk)
    return revived


def _mark_requeued(task, now) -> None:
    data = {
        **task.data,
        "requeues": task.data.get("requeues", 0) + 1,
        "requeued_at": now.isoformat(),
    }
    Task.objects.filter(pk=task.pk).update(data=data)


def _delay(task, *args) -> None:
    try:
        task.delay(*args)
    except Exception:  # run inline (eager, no local worker): one failure must not stop the sweep
        logger.exception("Task %s%s failed again", task.name, args)


def document_jobs_resume(now) -> int:
    """Enqueue again the document jobs whose worker was lost (killed in the middle of a
    job, its machine gone): a pending job that stopped beating
    (``procurement.services.documents.document_jobs_stalled``). A job the process runs
    (the award pieces, the letters: requested by no one) resumes through its process
    step, which then moves on; any other (the DCE, the buyer's request) by its own task.
    The run again completes what is missing and stores no piece twice."""
    resumed = 0
    for job in document_jobs_stalled(now=now):
        steps = []
        if job.requested_by_id is None and job.stage in (
            DocumentStage.AWARD,
            DocumentStage.LETTERS,
        ):
            steps = [
                task
                for task in Task.objects.filter(
                    process__challengeprocess__challenge=job.challenge_id, status=STATUS.NEW
                ).exclude(flow_task_type__in=["HUMAN", "START", "TIMER"])
                if isinstance(task.flow_task, CeleryJob)
            ]
        for task in steps:
            _mark_requeued(task, now)
            _delay(run_job, task.pk)
        if not steps:
            _delay(generate_documents, job.pk)
        logger.warning("Document job %s lost its worker: enqueued again", job.pk)
        resumed += 1
    return resumed


@shared_task(bind=True, acks_late=True, max_retries=3, default_retry_delay=10, background=True)
def run_job(self, task_pk: int) -> str:
    """Run a ``CeleryJob`` step: its work, then complete the task under the process lock.
    A ``background`` task: the embedded default runs it in its local worker, not in the
    request that enqueued it.

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


@shared_task(bind=True, acks_late=True, max_retries=3, default_retry_delay=10, background=True)
def generate_documents(self, job_pk: int) -> None:
    """Render a requested tender pack (the job row shows pending, done or failed). A
    ``background`` task: the embedded default runs it in its local worker."""
    try:
        document_job_run(job_pk=job_pk)
    except Exception as exc:
        if self.request.called_directly or self.request.is_eager:
            raise
        raise self.retry(exc=exc) from exc


@shared_task(acks_late=True)
def sweep() -> dict:
    """Advance whatever is due: fire the deadline timers, let the process go on past the
    Chambre's delay, re-enqueue lost jobs (a document job whose worker stopped beating
    within ``JOB_STALL_SECONDS``), send the deadline reminders (the calls' and their
    collective votes'), retry the mails that failed, anchor the chains' heads once a
    day, and tell the Chambre's modérateurs of the actions of its plan past their due
    date.

    Runs every few seconds (celery beat in production, ``run_scheduler`` in the
    embedded default); deadlines live in the database, never in Celery countdowns."""
    fired = fire_due_timers()
    fired += cofunding_closes_retry()
    expired = referrals_expire_due()
    now = timezone.now()
    # The stalled document jobs first: a step they enqueue again is marked, so the rule
    # below leaves it for later.
    requeued = document_jobs_resume(now)
    stale = now - timedelta(seconds=STALE_JOB_SECONDS)
    for task in Task.objects.filter(status=STATUS.NEW, created__lte=stale).exclude(
        flow_task_type__in=["HUMAN", "START", "TIMER"]
    ):
        if isinstance(task.flow_task, CeleryJob) and requeue_due(task, now):
            _mark_requeued(task, now)
            _delay(run_job, task.pk)
            requeued += 1
    reminders = reminders_send_due(now) + vote_reminders_send_due(now)
    retried = notifications_retry_due(now)
    anchored = chains_anchor_due(now)
    overdue = motion_actions_overdue_notify(now)
    return {
        "timers": fired,
        "opinions_expired": expired,
        "requeued": requeued,
        "reminders": reminders,
        "mails_retried": retried,
        "anchors": anchored,
        "actions_overdue": overdue,
    }


@shared_task(acks_late=True)
def opendata_export() -> dict:
    """Write the open-data files of every published call (DECP, OCDS releases and
    records) to the storage, for the public page's downloads: every night (celery beat),
    or at the first sweep of the day of the embedded scheduler. Idempotent: the same
    files again."""
    manifest = daily_export()
    return {f["format"]: f["count"] for f in manifest["files"]}

"""The documents' generation: the process builds them from both domains
(``workflows.pack``) and procurement stores its pieces (``procurement.services.documents``).

It runs in Celery, never inside a request (in the embedded default, without a broker, in
the process's local worker threads: ``config/local_worker.py``): the consultation
documents (DCE) when the
call is published and after each change of the published call; the award pieces as the
process's ``generate_documents`` step after the cofunding round, and whenever the buyer
asks for them again; the rejection letters as the ``rejection_letters`` step after the
award decision.
"""

from django.db import transaction

from procurement.models import DocumentJob, DocumentStage, DocumentStatus
from procurement.services.documents import (
    dce_job_create,
    document_job_create,
    document_job_start,
    documents_store,
)
from workflows import pack

# Looked up on the module when a job runs, so a test may stand in for a builder.
BUILDERS = {
    DocumentStage.DCE: "build_dce",
    DocumentStage.AWARD: "build_pack",
    DocumentStage.LETTERS: "build_letters",
}


def documents_generate(
    *, challenge, actor=None, job: DocumentJob | None = None, stage: str = DocumentStage.AWARD
) -> DocumentJob:
    """Render every piece of the job's stage (the DCE or the award pieces) and store the
    changed ones (a Celery job's work).

    Idempotent: unchanged pieces keep their version, and a run after a killed worker
    completes what is missing."""
    job = document_job_start(challenge=challenge, actor=actor, job=job, stage=stage)
    build = getattr(pack, BUILDERS[DocumentStage(job.stage)])
    return documents_store(
        challenge=challenge, job=job, build=lambda: build(challenge), actor=actor
    )


def letters_generate(*, challenge) -> DocumentJob:
    """Render and store the rejection letters of a decided award (the process's
    ``rejection_letters`` step, in Celery). Idempotent: the letters' date is recorded
    once, so a run again after a killed worker stores nothing new."""
    return documents_generate(challenge=challenge, stage=DocumentStage.LETTERS)


def dce_request(*, challenge, actor) -> DocumentJob:
    """Generate the consultation documents of a published call: a job row now, its
    Celery task once the publication (or the change) is committed — a rolled-back
    publication generates nothing."""
    job = dce_job_create(challenge=challenge, actor=actor)
    _generate_on_commit(job)
    return job


@transaction.atomic
def documents_request(*, challenge, actor) -> DocumentJob:
    """The buyer asks for the pack again: a job row now, its Celery task once committed."""
    job = document_job_create(challenge=challenge, actor=actor)
    _generate_on_commit(job)
    return job


def _generate_on_commit(job: DocumentJob) -> None:
    """Enqueue the job's Celery task once the caller's transaction commits."""
    # Imported here: the Celery task module imports this one (its task runs
    # ``document_job_run``), so a module-level import would be a cycle.
    from workflows.tasks import generate_documents

    transaction.on_commit(lambda: generate_documents.delay(job.pk))


def document_job_run(*, job_pk: int) -> None:
    """Fill a requested job (Celery): idempotent — a finished job is left alone."""
    job = DocumentJob.objects.select_related("challenge").get(pk=job_pk)
    if job.status == DocumentStatus.DONE:
        return
    documents_generate(challenge=job.challenge, actor=job.requested_by, job=job)

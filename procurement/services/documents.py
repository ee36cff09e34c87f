"""The tender pack: each piece rendered by a pure function, stored with its SHA-256
and a version number. Unchanged data gives the same version back; changed data, or a
buyer's revised upload, a new one — nothing is ever overwritten."""

import hashlib
import logging
from collections.abc import Callable
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.errors import ApplicationError, WrongState
from procurement.models import (
    Challenge,
    ChallengeStatus,
    DocumentJob,
    DocumentStage,
    DocumentStatus,
    TenderDocument,
)
from procurement.services.audit import audit_record
from procurement.services.common import require_member
from procurement.services.stages import challenge_stage_move
from procurement.uploads import DOCX, MAX_UPLOAD_BYTES, check_upload

logger = logging.getLogger(__name__)


# A pending job whose heartbeat is older than this lost its worker (killed, or its
# machine gone): the sweep enqueues it again. A piece renders in well under a second, so
# a live run beats far more often.
JOB_STALL_SECONDS = 30
# A job never started this long after its request lost its message (a queue may keep a
# job waiting a while behind others: that is no reason to enqueue it twice).
JOB_LOST_SECONDS = 120
# A job whose runs were cut this many times is failed rather than enqueued forever (a
# piece that kills its worker every time, by its memory say); the buyer sees why.
JOB_MAX_ATTEMPTS = 5

# Stages at which the pack exists or may be regenerated.
DOCUMENT_STAGES = (
    ChallengeStatus.DOCUMENTS,
    ChallengeStatus.AWARD,
    ChallengeStatus.STANDSTILL,
    ChallengeStatus.AWARDED,
)


def _store(
    *,
    challenge,
    piece: str,
    key: str,
    title: str,
    content: bytes,
    job=None,
    actor=None,
    stage: str = DocumentStage.AWARD,
    addressee_id: int | None = None,
):
    """Store one version of a piece, in its own transaction; return (document, created).
    A piece addressed to one candidate (a letter) names its proposal (``addressee_id``).

    Idempotent, even when two runs of one job overlap (a job enqueued again by the
    sweep while its first worker still lives): the call's row is locked first, so the
    second run sees the first one's version of the piece and stores nothing twice."""
    digest = hashlib.sha256(content).hexdigest()
    with transaction.atomic():
        Challenge.objects.select_for_update().filter(pk=challenge.pk).values_list("pk").first()
        versions = TenderDocument.objects.select_for_update().filter(
            challenge=challenge, piece=piece, key=key
        )
        if actor is None:
            latest_generated = (
                versions.filter(uploaded_by__isnull=True).order_by("-version").first()
            )
            if latest_generated is not None and latest_generated.sha256 == digest:
                return latest_generated, False
        version = (versions.aggregate(v=Max("version"))["v"] or 0) + 1
        document = TenderDocument(
            challenge=challenge,
            piece=piece,
            stage=stage,
            key=key,
            version=version,
            title=title,
            sha256=digest,
            size=len(content),
            uploaded_by=actor,
            job=job,
            addressee_id=addressee_id,
        )
        name = f"{piece}-{key}" if key else piece
        document.file.save(
            f"{challenge.reference}/{name}-v{version}-{digest[:12]}.docx",
            ContentFile(content),
            save=False,
        )
        document.save()
        return document, True


def document_job_start(
    *, challenge, actor=None, job: DocumentJob | None = None, stage: str = DocumentStage.AWARD
) -> DocumentJob:
    """The job row a generation fills: the given one, or the actor's unfinished one of
    the same stage (the process's retries reuse it rather than piling up new ones), or a
    new one; its attempt is counted and it shows as pending."""
    if job is None:
        job = challenge.document_jobs.filter(
            requested_by=actor,
            stage=stage,
            status__in=[DocumentStatus.PENDING, DocumentStatus.FAILED],
        ).order_by("-pk").first() or DocumentJob.objects.create(
            challenge=challenge, requested_by=actor, stage=stage
        )
    DocumentJob.objects.filter(pk=job.pk).update(
        attempts=F("attempts") + 1,
        status=DocumentStatus.PENDING,
        error="",
        heartbeat_at=timezone.now(),
    )
    return job


def document_job_queue(*, challenge, stage: str) -> DocumentJob:
    """The pending job of a generation the process starts (the award pieces when the
    cofunding closes, the rejection letters once the award is decided), written with
    the process step, in its transaction, so that the buyer's documents page and the API
    show it waiting from the request that started it, before any worker takes it. The
    worker's run fills this row (``document_job_start`` takes up the unfinished job of
    its stage); an unfinished one already there is kept, not doubled."""
    unfinished = (
        challenge.document_jobs.filter(
            requested_by=None,
            stage=stage,
            status__in=[DocumentStatus.PENDING, DocumentStatus.FAILED],
        )
        .order_by("-pk")
        .first()
    )
    return unfinished or DocumentJob.objects.create(
        challenge=challenge, requested_by=None, stage=stage
    )


def document_jobs_stalled(*, now) -> list[DocumentJob]:
    """The pending jobs whose worker was lost: no heartbeat for ``JOB_STALL_SECONDS``
    (a run that started then stopped beating), or never started ``JOB_LOST_SECONDS`` after
    their request (a message lost before any worker took it). Each is returned with its
    heartbeat moved to ``now``, so that the sweep that enqueues it again does not do so
    at its next pass too; a job cut ``JOB_MAX_ATTEMPTS`` times is failed instead, with
    its reason in French."""
    stalled_since = now - timedelta(seconds=JOB_STALL_SECONDS)
    lost_since = now - timedelta(seconds=JOB_LOST_SECONDS)
    stalled = []
    with transaction.atomic():
        jobs = (
            DocumentJob.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=DocumentStatus.PENDING)
            .filter(
                Q(heartbeat_at__lt=stalled_since)
                | Q(heartbeat_at__isnull=True, created_at__lt=lost_since)
            )
            .select_related("challenge")
        )
        for job in jobs:
            if job.attempts >= JOB_MAX_ATTEMPTS:
                DocumentJob.objects.filter(pk=job.pk).update(
                    status=DocumentStatus.FAILED,
                    finished_at=now,
                    error=_(
                        "La génération a été interrompue %(n)s fois avant sa fin ; "
                        "demandez-la de nouveau, ou signalez-le si cela se répète."
                    )
                    % {"n": job.attempts},
                )
                continue
            DocumentJob.objects.filter(pk=job.pk).update(heartbeat_at=now)
            stalled.append(job)
    return stalled


def _withdraw_others(*, challenge, job: DocumentJob, kept: set[tuple[str, str]]) -> None:
    """Withdraw the pieces of the job's set that the pack no longer produces — the
    acte d'engagement of a lot the award left unawarded, a convention whose commons is
    no longer funded: every version keeps its file and its record, but leaves the pack
    and the candidates' view. A piece refused for now (``kept`` lists it) stays."""
    stale = [
        (piece, key)
        for piece, key in TenderDocument.objects.filter(
            challenge=challenge, stage=job.stage, withdrawn_at__isnull=True
        )
        .values_list("piece", "key")
        .distinct()
        if (piece, key) not in kept
    ]
    if not stale:
        return
    with transaction.atomic():
        for piece, key in stale:
            TenderDocument.objects.filter(challenge=challenge, piece=piece, key=key).update(
                withdrawn_at=timezone.now()
            )
        audit_record(
            verb="documents.withdrawn",
            challenge=challenge,
            obj=job,
            data={"pieces": [f"{piece}/{key}" for piece, key in sorted(stale)]},
        )


def documents_store(
    *, challenge, job: DocumentJob, build: Callable[[], list], actor=None
) -> DocumentJob:
    """Render the pieces ``build()`` lists and store the changed ones, filling ``job``.

    Each piece (``piece``, ``key``, ``title``, ``stage``, ``addressee`` and a
    ``render()`` giving its bytes) is
    committed on its own, so progress shows and a killed worker leaves no half-written
    document; running it again completes what is missing. A piece with a ``refusal`` (a
    party to sign it is missing) is not rendered: the others are stored, then the job
    fails with every refusal as its error, in French, for the buyer to act on. A failure
    marks the job failed, with its error, and is raised again."""
    try:
        pieces = build()
        DocumentJob.objects.filter(pk=job.pk).update(total=len(pieces))
        created = []
        refusals = []
        for done, piece in enumerate(pieces, start=1):
            if getattr(piece, "refusal", ""):
                refusals.append(piece.refusal)
                continue
            document, is_new = _store(
                challenge=challenge,
                piece=piece.piece,
                key=piece.key,
                title=piece.title,
                content=piece.render(),
                job=job,
                stage=piece.stage,
                addressee_id=piece.addressee,
            )
            if is_new:
                created.append(f"{document.piece}/{document.key} v{document.version}")
            DocumentJob.objects.filter(pk=job.pk).update(done=done, heartbeat_at=timezone.now())
        _withdraw_others(challenge=challenge, job=job, kept={(p.piece, p.key) for p in pieces})
        if refusals:
            # One sentence each: shown as one paragraph in the buyer's space.
            raise WrongState(" ".join(refusals), code="pieces_refused")
    except Exception as exc:
        # A refused rule is told as it is, in French; anything else with its type.
        error = (
            str(exc.message)
            if isinstance(exc, ApplicationError)
            else f"{type(exc).__name__}: {exc}"
        )
        DocumentJob.objects.filter(pk=job.pk).update(
            status=DocumentStatus.FAILED, error=error, finished_at=timezone.now()
        )
        raise
    with transaction.atomic():
        # Finished once: of two overlapping runs of the job, the second records nothing.
        finished = (
            DocumentJob.objects.filter(pk=job.pk)
            .exclude(status=DocumentStatus.DONE)
            .update(status=DocumentStatus.DONE, finished_at=timezone.now())
        )
        if finished:
            audit_record(
                verb="documents.generated",
                actor=actor,
                challenge=challenge,
                obj=job,
                data={"new_versions": created},
            )
    job.refresh_from_db()
    return job


@transaction.atomic
def documents_step_finish(*, challenge) -> None:
    """The process step ends once the award pieces were generated: the buyer awards next."""
    if not challenge.document_jobs.filter(
        status=DocumentStatus.DONE, stage=DocumentStage.AWARD
    ).exists():
        raise WrongState(
            _("Le dossier de consultation n'a pas encore été généré."), code="no_documents"
        )
    challenge_stage_move(challenge=challenge, to=ChallengeStatus.AWARD)


@transaction.atomic
def document_job_create(*, challenge, actor) -> DocumentJob:
    """The buyer asks for the pack again (after a change): a pending job row, for the
    process's Celery task to fill (``workflows.documents.documents_request``)."""
    require_member(
        actor, challenge.buyer, message=_("Seul un agent de l'acheteur demande le dossier.")
    )
    if challenge.status not in DOCUMENT_STAGES:
        raise WrongState(
            _("Le dossier de consultation n'est pas encore disponible."), code="wrong_stage"
        )
    return DocumentJob.objects.create(challenge=challenge, requested_by=actor)


@transaction.atomic
def dce_job_create(*, challenge, actor) -> DocumentJob:
    """A pending job row for the consultation documents (DCE) of a published call: at its
    publication and after each change. The caller enqueues its Celery task on commit."""
    require_member(
        actor, challenge.buyer, message=_("Seul un agent de l'acheteur demande le dossier.")
    )
    if challenge.published_at is None:
        raise WrongState(_("L'appel n'est pas encore publié."), code="wrong_stage")
    return DocumentJob.objects.create(
        challenge=challenge, requested_by=actor, stage=DocumentStage.DCE
    )


@transaction.atomic
def document_upload(*, challenge, actor, piece: str, key: str, content: bytes) -> TenderDocument:
    """The buyer uploads a revised version of a generated piece: kept beside it."""
    require_member(
        actor, challenge.buyer, message=_("Seul un agent de l'acheteur dépose une version.")
    )
    original = (
        TenderDocument.objects.filter(challenge=challenge, piece=piece, key=key)
        .order_by("version")
        .first()
    )
    if original is None:
        raise ApplicationError(
            _("Cette pièce n'a pas encore été générée."),
            code="unknown_piece",
            extra={"fields": {"piece": [_("Pièce inconnue pour cet appel.")]}},
        )
    check_upload(content, allowed=frozenset({DOCX}), max_bytes=MAX_UPLOAD_BYTES)
    document, _created = _store(
        challenge=challenge,
        piece=piece,
        key=key,
        title=original.title,
        content=content,
        actor=actor,
        stage=original.stage,
    )
    audit_record(
        verb="documents.uploaded",
        actor=actor,
        challenge=challenge,
        obj=document,
        data={"piece": piece, "version": document.version, "sha256": document.sha256},
    )
    return document

"""Public questions on a published challenge, and the buyer's answers.

Partners ask until the question deadline the buyer set (else until the proposal
deadline). The buyer drafts answers, seen only by its staff, then publishes every
drafted answer at once, so that no partner learns an answer before the others. In a
formal procedure the answers are due at the latest six days before the proposal
deadline (article R2132-6 of the code de la commande publique): published later, they
are still published, but the service warns the buyer and proposes the proposal
deadline that restores the six days.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.errors import ApplicationError, Forbidden, WrongState
from kernel.guards import require_before, require_status, validated_save
from procurement import calculations
from procurement.models import OrganisationKind, Question
from procurement.models.challenges import ChallengeStatus
from procurement.services.audit import audit_record
from procurement.services.award_rules import procedure_of
from procurement.services.common import require_member
from procurement.services.notifications import notify_answers_published, notify_question_asked

QUESTION_STAGES = (ChallengeStatus.POSITIONING, ChallengeStatus.PROPOSALS)


def author_hash(challenge, organisation) -> str:
    """Linkable but anonymous: the same organisation gets the same hash in one challenge
    (as ProZorro does), and nobody can recover its name from it."""
    secret = f"{settings.SECRET_KEY}:question:{challenge.pk}:{organisation.pk}"
    return hashlib.sha256(secret.encode()).hexdigest()[:16]


def questions_close_at(challenge) -> datetime | None:
    """When questions close: the buyer's question deadline, else the proposal deadline."""
    return challenge.questions_deadline or challenge.proposal_deadline


@transaction.atomic
def question_ask(*, challenge, actor, organisation, text: str) -> Question:
    require_member(actor, organisation, message=_("Vous n'êtes pas membre de cette organisation."))
    if organisation.kind != OrganisationKind.PARTNER:
        raise Forbidden(_("Seuls les partenaires posent des questions."), code="not_a_partner")
    require_status(challenge, *QUESTION_STAGES, message=_("Les questions sont fermées."))
    require_before(
        questions_close_at(challenge),
        message=_("Les questions sont closes."),
        code="questions_closed",
    )
    question = Question(
        challenge=challenge,
        organisation=organisation,
        text=text,
        author_hash=author_hash(challenge, organisation),
    )
    validated_save(question)
    audit_record(verb="question.asked", actor=actor, challenge=challenge, obj=question)
    notify_question_asked(question)
    return question


@transaction.atomic
def question_answer_draft(*, question: Question, actor, answer: str) -> Question:
    """Save (or rewrite) the buyer's answer; it stays private until published."""
    question = Question.objects.select_for_update().select_related("challenge").get(pk=question.pk)
    challenge = question.challenge
    require_member(
        actor, challenge.buyer, message=_("Seul un agent de l'acheteur répond aux questions.")
    )
    if question.answered_at is not None:
        raise WrongState(_("Cette question a déjà une réponse publiée."), code="already_answered")
    if not (answer or "").strip():
        raise ApplicationError(
            _("La réponse est vide."),
            code="answer_required",
            extra={"fields": {"answer": [_("Rédigez la réponse.")]}},
        )
    question.draft_answer = answer.strip()
    question.drafted_at = timezone.now()
    question.save(update_fields=["draft_answer", "drafted_at"])
    audit_record(verb="question.answer_drafted", actor=actor, challenge=challenge, obj=question)
    return question


def is_formal(challenge) -> bool:
    day = timezone.localdate(challenge.published_at or timezone.now())
    if challenge.estimated_amount is None:  # not publishable: no procedure yet
        return False
    return procedure_of(challenge, day).formal


def restoring_deadline(deadline: datetime, answered_at: datetime) -> datetime:
    """The first proposal deadline, at the same Paris time of day as ``deadline`` on a
    later day, that leaves six days after ``answered_at`` (days in Paris time, so a
    daylight-saving change keeps the time of day)."""
    return calculations.restoring_deadline(deadline, answered_at, timezone.get_default_timezone())


@dataclass(frozen=True)
class LateAnswers:
    """Answers published less than six days before the proposal deadline."""

    answered_at: datetime
    latest: datetime  # when they were due
    proposed_deadline: datetime
    can_extend: bool  # the proposal deadline has not passed yet

    @property
    def message(self) -> str:
        return _(
            "Procédure formalisée : les réponses doivent être publiées au plus tard six jours "
            "avant la date limite des propositions (le %(latest)s). Prolongez la date limite "
            "au %(proposed)s pour rétablir ce délai."
        ) % {
            "latest": timezone.localtime(self.latest).strftime("%d/%m/%Y %H:%M"),
            "proposed": timezone.localtime(self.proposed_deadline).strftime("%d/%m/%Y %H:%M"),
        }

    def as_dict(self) -> dict:
        return {
            "code": "answers_late",
            "message": self.message,
            "answered_at": self.answered_at,
            "latest": self.latest,
            "proposed_deadline": self.proposed_deadline,
            "can_extend": self.can_extend,
        }


def answers_late(challenge, answered_at: datetime | None = None) -> LateAnswers | None:
    """The six-day warning for a formal procedure, or None. Without ``answered_at``,
    about the latest published answers (so it disappears once the deadline is
    extended far enough)."""
    if answered_at is None:
        answered_at = (
            challenge.questions.filter(answered_at__isnull=False)
            .order_by("-answered_at")
            .values_list("answered_at", flat=True)
            .first()
        )
    deadline = challenge.proposal_deadline
    if answered_at is None or deadline is None or not is_formal(challenge):
        return None
    if calculations.answers_in_time(answered_at, deadline):
        return None
    return LateAnswers(
        answered_at=answered_at,
        latest=calculations.answers_due_by(deadline),
        proposed_deadline=restoring_deadline(deadline, answered_at),
        can_extend=timezone.now() < deadline,
    )


@dataclass
class AnswersPublication:
    published_at: datetime
    questions: list = field(default_factory=list)
    warning: LateAnswers | None = None


@transaction.atomic
def questions_publish_answers(*, challenge, actor) -> AnswersPublication:
    """Publish every drafted answer at once, with the same published time."""
    require_member(
        actor, challenge.buyer, message=_("Seul un agent de l'acheteur publie les réponses.")
    )
    require_status(challenge, *QUESTION_STAGES, message=_("Les questions sont fermées."))
    require_before(
        challenge.proposal_deadline,
        message=_("La date limite des propositions est passée."),
    )
    drafted = (
        challenge.questions.select_for_update()
        .filter(answered_at__isnull=True)
        .exclude(draft_answer="")
    )
    ids = sorted(drafted.values_list("pk", flat=True))
    if not ids:
        raise WrongState(_("Aucune réponse rédigée à publier."), code="nothing_to_publish")
    now = timezone.now()
    Question.objects.filter(pk__in=ids).update(answer=F("draft_answer"), answered_at=now)
    warning = answers_late(challenge, now)
    audit_record(
        verb="answers.published",
        actor=actor,
        challenge=challenge,
        data={
            "questions": ids,
            "published_at": now,
            "warning": warning.as_dict() if warning else None,
        },
    )
    notify_answers_published(challenge)
    return AnswersPublication(
        published_at=now,
        questions=list(Question.objects.filter(pk__in=ids).order_by("asked_at", "id")),
        warning=warning,
    )

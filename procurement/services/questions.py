"""Public questions on a published challenge, and the buyer's answers."""

import hashlib

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.errors import Forbidden, WrongState
from procurement.models import OrganisationKind, Question
from procurement.models.challenges import ChallengeStatus
from procurement.services.audit import audit_record
from procurement.services.common import (
    require_before,
    require_member,
    require_status,
    validated_save,
)
from procurement.services.notifications import notify_answers_published


def author_hash(challenge, organisation) -> str:
    """Linkable but anonymous: the same organisation gets the same hash in one challenge
    (as ProZorro does), and nobody can recover its name from it."""
    secret = f"{settings.SECRET_KEY}:question:{challenge.pk}:{organisation.pk}"
    return hashlib.sha256(secret.encode()).hexdigest()[:16]


@transaction.atomic
def question_ask(*, challenge, actor, organisation, text: str) -> Question:
    require_member(actor, organisation, message=_("Vous n'êtes pas membre de cette organisation."))
    if organisation.kind != OrganisationKind.PARTNER:
        raise Forbidden(_("Seuls les partenaires posent des questions."), code="not_a_partner")
    require_status(
        challenge,
        ChallengeStatus.POSITIONING,
        ChallengeStatus.PROPOSALS,
        message=_("Les questions sont fermées."),
    )
    require_before(challenge.proposal_deadline, message=_("Les questions sont closes."))
    question = Question(
        challenge=challenge,
        organisation=organisation,
        text=text,
        author_hash=author_hash(challenge, organisation),
    )
    validated_save(question)
    audit_record(verb="question.asked", actor=actor, challenge=challenge, obj=question)
    return question


@transaction.atomic
def question_answer(*, question: Question, actor, answer: str) -> Question:
    challenge = question.challenge
    require_member(
        actor, challenge.buyer, message=_("Seul un agent de l'acheteur répond aux questions.")
    )
    if question.answered_at is not None:
        raise WrongState(_("Cette question a déjà une réponse publiée."), code="already_answered")
    question.answer = answer
    question.answered_at = timezone.now()
    question.save(update_fields=["answer", "answered_at"])
    audit_record(verb="question.answered", actor=actor, challenge=challenge, obj=question)
    # With batch publication, this call moves to the service that publishes the batch.
    notify_answers_published(challenge)
    return question

"""The buyer answers each reservation of the Chambre's opinions."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.errors import ApplicationError, WrongState
from procurement.models import (
    Challenge,
    ChallengeStatus,
    Opinion,
    OpinionSubject,
    ReservationAnswer,
)
from procurement.queries import STAFF_ROLES, latest_opinion
from procurement.services.audit import audit_record
from procurement.services.common import require_member

# Until when the buyer may answer: the call's reservations until the call is
# published, the selection's until the award.
ANSWERABLE = {
    OpinionSubject.CALL: {ChallengeStatus.REVISION, ChallengeStatus.READY},
    OpinionSubject.SELECTION: {
        ChallengeStatus.EXPLORATION,
        ChallengeStatus.COFUNDING,
        ChallengeStatus.DOCUMENTS,
        ChallengeStatus.AWARD,
    },
}


@transaction.atomic
def reservation_answer(
    *, actor, opinion: Opinion, index: int, accepted: bool, answer: str
) -> ReservationAnswer:
    """The buyer answers reservation ``index`` (from 1): accepted, saying what changed,
    or declined, saying why. Answers are public with the opinion."""
    challenge = Challenge.objects.select_related("buyer").get(pk=opinion.challenge_id)
    require_member(
        actor,
        challenge.buyer,
        STAFF_ROLES,
        message=_("Seul un agent de l'acheteur répond aux réserves."),
    )
    if challenge.status not in ANSWERABLE[opinion.subject]:
        raise WrongState(
            _("Les réponses à cet avis ne sont plus modifiables."),
            code="answers_closed",
            extra={"status": challenge.status},
        )
    errors = {}
    if not 1 <= index <= len(opinion.reservations):
        errors["reservation"] = [_("Cet avis n'a pas de réserve n° %(n)s.") % {"n": index}]
    if not (answer or "").strip():
        errors["answer"] = [
            _("Indiquez ce qui a changé.")
            if accepted
            else _("Indiquez pourquoi la réserve est déclinée.")
        ]
    if errors:
        raise ApplicationError(
            _("La réponse à la réserve n'est pas valable."),
            code="invalid_answer",
            extra={"fields": errors},
        )
    row, _created = ReservationAnswer.objects.update_or_create(
        opinion=opinion,
        index=index,
        defaults={
            "accepted": accepted,
            "answer": answer.strip(),
            "answered_by": actor,
            "answered_at": timezone.now(),
        },
    )
    audit_record(
        verb="opinion.reservation_answered",
        actor=actor,
        challenge=challenge,
        obj=row,
        data={"opinion": opinion.pk, "index": index, "accepted": accepted, "answer": row.answer},
    )
    return row


def reservations_answer_all(*, actor, challenge, subject: str, answers: list[dict]) -> None:
    """Answer several reservations of the latest opinion on ``subject`` at once; each
    item names its reservation by number (from 1) or by its text."""
    if not answers:
        return
    opinion = latest_opinion(challenge, subject)
    if opinion is None:
        raise WrongState(_("La Chambre n'a rendu aucun avis à ce sujet."), code="no_opinion")
    for item in answers:
        ref = item.get("reservation")
        index = ref if isinstance(ref, int) else _index_of(opinion, str(ref or ""))
        reservation_answer(
            actor=actor,
            opinion=opinion,
            index=index,
            accepted=item.get("accepted", False),
            answer=item.get("answer", ""),
        )


def _index_of(opinion, text: str) -> int:
    reservations = opinion.reservations if opinion else []
    text = text.strip()
    if text.isascii() and text.isdigit():
        return int(text)
    return reservations.index(text) + 1 if text in reservations else 0


def require_reservations_answered(challenge, subject: str) -> None:
    """409 while a reservation of the latest opinion on ``subject`` has no answer."""
    opinion = latest_opinion(challenge, subject)
    if opinion is None or not opinion.reservations:
        return
    answered = set(opinion.answers.values_list("index", flat=True))
    missing = [i for i in range(1, len(opinion.reservations) + 1) if i not in answered]
    if missing:
        raise WrongState(
            _("Répondez d'abord à chaque réserve de l'avis de la Chambre (n° %(list)s).")
            % {"list": ", ".join(map(str, missing))},
            code="reservations_unanswered",
            extra={"unanswered": missing},
        )

"""The Chambre des communs' advisory opinions on a call and on its selection."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.errors import ApplicationError
from procurement.models import ChallengeStatus, Opinion, OpinionSubject, Verdict
from procurement.queries import CHAMBRE_ROLES, OPINION_ROLES
from procurement.services.audit import audit_record
from procurement.services.common import require_member, require_status, validated_save

# Who may issue an opinion in the Chambre's name (issue 6 adds the rapporteur's draft).
ISSUING_ROLES = OPINION_ROLES

STAGE_FOR = {
    OpinionSubject.CALL: ChallengeStatus.IN_REVIEW,
    OpinionSubject.SELECTION: ChallengeStatus.SELECTION_REVIEW,
}


@transaction.atomic
def opinion_issue(
    *,
    challenge,
    actor,
    subject: str,
    verdict: str,
    reasons: str = "",
    reservations: list[str] | None = None,
    recommended_commons=(),
    licence_requirements: str = "",
) -> Opinion:
    """Record the Chambre's advisory opinion and move the challenge on.

    On the call: favorable → ready to publish; with reservations or unfavorable → the
    buyer revises (the opinion is advisory: the buyer may still publish after
    revising). On the selection: the cofunding round comes next whatever the verdict.
    """
    require_member(
        actor,
        challenge.chambre,
        ISSUING_ROLES,
        message=_("Seul le modérateur de la Chambre des communs peut rendre un avis."),
    )
    require_status(
        challenge, STAGE_FOR[subject], message=_("Aucun avis n'est attendu à cette étape.")
    )
    reservations = [r.strip() for r in (reservations or []) if r and r.strip()]
    if verdict == Verdict.RESERVATIONS and not reservations:
        raise ApplicationError(
            _("Un avis favorable avec réserves énonce au moins une réserve."),
            code="reservations_required",
            extra={"fields": {"reservations": [_("Indiquez au moins une réserve.")]}},
        )
    if verdict == Verdict.UNFAVORABLE and not reasons.strip():
        raise ApplicationError(
            _("Un avis défavorable doit être motivé."),
            code="reasons_required",
            extra={"fields": {"reasons": [_("Indiquez les motifs de l'avis.")]}},
        )
    opinion = Opinion(
        challenge=challenge,
        subject=subject,
        verdict=verdict,
        reasons=reasons,
        reservations=reservations,
        licence_requirements=licence_requirements,
        issued_by=actor,
        issued_at=timezone.now(),
    )
    validated_save(opinion)
    opinion.recommended_commons.set(recommended_commons)
    if subject == OpinionSubject.CALL:
        challenge.status = (
            ChallengeStatus.READY if verdict == Verdict.FAVORABLE else ChallengeStatus.REVISION
        )
    else:
        challenge.status = ChallengeStatus.COFUNDING
    challenge.save(update_fields=["status", "updated_at"])
    audit_record(
        verb=f"opinion.{subject}",
        actor=actor,
        challenge=challenge,
        obj=opinion,
        data={"verdict": verdict, "reservations": reservations},
    )
    return opinion


__all__ = ["CHAMBRE_ROLES", "opinion_issue"]

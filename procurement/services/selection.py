"""The buyer's choices after scoring: the proposals selected from the ranking, then
the award of the contract(s) to selected proposals."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.errors import ApplicationError
from kernel.guards import require_status
from procurement.models import Challenge, ChallengeStatus
from procurement.models.opinions import OpinionSubject
from procurement.models.proposals import ProposalStatus
from procurement.services.audit import audit_record
from procurement.services.common import require_member
from procurement.services.notifications import (
    notify_challenge_awarded,
    notify_proposals_selected,
)
from procurement.services.opinions import (
    referral_open,
    require_reservations_answered,
)
from procurement.services.stages import challenge_stage_move


@transaction.atomic
def proposals_select(
    *,
    challenge: Challenge,
    actor,
    proposal_ids: list[int],
    cofunding_deadline: datetime,
    justification: str = "",
) -> list:
    """The buyer selects proposals from the ranking and sets the cofunding deadline."""
    require_member(
        actor, challenge.buyer, message=_("Seul un agent de l'acheteur peut sélectionner.")
    )
    require_status(
        challenge, ChallengeStatus.SELECTION, message=_("La sélection n'est pas ouverte.")
    )
    submitted = challenge.proposals.filter(status=ProposalStatus.SUBMITTED)
    chosen = list(submitted.filter(pk__in=proposal_ids))
    errors: dict[str, list[str]] = {}
    if not proposal_ids:
        errors["proposals"] = [_("Sélectionnez au moins une proposition.")]
    elif len(chosen) != len(set(proposal_ids)):
        errors["proposals"] = [
            _("Certaines propositions n'existent pas ou n'ont pas été déposées.")
        ]
    if cofunding_deadline <= timezone.now():
        errors["cofunding_deadline"] = [_("La clôture du cofinancement doit être future.")]
    if errors:
        raise ApplicationError(
            _("La sélection n'est pas valable."), code="invalid_selection", extra={"fields": errors}
        )
    submitted.filter(pk__in=proposal_ids).update(status=ProposalStatus.SELECTED)
    submitted.exclude(pk__in=proposal_ids).update(status=ProposalStatus.REJECTED)
    challenge.cofunding_deadline = cofunding_deadline
    challenge_stage_move(
        challenge=challenge,
        to=ChallengeStatus.SELECTION_REVIEW,
        actor=actor,
        also=("cofunding_deadline",),
    )
    audit_record(
        verb="proposals.selected",
        actor=actor,
        challenge=challenge,
        data={"selected": sorted(p.pk for p in chosen), "justification": justification},
    )
    referral_open(challenge=challenge, subject=OpinionSubject.SELECTION, note=justification)
    notify_proposals_selected(challenge)
    return chosen


@transaction.atomic
def challenge_award(*, challenge: Challenge, actor, proposal_ids: list[int]) -> Challenge:
    """The buyer awards the contract(s) to selected proposals; the process ends."""
    require_member(actor, challenge.buyer, message=_("Seul un agent de l'acheteur peut attribuer."))
    require_status(challenge, ChallengeStatus.AWARD, message=_("L'attribution n'est pas ouverte."))
    require_reservations_answered(challenge, OpinionSubject.SELECTION)
    selected = challenge.proposals.filter(status=ProposalStatus.SELECTED)
    chosen = selected.filter(pk__in=proposal_ids)
    if not proposal_ids or chosen.count() != len(set(proposal_ids)):
        raise ApplicationError(
            _("Attribuez le marché à une ou plusieurs propositions retenues."),
            code="invalid_award",
            extra={"fields": {"proposals": [_("Choisissez parmi les propositions retenues.")]}},
        )
    chosen.update(status=ProposalStatus.AWARDED)
    challenge.awarded_at = timezone.now()
    challenge_stage_move(
        challenge=challenge, to=ChallengeStatus.AWARDED, actor=actor, also=("awarded_at",)
    )
    audit_record(
        verb="challenge.awarded",
        actor=actor,
        challenge=challenge,
        data={"awarded": sorted(int(p) for p in set(proposal_ids))},
    )
    notify_challenge_awarded(challenge)
    return challenge

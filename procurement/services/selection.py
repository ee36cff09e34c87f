"""The buyer's choices after scoring, lot by lot: the proposals selected from each
lot's ranking, then the award of each lot's contract to a selected proposal."""

from collections.abc import Mapping
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.errors import ApplicationError, WrongState
from kernel.guards import require_status
from procurement.models import Challenge, ChallengeStatus, Framing, LotOutcome, Proposal
from procurement.models.opinions import OpinionSubject
from procurement.models.proposals import ProposalStatus
from procurement.services.audit import audit_record
from procurement.services.common import require_member
from procurement.services.notifications import notify_proposals_selected
from procurement.services.opinions import (
    referral_open,
    require_reservations_answered,
)
from procurement.services.stages import challenge_stage_move


def _chosen_by_lot(challenge: Challenge, chosen_ids: set[int]) -> dict[int, list[int]]:
    """The chosen proposals answering each lot of the call, by lot number (every lot
    appears, with an empty list when nothing answering it is chosen)."""
    by_lot: dict[int, list[int]] = {n: [] for n in challenge.lots.values_list("number", flat=True)}
    for number, proposal_id in Proposal.lots.through.objects.filter(
        proposal_id__in=chosen_ids
    ).values_list("lot__number", "proposal_id"):
        by_lot[number].append(proposal_id)
    return {n: sorted(ids) for n, ids in by_lot.items()}


def _selection_problems(
    challenge: Challenge,
    by_lot: dict[int, list[int]],
    leaders: Mapping[int, int | None],
    justification: str,
) -> dict[str, list[str]]:
    """What is wrong with a selection, lot by lot.

    Each lot is awarded separately (article L2113-10): under a *marché public* one
    proposal at most is retained per lot, since each lot is one contract. A lot's
    retained proposal that is not the first of its ranking (``leaders``, the first
    proposal not eliminated), or a lot left without any retained proposal although it
    has a ranked one, departs from the ranking: the buyer must justify it, and the
    justification is printed in the rapport d'analyse des offres. Article L2152-7
    awards each contract to the economically most advantageous offer: a departure
    states a reason the ranking does not show, such as an offer found irregular or
    abnormally low after the scoring (articles L2152-2 and L2152-5)."""
    problems: dict[str, list[str]] = {}
    if challenge.framing == Framing.PUBLIC_CONTRACT:
        for number, ids in by_lot.items():
            if len(ids) > 1:
                problems.setdefault("proposals", []).append(
                    _(
                        "Lot n° %(lot)s : une seule proposition peut être retenue, car chaque "
                        "lot fait l'objet d'un marché distinct ; vous en retenez %(count)s."
                    )
                    % {"lot": number, "count": len(ids)}
                )
    departures = []
    for number, ids in by_lot.items():
        leader = leaders.get(number)
        if leader is not None and leader not in ids:
            departures.append(str(number))
    if departures and not justification.strip():
        problems["justification"] = [
            _(
                "La sélection s'écarte du classement pour le lot n° %(lots)s (la première "
                "proposition du lot n'est pas retenue) : justifiez ce choix ; la "
                "justification figure au rapport d'analyse des offres."
            )
            % {"lots": ", ".join(departures)}
        ]
    return problems


@transaction.atomic
def proposals_select(
    *,
    challenge: Challenge,
    actor,
    proposal_ids: list[int],
    cofunding_deadline: datetime,
    justification: str = "",
    leaders: Mapping[int, int | None] | None = None,
) -> list:
    """The buyer selects proposals from the rankings, lot by lot, and sets the cofunding
    deadline. ``leaders`` gives each lot's first-ranked proposal (by lot number), from
    the scoring (``workflows.operations.selection_make``): departing from it needs a
    justification (``_selection_problems``)."""
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
    by_lot = _chosen_by_lot(challenge, {p.pk for p in chosen})
    if not errors:
        errors = _selection_problems(challenge, by_lot, leaders or {}, justification)
    if errors:
        raise ApplicationError(
            _("La sélection n'est pas valable."), code="invalid_selection", extra={"fields": errors}
        )
    submitted.filter(pk__in=proposal_ids).update(status=ProposalStatus.SELECTED)
    submitted.exclude(pk__in=proposal_ids).update(status=ProposalStatus.REJECTED)
    challenge.cofunding_deadline = cofunding_deadline
    challenge.selection_justification = justification.strip()
    challenge_stage_move(
        challenge=challenge,
        to=ChallengeStatus.SELECTION_REVIEW,
        actor=actor,
        also=("cofunding_deadline", "selection_justification"),
    )
    audit_record(
        verb="proposals.selected",
        actor=actor,
        challenge=challenge,
        data={
            "selected": sorted(p.pk for p in chosen),
            "lots": {str(n): ids for n, ids in by_lot.items()},
            "justification": justification,
        },
    )
    referral_open(challenge=challenge, subject=OpinionSubject.SELECTION, note=justification)
    notify_proposals_selected(challenge)
    return chosen


@transaction.atomic
def challenge_award(
    *, challenge: Challenge, actor, proposal_ids: list[int], standstill: bool = False
) -> Challenge:
    """The buyer decides the award, lot by lot: the awarded proposals and each lot's
    outcome. A lot no awarded proposal answers is declared unsuccessful (infructueux):
    its outcome is recorded and printed, and the buyer may consult again for it.

    The decision is not the signature: the rejection letters go to the unsuccessful
    candidates next (R2181-1, R2181-3), then the contract is signed, after the standstill
    in a formal procedure (``procurement.services.award.contract_sign``, R2182-1); in a
    MAPA, only if the buyer chooses to observe it (``standstill``). Decided once (409
    after)."""
    require_member(actor, challenge.buyer, message=_("Seul un agent de l'acheteur peut attribuer."))
    require_status(challenge, ChallengeStatus.AWARD, message=_("L'attribution n'est pas ouverte."))
    if challenge.award_decided_at is not None:
        raise WrongState(_("L'attribution est déjà décidée."), code="award_decided")
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
    now = timezone.now()
    by_lot = _chosen_by_lot(challenge, {int(p) for p in proposal_ids})
    awarded_lots = [n for n, ids in by_lot.items() if ids]
    challenge.lots.filter(number__in=awarded_lots).update(
        outcome=LotOutcome.AWARDED, outcome_at=now
    )
    challenge.lots.exclude(number__in=awarded_lots).update(
        outcome=LotOutcome.UNSUCCESSFUL, outcome_at=now
    )
    challenge.award_decided_at = now
    challenge.mapa_standstill = standstill
    challenge.save(update_fields=["award_decided_at", "mapa_standstill", "updated_at"])
    audit_record(
        verb="challenge.award_decided",
        actor=actor,
        challenge=challenge,
        data={
            "awarded": sorted(int(p) for p in set(proposal_ids)),
            "lots": {str(n): ids for n, ids in by_lot.items()},
            "unsuccessful_lots": sorted(set(by_lot) - set(awarded_lots)),
            "standstill_chosen": standstill,
        },
    )
    return challenge

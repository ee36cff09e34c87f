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
from procurement.services.award_rules import require_essential_data
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
    elif (
        challenge.exploration_planned
        and challenge.exploration_end is not None
        and cofunding_deadline <= challenge.exploration_end
    ):
        # The round opens after the exploration (seed 003): it closes after it too.
        errors["cofunding_deadline"] = [
            _(
                "Le cofinancement suit l'exploration : sa clôture doit suivre la fin de "
                "l'exploration."
            )
        ]
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


def _unawarded_reasons(
    challenge: Challenge, by_lot: dict[int, list[int]], lot_reasons: Mapping
) -> tuple[dict[int, str], dict]:
    """Each lot left unawarded and why, or what is wrong with the reasons given.

    Article R2185-1: a buyer that does not award a contract tells the candidates, as
    soon as possible, the reasons of its decision. A lot whose proposal was selected and
    is not awarded needs the buyer's reason now; a lot on which nothing was selected
    already has one, the selection's justification (required then when the lot had a
    ranked offer, ``_selection_problems``), which a reason given now replaces. A lot
    with no selected proposal and no justification received no valid offer: it is
    infructueux, and its letters say so from the eliminations. The problems are keyed
    ``lot_reasons`` then by lot number."""
    reasons: dict[int, str] = {}
    wanted: dict[int, str] = {}
    problems: dict[str, list[str]] = {}
    for raw, text in (lot_reasons or {}).items():
        try:
            number = int(raw)
        except (TypeError, ValueError):
            number = None
        if number not in by_lot:
            problems[str(raw)] = [_("Cet appel n'a pas de lot n° %(lot)s.") % {"lot": raw}]
            continue
        wanted[number] = str(text or "").strip()
    selected_on = set(
        Proposal.lots.through.objects.filter(
            proposal__challenge=challenge, proposal__status=ProposalStatus.SELECTED
        ).values_list("lot__number", flat=True)
    )
    for number, ids in sorted(by_lot.items()):
        if ids:
            continue
        reason = wanted.get(number, "")
        if not reason and number in selected_on:
            problems[str(number)] = [
                _(
                    "Le lot n° %(lot)s, dont une proposition était retenue, n'est pas "
                    "attribué : donnez-en le motif, communiqué aux candidats (article R2185-1 "
                    "du code de la commande publique)."
                )
                % {"lot": number}
            ]
        reasons[number] = reason or (
            "" if number in selected_on else challenge.selection_justification
        )
    return reasons, {"lot_reasons": problems} if problems else {}


@transaction.atomic
def challenge_award(
    *,
    challenge: Challenge,
    actor,
    proposal_ids: list[int],
    standstill: bool = False,
    lot_reasons: Mapping | None = None,
) -> Challenge:
    """The buyer decides the award, lot by lot: the awarded proposals and each lot's
    outcome. A lot no awarded proposal answers is declared unsuccessful (infructueux):
    its outcome is recorded and printed, and the buyer may consult again for it.

    The decision is not the signature: the rejection letters go to the unsuccessful
    candidates next (R2181-1, R2181-3), then the contract is signed, after the standstill
    in a formal procedure (``procurement.services.award.contract_sign``, R2182-1); in a
    MAPA, only if the buyer chooses to observe it (``standstill``). A lot left unawarded
    states why (``lot_reasons``, by lot number: ``_unawarded_reasons``, article R2185-1).
    Under a marché public the données essentielles of each contract must be complete
    (article R2196-1: ``award_rules.essential_data_problems``), or the award is refused
    (400, code ``essential_data_missing``, naming each missing field). Decided once (409
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
    by_lot = _chosen_by_lot(challenge, {int(p) for p in proposal_ids})
    reasons, problems = _unawarded_reasons(challenge, by_lot, lot_reasons or {})
    if problems:
        raise ApplicationError(
            _("L'attribution n'est pas valable."),
            code="invalid_award",
            extra={"fields": problems},
        )
    require_essential_data(challenge, [int(p) for p in set(proposal_ids)])
    chosen.update(status=ProposalStatus.AWARDED)
    now = timezone.now()
    awarded_lots = [n for n, ids in by_lot.items() if ids]
    challenge.lots.filter(number__in=awarded_lots).update(
        outcome=LotOutcome.AWARDED, outcome_at=now, outcome_reason=""
    )
    for number, reason in reasons.items():
        challenge.lots.filter(number=number).update(
            outcome=LotOutcome.UNSUCCESSFUL, outcome_at=now, outcome_reason=reason
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
            "unsuccessful_lots": {str(n): reason for n, reason in reasons.items()},
            "standstill_chosen": standstill,
        },
    )
    return challenge

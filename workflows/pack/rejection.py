"""The letters to the candidates after the award decision, from each lot's ranking,
the evaluators' comments and the decision: on an awarded lot, a rejection letter to each
candidate but the awardee (articles R2181-1 and R2181-3); on a lot left unawarded, a
letter giving the reasons to each of its candidates (article R2185-1). None hors
marché: subsidies are decided under conventions."""

import dataclasses
from datetime import datetime
from decimal import Decimal

from kernel.formats import format_eur
from procurement.documents import context as ctx
from procurement.models import (
    Challenge,
    Framing,
    Lot,
    LotOutcome,
    Proposal,
    ProposalStatus,
    WorkingGroupMember,
)
from scoring.models import SCALE_MAX
from scoring.queries import counted_comments, criteria_of
from scoring.ranking import compute_rankings, offered_prices
from workflows.pack.call import party

PRICE_REASON = (
    "Critère noté par la formule publiée au règlement de la consultation (prix le plus bas "
    "÷ prix offert × 10)."
)


def _price_reason(own: Decimal | None, awardee: Decimal | None) -> str:
    if own is None or awardee is None:
        return PRICE_REASON
    return (
        f"{PRICE_REASON} Votre prix pour ce lot est de {format_eur(own)} HT ; celui de "
        f"l'offre retenue de {format_eur(awardee)} HT."
    )


def rejection_contexts(
    challenge: Challenge,
    base: ctx.ChallengeContext,
    *,
    sent_at: datetime,
    signature_from: datetime,
) -> list[tuple[str, int, ctx.RejectionContext]]:
    """(key, addressee proposal id, context) of each rejection letter, lot by lot: every
    proposal a lot ranked, other than the one awarded that lot, gets one. The letters
    are dated ``sent_at`` and give ``signature_from`` as the first day the contract may
    be signed. A call hors marché awards subsidies, not contracts: none there."""
    if challenge.framing != Framing.PUBLIC_CONTRACT:
        return []
    base = dataclasses.replace(base, generated_at=sent_at)
    rankings = compute_rankings(challenge)
    proposals = {
        p.pk: p
        for p in Proposal.objects.filter(challenge=challenge).exclude(status=ProposalStatus.DRAFT)
    }
    awarded_on: dict[int, int] = {}
    for lot_id, proposal_id in Proposal.lots.through.objects.filter(
        proposal__challenge=challenge, proposal__status=ProposalStatus.AWARDED
    ).values_list("lot_id", "proposal_id"):
        awarded_on[lot_id] = proposal_id
    members: dict[int, list[ctx.Party]] = {}
    for member in (
        WorkingGroupMember.objects.filter(group__resource__challenge=challenge)
        .select_related("organisation")
        .order_by("organisation__name")
    ):
        members.setdefault(member.group_id, []).append(party(member.organisation))
    criteria = {c.code: c for c in criteria_of(challenge)}
    per_mark, overall = counted_comments(challenge)
    prices = offered_prices(challenge) if any(c.by_formula for c in criteria.values()) else {}
    letters = []
    for item in rankings:
        lot = item.lot
        awardee_id = awarded_on.get(lot.pk)
        if lot.outcome != LotOutcome.AWARDED or awardee_id is None:
            continue
        awardee = item.ranking.entry(awardee_id)
        lot_prices = prices.get(lot.pk, {})
        for entry in item.ranking.entries:
            proposal = proposals[entry.proposal_id]
            if proposal.status == ProposalStatus.AWARDED:
                continue
            comparisons = []
            for result in entry.criteria:
                criterion = criteria[result.code]
                theirs = awardee.criterion(result.code)
                if criterion.by_formula:
                    reasons: tuple[str, ...] = (
                        _price_reason(lot_prices.get(proposal.pk), lot_prices.get(awardee_id)),
                    )
                else:
                    # identical comments of several evaluators are given once
                    reasons = tuple(dict.fromkeys(per_mark.get((proposal.pk, result.code), ())))
                scale_max = SCALE_MAX.get(criterion.scale)
                comparisons.append(
                    ctx.CriterionComparison(
                        code=criterion.code,
                        label=criterion.label,
                        weight=criterion.weight,
                        scale_max=Decimal(scale_max) if scale_max is not None else None,
                        candidate_mark=result.aggregated,
                        candidate_points=result.contribution,
                        awardee_mark=theirs.aggregated,
                        awardee_points=theirs.contribution,
                        reasons=reasons,
                    )
                )
            awarded_proposal = proposals[awardee_id]
            letters.append(
                (
                    f"lot-{lot.number}-p{proposal.pk}",
                    proposal.pk,
                    ctx.RejectionContext(
                        challenge=base,
                        lot_number=lot.number,
                        lot_title=lot.title,
                        candidate=tuple(members.get(proposal.group_id, ())),
                        candidate_offer=proposal.title,
                        awardee=tuple(members.get(awarded_proposal.group_id, ())),
                        awardee_offer=awarded_proposal.title,
                        awardee_rank=awardee.rank,
                        departure_reason=(
                            challenge.selection_justification if awardee.rank > 1 else ""
                        ),
                        rank=entry.rank,
                        ranked=len(item.ranking.entries),
                        total=entry.total,
                        awardee_total=awardee.total,
                        criteria=tuple(comparisons),
                        general_remarks=tuple(dict.fromkeys(overall.get(proposal.pk, ()))),
                        eliminated=entry.elimination_reasons,
                        sent_at=sent_at,
                        signature_from=signature_from,
                    ),
                )
            )
    return letters


def discontinuation_contexts(
    challenge: Challenge, base: ctx.ChallengeContext, *, sent_at: datetime
) -> list[tuple[str, int, ctx.DiscontinuationContext]]:
    """(key, addressee proposal id, context) of each letter on a lot left unawarded
    (article R2185-1): every proposal answering the lot gets the buyer's reason
    (``Lot.outcome_reason``), or, when the lot is infructueux, why its offer was
    eliminated; a ranked offer also gets its rank and score. Dated ``sent_at``, like the
    rejection letters."""
    if challenge.framing != Framing.PUBLIC_CONTRACT or challenge.award_decided_at is None:
        return []
    unawarded = {
        lot.pk: lot
        for lot in Lot.objects.filter(challenge=challenge, outcome=LotOutcome.UNSUCCESSFUL)
    }
    if not unawarded:
        return []
    base = dataclasses.replace(base, generated_at=sent_at)
    proposals = {
        p.pk: p
        for p in Proposal.objects.filter(challenge=challenge).exclude(status=ProposalStatus.DRAFT)
    }
    members: dict[int, list[ctx.Party]] = {}
    for member in (
        WorkingGroupMember.objects.filter(group__resource__challenge=challenge)
        .select_related("organisation")
        .order_by("organisation__name")
    ):
        members.setdefault(member.group_id, []).append(party(member.organisation))
    letters = []
    for item in compute_rankings(challenge):
        lot = unawarded.get(item.lot.pk)
        if lot is None:
            continue
        for entry in item.ranking.entries:
            proposal = proposals[entry.proposal_id]
            ranked = not entry.eliminated
            letters.append(
                (
                    f"lot-{lot.number}-p{proposal.pk}",
                    proposal.pk,
                    ctx.DiscontinuationContext(
                        challenge=base,
                        lot_number=lot.number,
                        lot_title=lot.title,
                        candidate=tuple(members.get(proposal.group_id, ())),
                        candidate_offer=proposal.title,
                        decided_at=challenge.award_decided_at,
                        reason=lot.outcome_reason,
                        eliminated=tuple(entry.elimination_reasons) if entry.eliminated else (),
                        rank=entry.rank if ranked else None,
                        ranked=len(item.ranking.entries),
                        total=entry.total if ranked else None,
                        sent_at=sent_at,
                    ),
                )
            )
    return letters

"""The avis d'attribution's context: each lot's titulaire and contract price, or its
being unsuccessful, with the number of offers it received."""

from decimal import Decimal

from django.db.models import Count, Prefetch, Q, Sum

from procurement.documents import context as ctx
from procurement.models import (
    BudgetLine,
    BudgetScope,
    Lot,
    LotOutcome,
    Proposal,
    ProposalStatus,
    WorkingGroupMember,
)
from workflows.pack.call import party


def attribution_context(challenge, base) -> ctx.AttributionContext:
    """For an awarded call (``challenge.awarded_at``): per lot, the offers received, and
    the awarded proposal's titulaire (its group's coordinator, else its first member)
    at the lot's contract price. Five queries."""
    lots = Lot.objects.filter(challenge=challenge).annotate(
        offers=Count("proposals", filter=~Q(proposals__status=ProposalStatus.DRAFT))
    )
    awarded = {
        proposal.pk: proposal
        for proposal in Proposal.objects.filter(challenge=challenge, status=ProposalStatus.AWARDED)
        .select_related("group__coordinator")
        .prefetch_related(
            Prefetch(
                "group__members", queryset=WorkingGroupMember.objects.select_related("organisation")
            )
        )
    }
    winners = dict(
        Proposal.lots.through.objects.filter(proposal_id__in=awarded).values_list(
            "lot_id", "proposal_id"
        )
    )
    prices = {
        (row["lot_id"], row["proposal_id"]): row["price"]
        for row in BudgetLine.objects.filter(proposal_id__in=awarded, scope=BudgetScope.CONTRACT)
        .values("lot_id", "proposal_id")
        .annotate(price=Sum("amount"))
    }
    lines = []
    for lot in lots.order_by("number"):
        winner = awarded.get(winners.get(lot.pk))
        if lot.outcome != LotOutcome.AWARDED or winner is None:
            lines.append(
                ctx.AttributionLine(
                    number=lot.number,
                    title=lot.title,
                    offers=lot.offers,
                    # a lot that received no offer is infructueux whatever the reason
                    discontinued=bool(lot.outcome_reason.strip()) and lot.offers > 0,
                )
            )
            continue
        group = winner.group
        members = [m.organisation for m in group.members.all()]
        lines.append(
            ctx.AttributionLine(
                number=lot.number,
                title=lot.title,
                offers=lot.offers,
                titulaire=party(group.coordinator or (members[0] if members else None)),
                amount_ht=prices.get((lot.pk, winner.pk), Decimal(0)),
            )
        )
    return ctx.AttributionContext(
        challenge=base, awarded_at=challenge.awarded_at, lots=tuple(lines)
    )

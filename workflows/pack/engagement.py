"""The contexts of the actes d'engagement: one per lot awarded under a marché public,
at that lot's contract price — the budget lines inside the contract that price the
lot, never what lies outside it and is cofunded (no euro counted twice). Hors marché
there is no acte d'engagement: subsidies go under conventions."""

from decimal import Decimal

from django.db.models import Prefetch, Sum

from procurement.documents import context as ctx
from procurement.models import (
    BudgetLine,
    BudgetScope,
    Framing,
    Proposal,
    ProposalStatus,
    WorkingGroupMember,
)
from workflows.pack.call import party

DEFAULT_VAT_RATE = Decimal("20")


def award_contexts(challenge, base) -> list[tuple[str, ctx.AwardContext]]:
    """One acte d'engagement per lot and the proposal retained on it (selected, or
    awarded once the award is made), keyed ``lot-<number>``."""
    if challenge.framing != Framing.PUBLIC_CONTRACT:
        return []
    retained = (
        Proposal.objects.filter(
            challenge=challenge, status__in=(ProposalStatus.SELECTED, ProposalStatus.AWARDED)
        )
        .select_related("group__coordinator")
        .prefetch_related(
            Prefetch(
                "group__members",
                queryset=WorkingGroupMember.objects.select_related("organisation"),
            )
        )
    )
    by_pk = {p.pk: p for p in retained}
    contract_lines = (
        BudgetLine.objects.filter(proposal_id__in=by_pk, scope=BudgetScope.CONTRACT)
        .values("lot__number", "proposal_id")
        .annotate(price=Sum("amount"))
    )
    prices = {(r["lot__number"], r["proposal_id"]): r["price"] for r in contract_lines}
    lots = (
        Proposal.lots.through.objects.filter(proposal_id__in=by_pk)
        .values_list("lot__number", "proposal_id")
        .order_by("lot__number", "proposal_id")
    )
    contexts = []
    for number, proposal_id in lots:
        proposal = by_pk[proposal_id]
        price = prices.get((number, proposal_id), Decimal(0))
        group = proposal.group
        members = [m.organisation for m in group.members.all()]
        awardee = group.coordinator or (members[0] if members else None)
        contexts.append(
            (
                f"lot-{number}",
                ctx.AwardContext(
                    challenge=base,
                    awardee=party(awardee, "Groupement à désigner"),
                    amount_ht=price,
                    vat_rate=DEFAULT_VAT_RATE,
                    co_contractors=tuple(
                        party(o) for o in members if awardee is None or o.pk != awardee.pk
                    ),
                    duration_label="douze mois à compter de la notification",
                ),
            )
        )
    return contexts

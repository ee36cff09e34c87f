"""The contexts of the cofunding conventions (one per funded commons) and of the
reciprocity contracts (one per partner declaring a commercial use of a funded commons)."""

from datetime import timedelta
from decimal import Decimal

from django.db.models import Prefetch

from kernel.formats import format_date_fr
from procurement.documents import context as ctx
from procurement.models import (
    Bucket,
    Contribution,
    ContributionKind,
    Intent,
    Pledge,
    Position,
    WorkingGroupMember,
)
from workflows.pack.call import party

# A template's default, to be negotiated: 1 % of the revenue earned with the commons.
DEFAULT_REVENUE_SHARE = Decimal("1")


def _funded_buckets(challenge):
    return (
        Bucket.objects.filter(round__challenge=challenge, status=Bucket.Status.FUNDED)
        .select_related(
            "proposal__group__resource__commons__host", "proposal__group__coordinator", "round"
        )
        .prefetch_related(
            Prefetch(
                "pledges",
                queryset=Pledge.objects.filter(status=Pledge.Status.COMMITTED).select_related(
                    "allocation__funder"
                ),
            ),
            Prefetch(
                "proposal__group__members",
                queryset=WorkingGroupMember.objects.select_related("organisation"),
            ),
        )
        .order_by("proposal_id")
    )


def cofunding_contexts(challenge, base) -> list[tuple[str, ctx.CofundingContext]]:
    contexts = []
    for bucket in _funded_buckets(challenge):
        resource = bucket.proposal.group.resource
        by_funder: dict[int, list] = {}
        for pledge in bucket.pledges.all():
            by_funder.setdefault(
                pledge.allocation.funder_id, [pledge.allocation.funder, Decimal(0)]
            )
            by_funder[pledge.allocation.funder_id][1] += pledge.amount
        funders = tuple(ctx.FunderLine(funder=party(f), amount=a) for f, a in by_funder.values())
        total = sum((line.amount for line in funders), Decimal(0))
        start = bucket.round.closed_at.date()
        first = (total * Decimal("0.3")).quantize(Decimal("0.01"))
        commons = resource.commons
        contexts.append(
            (
                str(bucket.proposal_id),
                ctx.CofundingContext(
                    challenge=base,
                    commons=ctx.CommonsRef(
                        name=commons.name if commons else resource.title,
                        licence=bucket.proposal.licence,
                    ),
                    host=party(
                        commons.host if commons else None, "Structure hébergeuse à désigner"
                    ),
                    funders=funders,
                    milestones=(
                        ctx.Milestone(
                            label="Lancement des travaux",
                            due_on=start + timedelta(days=30),
                            amount=first,
                            deliverable="Plan de travail et gouvernance",
                        ),
                        ctx.Milestone(
                            label="Livraison du commun",
                            due_on=start + timedelta(days=365),
                            amount=total - first,
                            deliverable=bucket.proposal.deliverables[:200],
                        ),
                    ),
                    round_label=f"Tour de cofinancement clos le {format_date_fr(start)}",
                ),
            )
        )
    return contexts


def reciprocity_contexts(challenge, base) -> list[tuple[str, ctx.ReciprocityContext]]:
    """A template for each partner that declared a commercial use of a funded commons."""
    contexts = []
    funded = {b.proposal.group.resource_id: b for b in _funded_buckets(challenge)}
    users = (
        Position.objects.filter(resource_id__in=funded, intent=Intent.USE)
        .select_related("organisation", "resource__commons__host")
        .prefetch_related(
            Prefetch(
                "contributions",
                queryset=Contribution.objects.filter(kind=ContributionKind.TECHNICAL_MEANS),
                to_attr="technical_means",
            )
        )
        .order_by("id")
    )
    for position in users:
        bucket = funded[position.resource_id]
        commons = position.resource.commons
        contexts.append(
            (
                str(position.pk),
                ctx.ReciprocityContext(
                    challenge=base,
                    partner=party(position.organisation),
                    commons=ctx.CommonsRef(
                        name=commons.name if commons else position.resource.title,
                        licence=bucket.proposal.licence,
                    ),
                    beneficiary=party(
                        commons.host if commons else None, "Structure hébergeuse à désigner"
                    ),
                    kind=ctx.ReciprocityKind.REVENUE_SHARE,
                    period_label="année",
                    starts_on=bucket.round.closed_at.date(),
                    commercial_use="\n".join(c.description for c in position.technical_means)
                    or "Services commerciaux fondés sur le commun",
                    revenue_share=DEFAULT_REVENUE_SHARE,
                ),
            )
        )
    return contexts

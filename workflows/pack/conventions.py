"""The contexts of the cofunding conventions (one per funded commons) and of the
reciprocity contracts (one per partner declaring a commercial use of a funded commons).

Both name the commons' structure hébergeuse as a signing party: without one, the piece
is not generated and a ``Refusal`` says which commons needs one
(``procurement.services.hosting.resource_host_designate``)."""

from dataclasses import replace
from decimal import Decimal

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from kernel.formats import CENT, format_date_fr, to_paris
from procurement.documents import context as ctx
from procurement.models import (
    Bucket,
    Contribution,
    ContributionKind,
    Income,
    IncomeKind,
    Intent,
    Milestone,
    Pledge,
    Position,
    WorkingGroupMember,
)
from workflows.pack.call import party
from workflows.pack.refusals import Gap, Missing, Refusal

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
                    "allocation__funder", "matching"
                ),
            ),
            Prefetch(
                "proposal__group__members",
                queryset=WorkingGroupMember.objects.select_related("organisation").order_by(
                    "organisation__name"
                ),
            ),
            Prefetch("proposal__milestones", queryset=Milestone.objects.order_by("due_on", "id")),
            Prefetch(
                "proposal__group__resource__commons__ledger__incomes",
                queryset=Income.objects.filter(kind=IncomeKind.SUBSIDY).order_by(
                    "received_on", "id"
                ),
                to_attr="subsidies",
            ),
        )
        .order_by("proposal_id")
    )


def split_over_milestones(total: Decimal, milestones) -> tuple[ctx.Milestone, ...]:
    """The proposal's own milestones, each releasing an equal part of the funds (the
    last one takes the rounding cents): the proposal records no amount per milestone,
    and the convention invents no other schedule."""
    milestones = list(milestones)
    if not milestones:
        return ()
    share = (total / len(milestones)).quantize(CENT)
    amounts = [share] * (len(milestones) - 1)
    amounts.append(total - sum(amounts, Decimal(0)))
    return tuple(
        ctx.Milestone(
            label=milestone.title,
            due_on=milestone.due_on,
            amount=amount,
            deliverable=milestone.deliverable,
        )
        for milestone, amount in zip(milestones, amounts, strict=True)
    )


def _subsidies(commons) -> tuple[ctx.SubsidyLine, ...]:
    ledger = getattr(commons, "ledger", None) if commons is not None else None
    if ledger is None:
        return ()
    return tuple(
        ctx.SubsidyLine(
            grantor=income.source_name,
            amount=income.amount,
            label=income.subsidy_label,
            received_on=income.received_on,
        )
        for income in ledger.subsidies
    )


def _dated(base, moment):
    """The call's context, dated by the later of its own events and ``moment``."""
    return replace(base, generated_at=max(base.generated_at, moment)) if moment else base


def cofunding_contexts(challenge, base) -> list[tuple[str, ctx.CofundingContext | Refusal]]:
    contexts: list[tuple[str, ctx.CofundingContext | Refusal]] = []
    for bucket in _funded_buckets(challenge):
        proposal = bucket.proposal
        resource = proposal.group.resource
        commons = resource.commons
        name = commons.name if commons else resource.title
        if commons is None or commons.host is None:
            contexts.append(
                (
                    str(bucket.proposal_id),
                    Refusal(
                        _(
                            "Convention de cofinancement du commun « %(commons)s » non "
                            "générée : désignez d'abord sa structure hébergeuse, qui reçoit "
                            "les fonds et les reverse aux contributeurs."
                        )
                        % {"commons": name},
                        (Gap(Missing.HOST, resource.pk),),
                    ),
                )
            )
            continue
        by_funder: dict[int, list] = {}
        for pledge in bucket.pledges.all():
            line = by_funder.setdefault(
                pledge.allocation.funder_id,
                [pledge.allocation.funder, Decimal(0), Decimal(0), None],
            )
            line[1] += pledge.amount
            if pledge.matching is not None:  # matching funds honoured at the close
                line[2] += pledge.amount
                line[3] = pledge.matching
        funders = tuple(
            ctx.FunderLine(
                funder=party(f),
                amount=a,
                matched=m,
                ratio=offer.ratio if offer else None,
                cap=offer.cap if offer else None,
            )
            for f, a, m, offer in by_funder.values()
        )
        total = sum((line.amount for line in funders), Decimal(0))
        closed_at = bucket.round.closed_at
        contexts.append(
            (
                str(bucket.proposal_id),
                ctx.CofundingContext(
                    challenge=_dated(base, closed_at),
                    commons=ctx.CommonsRef(name=name, licence=proposal.licence),
                    host=party(commons.host),
                    funders=funders,
                    milestones=split_over_milestones(total, proposal.milestones.all()),
                    round_label=f"clos le {format_date_fr(closed_at)}" if closed_at else "",
                    subsidies=_subsidies(commons),
                    contributors=tuple(
                        party(member.organisation) for member in proposal.group.members.all()
                    ),
                    recourse_court=base.recourse_court,
                ),
            )
        )
    return contexts


def reciprocity_contexts(challenge, base) -> list[tuple[str, ctx.ReciprocityContext | Refusal]]:
    """A template for each partner that declared a commercial use of a funded commons."""
    contexts: list[tuple[str, ctx.ReciprocityContext | Refusal]] = []
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
        name = commons.name if commons else position.resource.title
        if commons is None or commons.host is None:
            contexts.append(
                (
                    str(position.pk),
                    Refusal(
                        _(
                            "Contrat de réciprocité de %(partner)s sur le commun « %(commons)s » "
                            "non généré : désignez d'abord la structure hébergeuse du commun, "
                            "qui reçoit les contributions."
                        )
                        % {"partner": position.organisation.name, "commons": name},
                        (Gap(Missing.HOST, position.resource_id),),
                    ),
                )
            )
            continue
        closed_at = bucket.round.closed_at
        contexts.append(
            (
                str(position.pk),
                ctx.ReciprocityContext(
                    challenge=_dated(base, closed_at),
                    partner=party(position.organisation),
                    commons=ctx.CommonsRef(name=name, licence=bucket.proposal.licence),
                    beneficiary=party(commons.host),
                    kind=ctx.ReciprocityKind.REVENUE_SHARE,
                    period_label="année",
                    starts_on=to_paris(closed_at).date(),
                    commercial_use="\n".join(c.description for c in position.technical_means)
                    or "Services commerciaux fondés sur le commun",
                    revenue_share=DEFAULT_REVENUE_SHARE,
                ),
            )
        )
    return contexts

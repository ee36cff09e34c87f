"""The contexts of the actes d'engagement: one per lot awarded under a marché public,
at that lot's contract price — the budget lines inside the contract that price the
lot, never what lies outside it and is cofunded (no euro counted twice). Hors marché
there is no acte d'engagement: subsidies go under conventions.

A lot's acte d'engagement names its titulaire, and every member of a groupement, by
SIRET, address, legal representative and capacity; it states the groupement's form
and each member's share of the price. When any of it is missing the piece is not drawn
up: its place in the pack says, in French, what is missing and from whom — never a
placeholder party."""

from decimal import Decimal

from django.db.models import Prefetch, Sum
from django.utils.translation import gettext as _

from kernel.language import eur
from procurement.documents import context as ctx
from procurement.models import (
    BudgetLine,
    BudgetScope,
    Framing,
    MemberShare,
    Proposal,
    ProposalStatus,
    WorkingGroupMember,
)
from procurement.services.organisations import identity_missing
from workflows.pack.call import party
from workflows.pack.refusals import Gap, Missing, Refusal


def _identity_problems(number: int, organisations) -> tuple[list[str], tuple[Gap, ...]]:
    """What each organisation's identity lacks, in French, and the organisations to
    complete."""
    problems, gaps = [], []
    for organisation in organisations:
        missing = identity_missing(organisation)
        if missing:
            problems.append(
                _(
                    "Acte d'engagement du lot %(lot)s non établi : l'identité de « %(name)s » "
                    "est incomplète (manque : %(missing)s). Un membre de l'organisation la "
                    "complète dans son espace, page « Mon organisation »."
                )
                % {"lot": number, "name": organisation.name, "missing": ", ".join(missing)}
            )
            gaps.append(Gap(Missing.IDENTITY, organisation.pk))
    return problems, tuple(gaps)


def member_shares_prefetch() -> Prefetch:
    """The retained proposals' member shares, each with its lot and organisation: one
    query for all of them, read by the actes d'engagement."""
    return Prefetch(
        "member_shares", queryset=MemberShare.objects.select_related("lot", "organisation")
    )


def _member_lines(proposal, number: int, price: Decimal, coordinator):
    """The groupement's members on the lot, the mandataire first, with their shares; or
    the French reason why the split cannot be printed."""
    shares = [s for s in proposal.member_shares.all() if s.lot.number == number]
    if not proposal.groupement_kind or not shares:
        return None, _(
            "Acte d'engagement du lot %(lot)s non établi : le groupement de « %(title)s » n'a "
            "déclaré ni sa forme (conjoint ou solidaire) ni la répartition du prix du lot "
            "entre ses membres ; son coordinateur les met au point avant la signature (article "
            "R2152-13)."
        ) % {"lot": number, "title": proposal.title}
    shared = sum((s.amount for s in shares), Decimal(0))
    if shared != price:
        return None, _(
            "Acte d'engagement du lot %(lot)s non établi : les parts des membres du "
            "groupement de « %(title)s » font %(shared)s HT, le prix du lot %(price)s HT."
        ) % {"lot": number, "title": proposal.title, "shared": eur(shared), "price": eur(price)}
    shares.sort(key=lambda s: (s.organisation_id != getattr(coordinator, "pk", None), s.pk))
    return shares, ""


def award_contexts(challenge, base) -> list[tuple[str, ctx.AwardContext | Refusal]]:
    """One acte d'engagement per lot and the proposal retained on it (selected, or
    awarded once the award is decided: a lot left unawarded has none), keyed
    ``lot-<number>``: its context, or a ``Refusal`` saying, in French, which party's
    identity, or which part of the groupement, is missing."""
    return [(key, context) for key, _proposal, context in _engagements(challenge, base)]


def notification_contexts(challenge, base) -> list[tuple[str, int, ctx.NotificationContext]]:
    """Once the buyer has signed (``challenge.awarded_at``): the notification of each
    awarded lot's contract to its titulaire (article R2182-4), keyed ``lot-<number>``
    and addressed to the awarded proposal — for the lots whose acte d'engagement could
    be drawn up."""
    if challenge.awarded_at is None:
        return []
    return [
        (
            key,
            proposal_id,
            ctx.NotificationContext(challenge=base, award=context, signed_at=challenge.awarded_at),
        )
        for key, proposal_id, context in _engagements(challenge, base)
        if not isinstance(context, Refusal)
    ]


def _engagements(challenge, base) -> list[tuple[str, int, ctx.AwardContext | Refusal]]:
    if challenge.framing != Framing.PUBLIC_CONTRACT:
        return []
    statuses = (
        (ProposalStatus.AWARDED,)
        if challenge.award_decided_at is not None
        else (ProposalStatus.SELECTED, ProposalStatus.AWARDED)
    )
    retained = (
        Proposal.objects.filter(challenge=challenge, status__in=statuses)
        .select_related("group__coordinator")
        .prefetch_related(
            Prefetch(
                "group__members",
                queryset=WorkingGroupMember.objects.select_related("organisation").order_by("pk"),
            ),
            member_shares_prefetch(),
            "milestones",
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
    lot_lines = {lot.number: lot for lot in base.lots}
    contexts: list[tuple[str, int, ctx.AwardContext | Refusal]] = []
    for number, proposal_id in lots:
        proposal = by_pk[proposal_id]
        price = prices.get((number, proposal_id), Decimal(0))
        group = proposal.group
        organisations = [m.organisation for m in group.members.all()]
        coordinator = group.coordinator or (organisations[0] if organisations else None)
        key = f"lot-{number}"
        shares = None
        if len(organisations) > 1:
            shares, problem = _member_lines(proposal, number, price, coordinator)
            if problem:
                gap = Gap(Missing.GROUPEMENT, proposal.pk)
                contexts.append((key, proposal_id, Refusal(problem, (gap,))))
                continue
            organisations = [s.organisation for s in shares]
            coordinator = organisations[0]
        problems, gaps = _identity_problems(number, organisations)
        if problems:
            contexts.append((key, proposal_id, Refusal(" ".join(problems), gaps)))
            continue
        contexts.append(
            (
                key,
                proposal_id,
                ctx.AwardContext(
                    challenge=base,
                    lot=lot_lines[number],
                    awardee=party(coordinator),
                    amount_ht=price,
                    vat_regime=ctx.VatRegime(coordinator.vat_regime),
                    groupement=ctx.GroupementForm(proposal.groupement_kind if shares else ""),
                    members=tuple(
                        ctx.MemberLine(
                            party=party(s.organisation),
                            amount_ht=s.amount,
                            vat_regime=ctx.VatRegime(s.organisation.vat_regime),
                        )
                        for s in shares or ()
                    ),
                    milestones=tuple(
                        ctx.StepLine(label=m.title, due_on=m.due_on, deliverable=m.deliverable)
                        for m in proposal.milestones.all()
                    ),
                ),
            )
        )
    return contexts

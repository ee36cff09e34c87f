"""The contexts of the contrats d'hébergement: one per commons of a retained proposal,
binding its structure hébergeuse, the buyer and the organisations of the working group
that produces it.

A contract is drawn up for a commons that has a host or is funded by the round (one
without either receives no money to host). A lawyer signs only a deed whose parties are
all identified: without the host, the commons' licence or any party's legal form, SIRET,
address or representative, the piece is a ``Refusal`` listing in French everything
missing, with the gaps the buyer's page points to (``portal.pack_gaps``).

What the host passes on is the retained proposal's cofundable budget: under a marché
public its lines outside the contract (the price is paid by the buyer to the
titulaires under the acte d'engagement), hors marché all of them. It covers every lot
the proposal answers: the round funds a proposal as a whole (one bucket each) and its
convention names the host of the group's commons, so that host receives the funds of
all its lots. A single contributor receives the whole budget passed on; among several,
the contract fixes no amount per contributor and says how the split is decided
(``contrat_hebergement._write_budget``). No recorded split applies: a groupement's
member shares split the contract price, which the host never handles, and exist under
a marché public only (``proposal_submit`` refuses them hors marché; shares recorded
hors marché before that rule are not read).

The contract price is stated lot by lot (``_lot_prices``): each lot is a marché of its
own (article L2113-10), so the contract names the lots a proposal answering several is
paid for."""

from dataclasses import replace
from decimal import Decimal

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from procurement.documents import context as ctx
from procurement.models import (
    ApprovalRule,
    Bucket,
    BudgetScope,
    Framing,
    Ledger,
    ProposalStatus,
    WorkingGroupMember,
)
from procurement.queries.proposals import budget_split_of
from procurement.services.organisations import identity_missing
from workflows.pack.call import party
from workflows.pack.refusals import Gap, Missing, Refusal


def hosting_party(organisation) -> ctx.Party:
    """The organisation as a party to the contract, its legal form included."""
    base = party(organisation)
    return ctx.Party(
        name=base.name,
        siret=base.siret,
        address=base.address,
        representative=base.representative,
        legal_form=organisation.legal_form.strip() or None,
    )


def party_missing(organisation) -> list[str]:
    """What the contract needs to identify ``organisation`` and it has not stated: its
    legal form, then what an acte d'engagement needs (``identity_missing``)."""
    missing = [] if organisation.legal_form.strip() else [_("forme juridique")]
    return missing + identity_missing(organisation)


def approval_rule_text(ledger: Ledger | None) -> str:
    """How the group approves an expense, as the contract says it."""
    if ledger is not None and ledger.approval_rule == ApprovalRule.FIXED:
        return f"{ledger.approvals_required} des autres organisations membres du groupe au moins"
    return "la majorité des autres organisations membres du groupe"


def _retained(challenge):
    return (
        challenge.proposals.filter(status__in=(ProposalStatus.SELECTED, ProposalStatus.AWARDED))
        .select_related("group__resource__commons__host", "group__coordinator")
        .prefetch_related(
            Prefetch(
                "group__members",
                queryset=WorkingGroupMember.objects.select_related("organisation").order_by(
                    "organisation__name"
                ),
            ),
            "budget_lines",
            "lots",
        )
        .order_by("pk")
    )


def _lot_prices(proposal) -> tuple[ctx.LotPrice, ...]:
    """The price of each lot the proposal's contract lines price (article L2113-10: one
    marché per lot), from its prefetched lines and lots; none hors marché. A line
    recorded without its lot prices the proposal's only lot; with several lots such a
    line leaves the split unknown, and none is given."""
    if proposal.challenge.framing != Framing.PUBLIC_CONTRACT:
        return ()
    numbers = {lot.pk: lot.number for lot in proposal.lots.all()}
    only = next(iter(numbers.values())) if len(numbers) == 1 else None
    prices: dict[int, Decimal] = {}
    for line in proposal.budget_lines.all():
        if line.scope == BudgetScope.CONTRACT:
            number = numbers.get(line.lot_id, only)
            if number is None:
                return ()
            prices[number] = prices.get(number, Decimal(0)) + line.amount
    return tuple(ctx.LotPrice(number=n, price=prices[n]) for n in sorted(prices))


def hosting_contexts(challenge, base) -> list[tuple[str, ctx.HostingContext | Refusal]]:
    """One contract per retained proposal's commons (keyed by the resource), or the
    refusal that says what it waits for. A constant number of queries."""
    proposals = list(_retained(challenge))
    commons_ids = [p.group.resource.commons_id for p in proposals if p.group.resource.commons_id]
    ledgers = {
        ledger.commons_id: ledger for ledger in Ledger.objects.filter(commons_id__in=commons_ids)
    }
    funded = {
        b.proposal_id: b.total
        for b in Bucket.objects.filter(round__challenge=challenge, status=Bucket.Status.FUNDED)
    }
    buyer = challenge.buyer
    contexts: list[tuple[str, ctx.HostingContext | Refusal]] = []
    seen: set[int] = set()
    for proposal in proposals:
        group = proposal.group
        resource = group.resource
        if resource.pk in seen:
            continue
        seen.add(resource.pk)
        commons = resource.commons
        name = commons.name if commons is not None else resource.title
        host = commons.host if commons is not None else None
        if host is None and proposal.pk not in funded:
            continue  # no money to host: no contract
        organisations = [m.organisation for m in group.members.all()]
        if group.coordinator is not None and group.coordinator not in organisations:
            organisations.insert(0, group.coordinator)
        problems: list[str] = []
        gaps: list[Gap] = []
        if host is None:
            problems.append(_("la structure hébergeuse n'est pas désignée"))
            gaps.append(Gap(Missing.HOST, resource.pk))
        licence = (commons.licence if commons is not None else "") or proposal.licence
        if not licence.strip():
            problems.append(_("la licence du commun n'est pas connue"))
        parties = [buyer, *([host] if host is not None else []), *organisations]
        for organisation in parties:
            missing = party_missing(organisation)
            if missing:
                problems.append(
                    _("l'identité de « %(name)s » est incomplète (manque : %(missing)s)")
                    % {"name": organisation.name, "missing": ", ".join(missing)}
                )
                gaps.append(Gap(Missing.IDENTITY, organisation.pk))
        if problems:
            contexts.append(
                (
                    str(resource.pk),
                    Refusal(
                        _(
                            "Contrat d'hébergement du commun « %(commons)s » non établi : "
                            "%(problems)s."
                        )
                        % {"commons": name, "problems": " ; ".join(problems)},
                        tuple(gaps),
                    ),
                )
            )
            continue
        contributors = tuple(hosting_party(o) for o in organisations)
        split = budget_split_of(proposal)
        contexts.append(
            (
                str(resource.pk),
                ctx.HostingContext(
                    challenge=replace(base, buyer=hosting_party(buyer)),
                    commons=ctx.CommonsRef(
                        name=name,
                        licence=licence,
                        url=commons.url or None,
                        description=commons.description,
                    ),
                    host=hosting_party(host),
                    contributors=contributors,
                    coordinator=(group.coordinator or organisations[0]).name,
                    budget_total=split.cofundable,
                    contract_price=split.contract,
                    contract_lots=_lot_prices(proposal),
                    funded_total=funded.get(proposal.pk),
                    fee_percent=commons.hosting_fee,
                    duration_months=challenge.contract_duration_months,
                    approval_rule=approval_rule_text(ledgers.get(commons.pk)),
                ),
            )
        )
    return contexts

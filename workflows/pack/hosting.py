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
all its lots. Who receives how much (``_shares``):

* a single contributor receives the whole budget passed on;
* hors marché, a groupement's recorded member shares (``MemberShare``, each member's
  sum over the proposal's lots) split it when they add up to it to the cent;
* under a marché public the member shares split the contract price, which the host
  never handles, so they are not a split of what it passes on.

Otherwise the contract fixes no amount per contributor and says how the split is
decided (``contrat_hebergement._write_budget``): an inconsistent record is not printed
as if it were the group's split."""

from dataclasses import replace
from decimal import Decimal

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from procurement.documents import context as ctx
from procurement.models import (
    ApprovalRule,
    Bucket,
    Framing,
    Ledger,
    ProposalStatus,
    WorkingGroupMember,
)
from procurement.queries.proposals import budget_split_of
from procurement.services.organisations import identity_missing
from workflows.pack.call import party
from workflows.pack.engagement import member_shares_prefetch
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
            member_shares_prefetch(),
        )
        .order_by("pk")
    )


def _shares(proposal, organisations, contributors, budget: Decimal):
    """The split of the budget passed on, one share per contributor in their order, or
    ``()`` when none was recorded that the contract may print (see the module's
    docstring)."""
    if len(contributors) == 1:
        return (ctx.HostingShare(contributor=contributors[0], amount=budget),)
    if proposal.challenge.framing == Framing.PUBLIC_CONTRACT:
        return ()
    recorded: dict[int, Decimal] = {}
    for share in proposal.member_shares.all():
        recorded[share.organisation_id] = (
            recorded.get(share.organisation_id, Decimal(0)) + share.amount
        )
    members = {organisation.pk for organisation in organisations}
    if not recorded or not recorded.keys() <= members or sum(recorded.values()) != budget:
        return ()
    return tuple(
        ctx.HostingShare(contributor=contributor, amount=recorded.get(o.pk, Decimal("0.00")))
        for o, contributor in zip(organisations, contributors, strict=True)
    )


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
                    shares=_shares(proposal, organisations, contributors, split.cofundable),
                    funded_total=funded.get(proposal.pk),
                    fee_percent=commons.hosting_fee,
                    duration_months=challenge.contract_duration_months,
                    approval_rule=approval_rule_text(ledgers.get(commons.pk)),
                ),
            )
        )
    return contexts

"""Proposals: sealed until opened, then read by the buyer and their evaluators;
the results of a decided challenge are public."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from kernel.errors import NotFound
from kernel.language import eur, number
from procurement import calculations
from procurement.models import (
    BudgetCategory,
    BudgetLine,
    BudgetScope,
    BudgetUnit,
    Framing,
    MemberShare,
    Organisation,
    Proposal,
    ProposalStatus,
    WorkingGroup,
    WorkingGroupMember,
)
from procurement.models.challenges import ChallengeStatus
from procurement.queries.membership import STAFF_ROLES, is_buyer_staff, org_ids


def proposals_visible_to(user, challenge) -> QuerySet[Proposal]:
    """Sealed proposals: readable by nobody but their group's members until opened.

    Once opened, the buyer's staff read them, and an evaluator assigned to a proposal
    reads it once it has declared no conflict of interest on it.
    """
    qs = (
        Proposal.objects.filter(challenge=challenge)
        .select_related("challenge", "group__resource")
        .prefetch_related(
            Prefetch("budget_lines", queryset=BudgetLine.objects.select_related("lot")),
            "milestones",
            "attachments",
            "lots",
            Prefetch("member_shares", queryset=MemberShare.objects.select_related("lot")),
        )
    )
    if user is None or not user.is_authenticated:
        return qs.none()
    member_q = Q(
        Exists(
            WorkingGroup.objects.filter(
                pk=OuterRef("group_id"), members__organisation__in=org_ids(user)
            )
        )
    )
    if challenge.proposals_opened_at is None:
        return qs.filter(member_q).order_by("id")
    # Through scoring's reverse relation: the domain imports no layer above it.
    evaluator_q = Q(
        Exists(
            Proposal.objects.filter(
                pk=OuterRef("pk"), assignments__evaluator=user, assignments__conflict=False
            )
        )
    )
    if is_buyer_staff(user, challenge):
        return qs.order_by("id")
    return qs.filter(member_q | evaluator_q).order_by("id")


def budget_split_of(proposal: Proposal) -> calculations.BudgetSplit:
    """The proposal's contract price and cofundable amount, from its budget lines (use
    the prefetched lines of ``proposals_visible_to``) and its call's framing."""
    return calculations.budget_split(
        ((line.amount, line.scope == BudgetScope.CONTRACT) for line in proposal.budget_lines.all()),
        public_contract=proposal.challenge.framing == Framing.PUBLIC_CONTRACT,
    )


@dataclass(frozen=True)
class FairPayReport:
    """The fair-pay figures of a proposal and the warnings they raise, in French."""

    figures: calculations.FairPay
    warnings: list[str]


def fair_pay_of(proposal: Proposal) -> FairPayReport:
    """Fair pay (« juste rémunération », seed 003): each contribution line's hourly rate
    against the call's reference (30 € to 45 € HT by default, bounds included; a day at
    7 hours) and the share of coordination in the budget (10 % to 25 %). Outside them
    the buyer and the evaluators are warned; the proposal is never refused for it. Reads
    the prefetched lines and the selected challenge of ``proposals_visible_to``."""
    challenge = proposal.challenge
    figures = calculations.fair_pay(
        (
            calculations.PayLine(
                label=line.label,
                contribution=line.category == BudgetCategory.DEVELOPMENT,
                coordination=line.category == BudgetCategory.COORDINATION,
                per_day=line.unit == BudgetUnit.DAY,
                rate=line.rate,
                amount=line.amount,
            )
            for line in proposal.budget_lines.all()
        ),
        rate_min=challenge.fair_rate_min,
        rate_max=challenge.fair_rate_max,
    )
    outside = [line for line in figures.lines if not line.within]
    warnings = []
    if outside:  # the bounds formatted only for a warning that names them
        bounds = {"low": eur(figures.rate_min), "high": eur(figures.rate_max)}
        warnings = [
            _(
                "« %(label)s » : %(rate)s HT de l'heure, hors de la référence de l'appel "
                "(de %(low)s à %(high)s HT de l'heure)."
            )
            % {"label": line.label, "rate": eur(line.hourly_rate), **bounds}
            for line in outside
        ]
    if figures.coordination_share is not None and not figures.coordination_within:
        warnings.append(
            _(
                "La coordination et l'animation représentent %(share)s %% du budget, hors "
                "de la référence (de 10 %% à 25 %%)."
            )
            % {"share": number(figures.coordination_share)}
        )
    return FairPayReport(figures=figures, warnings=warnings)


def access_proposal(*, user, challenge, pk) -> Proposal:
    """One proposal the user may read (its budget, timeline and attachments with it)."""
    try:
        return proposals_visible_to(user, challenge).get(pk=pk)
    except (Proposal.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(_("Proposition introuvable."), code="proposal_not_found") from None


# From the selection on, which proposals were retained is public; the award says which won.
RESULT_STAGES = [
    ChallengeStatus.SELECTION_REVIEW,
    ChallengeStatus.EXPLORATION,
    ChallengeStatus.COFUNDING,
    ChallengeStatus.DOCUMENTS,
    ChallengeStatus.AWARD,
    ChallengeStatus.STANDSTILL,
    ChallengeStatus.AWARDED,
]


def public_results(challenge) -> QuerySet[Proposal]:
    """The selected and awarded proposals of a decided challenge (everyone may read)."""
    if challenge.status not in RESULT_STAGES:
        return Proposal.objects.none()
    return (
        Proposal.objects.filter(
            challenge=challenge, status__in=[ProposalStatus.SELECTED, ProposalStatus.AWARDED]
        )
        .select_related("group__resource", "group__coordinator")
        .prefetch_related("group__members__organisation")
        .order_by("group__resource__order", "id")
    )


# The stages between a selection and the signature: the actes d'engagement are drawn up
# (and may be drawn up again) with the titulaires' identity as it is then.
AWARD_PENDING_STAGES = (
    ChallengeStatus.SELECTION_REVIEW,
    ChallengeStatus.EXPLORATION,
    ChallengeStatus.COFUNDING,
    ChallengeStatus.DOCUMENTS,
    ChallengeStatus.AWARD,
    ChallengeStatus.STANDSTILL,
)


def organisations_to_be_named(user) -> QuerySet[Organisation]:
    """The user's organisations (where it is a member or an administrator, who state
    their identity) that an acte d'engagement is about to name: members of a working
    group whose proposal is retained under a marché public not yet signed."""
    retained = Proposal.objects.filter(
        status__in=(ProposalStatus.SELECTED, ProposalStatus.AWARDED),
        challenge__framing=Framing.PUBLIC_CONTRACT,
        challenge__status__in=AWARD_PENDING_STAGES,
    )
    return (
        Organisation.objects.filter(
            pk__in=org_ids(user, STAFF_ROLES),
            group_memberships__group__proposals__in=retained,
        )
        .distinct()
        .order_by("name")
    )


def titulaires_of(proposal_ids) -> dict[tuple[int, int], list[Organisation]]:
    """The titulaires of the contract each proposal would sign for each lot it answers,
    keyed (proposal id, lot id): the members of a groupement holding a share of the
    lot's price, the mandataire (its coordinator) first — the parties its acte
    d'engagement names (articles R2142-19 to R2142-27) —, or, for a candidate alone or a
    groupement that has not declared its split, its coordinator (or its one member).
    Five queries of plain values, whatever the number of proposals (the open-data export
    reads thousands at a time)."""
    ids = list(proposal_ids)
    groups = {
        pk: (group_id, coordinator_id)
        for pk, group_id, coordinator_id in Proposal.objects.filter(pk__in=ids).values_list(
            "pk", "group_id", "group__coordinator_id"
        )
    }
    members: dict[int, list[int]] = {}
    for group_id, organisation_id in (
        WorkingGroupMember.objects.filter(group_id__in={g for g, _c in groups.values()})
        .order_by("pk")
        .values_list("group_id", "organisation_id")
    ):
        members.setdefault(group_id, []).append(organisation_id)
    shares: dict[tuple[int, int], list[int]] = {}
    for proposal_id, lot_id, organisation_id in (
        MemberShare.objects.filter(proposal_id__in=ids)
        .order_by("pk")
        .values_list("proposal_id", "lot_id", "organisation_id")
    ):
        shares.setdefault((proposal_id, lot_id), []).append(organisation_id)
    chosen: dict[tuple[int, int], list[int]] = {}
    for proposal_id, lot_id in Proposal.lots.through.objects.filter(
        proposal_id__in=ids
    ).values_list("proposal_id", "lot_id"):
        group_id, coordinator_id = groups[proposal_id]
        group = members.get(group_id, [])
        lead = coordinator_id or (group[0] if group else None)
        split = shares.get((proposal_id, lot_id), [])
        if len(group) > 1 and split:
            chosen[(proposal_id, lot_id)] = sorted(split, key=lambda pk: pk != lead)
        else:
            chosen[(proposal_id, lot_id)] = [lead] if lead else []
    organisations = Organisation.objects.in_bulk({pk for pks in chosen.values() for pk in pks})
    return {key: [organisations[pk] for pk in pks] for key, pks in chosen.items()}

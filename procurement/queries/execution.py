"""The execution follow-up of a signed call, as everyone may read it: per awarded lot,
its holder, deliverables and milestones, and the progress they make (the formula is
``calculations.Progress``); the same per commons, across the calls that produce it."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Min, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.errors import NotFound
from procurement.calculations import (
    Progress,
    execution_progress,
    milestone_state,
    progress_sum,
)
from procurement.models import (
    Challenge,
    ChallengeResource,
    ChallengeStatus,
    Commons,
    Deliverable,
    DeliverableStatus,
    ExecutionMilestone,
    Lot,
    LotOutcome,
    Proposal,
    ProposalStatus,
    WorkingGroupMember,
)
from procurement.queries.membership import STAFF_ROLES, org_ids


def execution_open(challenge: Challenge) -> bool:
    """Execution is followed once the contract is signed (stage ``awarded``, the
    ``sign`` step of the process done: ``awarded_at`` set)."""
    return challenge.status == ChallengeStatus.AWARDED and challenge.awarded_at is not None


def lot_holder(lot: Lot) -> Proposal | None:
    """The proposal awarded the lot (its working group holds the contract), if any."""
    if lot.outcome != LotOutcome.AWARDED:
        return None
    return (
        Proposal.objects.filter(lots=lot, status=ProposalStatus.AWARDED)
        .select_related("group__coordinator")
        .order_by("pk")
        .first()
    )


def holder_organisation_ids(proposal: Proposal) -> QuerySet:
    """The organisations of the awarded proposal's working group (a groupement's
    members act for it, each for the whole follow-up)."""
    return WorkingGroupMember.objects.filter(group_id=proposal.group_id).values("organisation")


def is_holder(user, proposal: Proposal) -> bool:
    """Whether ``user`` is staff of one of the holder's organisations."""
    return (
        user is not None
        and user.is_authenticated
        and WorkingGroupMember.objects.filter(
            group_id=proposal.group_id, organisation__in=org_ids(user, STAFF_ROLES)
        ).exists()
    )


@dataclass
class MilestoneRow:
    milestone: ExecutionMilestone
    state: str  # planned, late, reached (``calculations.milestone_state``)


@dataclass
class LotExecution:
    """One awarded lot's follow-up."""

    lot: Lot
    holder: Proposal
    holder_names: list[str]
    commons: list[Commons]
    deliverables: list[Deliverable]
    milestones: list[MilestoneRow]
    progress: Progress


@dataclass
class Execution:
    """A signed call's follow-up: its awarded lots, and the progress of all of them."""

    challenge: Challenge
    lots: list[LotExecution] = field(default_factory=list)

    @property
    def progress(self) -> Progress:
        return progress_sum(lot.progress for lot in self.lots)


def _lot_execution(lot: Lot, holder: Proposal, today: date) -> LotExecution:
    deliverables = list(lot.deliverables_here)
    milestones = [
        MilestoneRow(m, milestone_state(m.planned_on, m.reached_on, today))
        for m in lot.milestones_here
    ]
    progress = execution_progress(
        admitted=sum(d.status == DeliverableStatus.ADMITTED for d in deliverables),
        deliverables=len(deliverables),
        reached=sum(row.state == "reached" for row in milestones),
        milestones=len(milestones),
    )
    return LotExecution(
        lot=lot,
        holder=holder,
        holder_names=[m.organisation.name for m in holder.group.members.all()],
        commons=[r.commons for r in lot.resources.all() if r.commons_id is not None],
        deliverables=deliverables,
        milestones=milestones,
        progress=progress,
    )


def _lots_with_execution(lots: QuerySet[Lot]) -> QuerySet[Lot]:
    holders = (
        Proposal.objects.filter(status=ProposalStatus.AWARDED)
        .select_related("group")
        .prefetch_related(
            Prefetch(
                "group__members",
                queryset=WorkingGroupMember.objects.select_related("organisation").order_by(
                    "organisation__name"
                ),
            )
        )
        .order_by("pk")
    )
    return (
        lots.filter(outcome=LotOutcome.AWARDED)
        .select_related("challenge")
        .prefetch_related(
            Prefetch("proposals", queryset=holders, to_attr="holders"),
            Prefetch(
                "resources",
                queryset=ChallengeResource.objects.select_related("commons").order_by(
                    "order", "id"
                ),
            ),
            Prefetch(
                "deliverables",
                queryset=Deliverable.objects.order_by("due_on", "id"),
                to_attr="deliverables_here",
            ),
            Prefetch(
                "execution_milestones",
                queryset=ExecutionMilestone.objects.order_by("planned_on", "id"),
                to_attr="milestones_here",
            ),
        )
        .order_by("challenge_id", "number")
    )


def execution_of(challenge: Challenge) -> Execution:
    """The follow-up of a signed call (empty before the signature): a constant number
    of queries whatever the number of lots, deliverables and milestones."""
    execution = Execution(challenge=challenge)
    if not execution_open(challenge):
        return execution
    today = timezone.localdate()
    for lot in _lots_with_execution(challenge.lots.all()):
        if lot.holders:
            execution.lots.append(_lot_execution(lot, lot.holders[0], today))
    return execution


@dataclass
class CommonsExecution:
    """The follow-up of the lots producing one commons, across the signed calls."""

    commons: Commons
    lots: list[LotExecution]

    @property
    def progress(self) -> Progress:
        return progress_sum(lot.progress for lot in self.lots)


def execution_of_commons(commons: Commons) -> CommonsExecution:
    """Every signed call's awarded lot that produces ``commons``: constant queries."""
    lots = Lot.objects.filter(
        resources__commons=commons,
        challenge__status=ChallengeStatus.AWARDED,
        challenge__awarded_at__isnull=False,
    ).distinct()
    today = timezone.localdate()
    rows = [
        _lot_execution(lot, lot.holders[0], today)
        for lot in _lots_with_execution(lots)
        if lot.holders
    ]
    return CommonsExecution(commons=commons, lots=rows)


def access_deliverable(*, challenge: Challenge, pk) -> Deliverable:
    """A deliverable of the call's follow-up (public once signed), else 404."""
    try:
        if not execution_open(challenge):
            raise Deliverable.DoesNotExist
        return Deliverable.objects.select_related("lot", "proposal").get(
            pk=pk, lot__challenge=challenge
        )
    except (Deliverable.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(_("Livrable introuvable."), code="deliverable_not_found") from None


def access_execution_milestone(*, challenge: Challenge, pk) -> ExecutionMilestone:
    """A milestone of the call's follow-up (public once signed), else 404."""
    try:
        if not execution_open(challenge):
            raise ExecutionMilestone.DoesNotExist
        return ExecutionMilestone.objects.select_related("lot", "proposal").get(
            pk=pk, lot__challenge=challenge
        )
    except (ExecutionMilestone.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(_("Jalon introuvable."), code="milestone_not_found") from None


def access_execution_lot(*, challenge: Challenge, pk) -> Lot:
    """A lot of the call, else 404 (whether its execution is open is the services' to
    say, with a 409)."""
    try:
        return Lot.objects.select_related("challenge").get(pk=pk, challenge=challenge)
    except (Lot.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(_("Lot introuvable."), code="lot_not_found") from None


def lots_held_by(user, execution: Execution) -> set[int]:
    """The ids of the follow-up's lots whose holder ``user`` is staff of (one query)."""
    if user is None or not user.is_authenticated or not execution.lots:
        return set()
    mine = set(
        WorkingGroupMember.objects.filter(
            group_id__in=[row.holder.group_id for row in execution.lots],
            organisation__in=org_ids(user, STAFF_ROLES),
        ).values_list("group_id", flat=True)
    )
    return {row.lot.pk for row in execution.lots if row.holder.group_id in mine}


def execution_to_act(user) -> tuple[list[Challenge], list[Challenge]]:
    """The signed calls where ``user`` must act on the follow-up: as the buyer's staff,
    those with deliverables awaiting its decision (``to_decide``); as the holder's
    staff, those with deliverables to submit — expected, or refused and to submit again
    (``to_submit``, the soonest expected day in ``due``). Two queries."""
    if user is None or not user.is_authenticated:
        return [], []
    mine = org_ids(user, STAFF_ROLES)
    signed = Challenge.objects.filter(status=ChallengeStatus.AWARDED, awarded_at__isnull=False)
    to_decide = list(
        signed.filter(buyer__in=mine, lots__deliverables__status=DeliverableStatus.SUBMITTED)
        .annotate(to_decide=Count("lots__deliverables", distinct=True))
        .order_by("awarded_at", "pk")
    )
    to_submit = list(
        signed.filter(
            lots__deliverables__status__in=[DeliverableStatus.EXPECTED, DeliverableStatus.REFUSED],
            lots__deliverables__proposal__group__members__organisation__in=mine,
        )
        .annotate(
            to_submit=Count("lots__deliverables", distinct=True),
            due=Min("lots__deliverables__due_on"),
        )
        .order_by("due", "pk")
    )
    return to_decide, to_submit

"""Reads of grids, assignments, evaluations and rankings, scoped by the caller; the
collective votes' closes ahead, for their reminders."""

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from functools import partial

from django.db.models import BooleanField, Case, Exists, Max, OuterRef, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from kernel.errors import NotFound
from procurement.calculations import reminder_horizon
from procurement.models import ChallengeStatus
from procurement.queries import (
    Reminder,
    collective_electorate,
    is_buyer_staff,
    staff_memberships,
)
from scoring.models import (
    COMMONS_KINDS,
    Assignment,
    CollectiveVote,
    Criterion,
    Evaluation,
    Grid,
    ScaleKind,
    Score,
    ScoringRound,
)


def grid_of(challenge) -> dict:
    grid = Grid.objects.filter(challenge=challenge).first()
    criteria = list(grid.criteria.all()) if grid else []
    return {
        "criteria": [
            {
                "code": c.code,
                "label": c.label,
                "description": c.description,
                "kind": c.kind,
                "weight": str(c.weight),
                "scale": c.scale,
                "threshold": str(c.threshold) if c.threshold is not None else None,
                "levels": c.levels,
            }
            for c in criteria
        ],
        "commons_share": str(
            sum((c.weight for c in criteria if c.kind in COMMONS_KINDS), Decimal(0))
        ),
        "frozen_at": grid.frozen_at if grid else None,
    }


def current_round(challenge) -> int:
    """The scoring round evaluations are submitted in: 1 until the buyer opens another."""
    latest = ScoringRound.objects.filter(challenge=challenge).aggregate(n=Max("number"))["n"]
    return latest or 1


def evaluations_visible_to(user, challenge) -> QuerySet[Evaluation]:
    """Blind scoring: an evaluator sees its own evaluations, and others' on a proposal in
    a round only once it has submitted its own on that proposal in that round. The
    buyer's staff see every submitted evaluation."""
    qs = (
        Evaluation.objects.filter(assignment__proposal__challenge=challenge)
        .select_related("assignment__evaluator", "assignment__proposal")
        .prefetch_related("scores__criterion")
        .order_by("assignment__proposal_id", "assignment__evaluator_id", "round")
    )
    if user is None or not user.is_authenticated:
        return qs.none()
    if is_buyer_staff(user, challenge):
        return qs.filter(submitted_at__isnull=False)
    own_submitted = Evaluation.objects.filter(
        assignment__proposal_id=OuterRef("assignment__proposal_id"),
        assignment__evaluator=user,
        round=OuterRef("round"),
        submitted_at__isnull=False,
    )
    return qs.filter(assignment__evaluator=user) | qs.filter(
        Exists(own_submitted), submitted_at__isnull=False
    )


def assignments_visible_to(user, challenge) -> QuerySet[Assignment]:
    """The buyer's staff see every assignment of the challenge, an evaluator its own.

    ``needs_reassignment``: a conflict was declared and the buyer has not yet named
    another evaluator in its place. The proposal's title and its group's organisations
    are given so that an evaluator can declare its interests before reading it."""
    qs = (
        Assignment.objects.filter(proposal__challenge=challenge)
        .select_related("proposal", "evaluator")
        .prefetch_related("proposal__group__members__organisation")
        .annotate(
            needs_reassignment=Case(
                When(
                    Q(conflict=True) & ~Exists(Assignment.objects.filter(replaces=OuterRef("pk"))),
                    then=Value(True),
                ),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("proposal_id", "created_at", "id")
    )
    if user is None or not user.is_authenticated:
        return qs.none()
    if is_buyer_staff(user, challenge):
        return qs
    return qs.filter(evaluator=user)


def access_assignment(*, user, challenge, pk) -> Assignment:
    try:
        return assignments_visible_to(user, challenge).get(pk=pk)
    except (Assignment.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(_("Désignation introuvable."), code="assignment_not_found") from None


def own_assignment(*, user, challenge, proposal_id) -> Assignment:
    """The caller's assignment on a proposal of the challenge (else 404: a proposal not
    assigned to the caller is none of its business)."""
    try:
        return (
            Assignment.objects.select_related("proposal__challenge", "evaluator")
            .filter(proposal__challenge=challenge)
            .get(proposal_id=proposal_id, evaluator=user)
        )
    except (Assignment.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(
            _("Cette proposition ne vous est pas confiée."), code="assignment_not_found"
        ) from None


def criteria_of(challenge) -> list[Criterion]:
    return list(Criterion.objects.filter(grid__challenge=challenge).order_by("order", "id"))


def marked_criteria(challenge) -> list[Criterion]:
    """The criteria evaluators mark: all but the price, marked by the published formula
    on the offered prices (CCP R2152-7)."""
    return [c for c in criteria_of(challenge) if not c.by_formula]


def counted_evaluations(challenge):
    """The evaluations the ranking counts: each assignment's latest submitted round (an
    evaluator who scored again in a later round counts for that round only, one who did
    not for its earlier one)."""
    later_submitted = Evaluation.objects.filter(
        assignment_id=OuterRef("assignment_id"),
        round__gt=OuterRef("round"),
        submitted_at__isnull=False,
    )
    return Evaluation.objects.filter(
        ~Exists(later_submitted),
        assignment__proposal__challenge=challenge,
        submitted_at__isnull=False,
    )


def counted_scores(challenge):
    """The marks the ranking counts (``counted_evaluations``), never a mark on a price
    criterion (marked by its published formula)."""
    return Score.objects.filter(evaluation__in=counted_evaluations(challenge)).exclude(
        criterion__scale=ScaleKind.PRICE_FORMULA
    )


def counted_comments(challenge) -> tuple[dict[tuple[int, str], list[str]], dict[int, list[str]]]:
    """The evaluators' comments of the evaluations the ranking counts
    (``counted_evaluations``): per (proposal id, criterion code) the comments on that
    mark, and per proposal id the overall comments; empty comments left out, evaluators
    not named. Two queries."""
    counted = counted_evaluations(challenge)
    per_mark: dict[tuple[int, str], list[str]] = {}
    for proposal_id, code, comment in (
        Score.objects.filter(evaluation__in=counted)
        .exclude(comment="")
        .order_by("evaluation__assignment__evaluator_id", "pk")
        .values_list("evaluation__assignment__proposal_id", "criterion__code", "comment")
    ):
        per_mark.setdefault((proposal_id, code), []).append(comment.strip())
    overall: dict[int, list[str]] = {}
    for proposal_id, comment in (
        counted.exclude(comment="")
        .order_by("assignment__evaluator_id", "pk")
        .values_list("assignment__proposal_id", "comment")
    ):
        overall.setdefault(proposal_id, []).append(comment.strip())
    return per_mark, overall


def draft_scores_of(*, evaluator, challenge) -> dict[int, Evaluation]:
    """The evaluator's unsubmitted evaluations of the current round, by proposal, with
    their marks (to fill the scoring page again)."""
    return {
        e.assignment.proposal_id: e
        for e in Evaluation.objects.filter(
            assignment__evaluator=evaluator,
            assignment__proposal__challenge=challenge,
            round=current_round(challenge),
            submitted_at__isnull=True,
        )
        .select_related("assignment")
        .prefetch_related("scores__criterion")
    }


def is_evaluator_of(user, challenge) -> bool:
    """Whether ``user`` is assigned a proposal of the call to evaluate."""
    if user is None:
        return False
    return Assignment.objects.filter(evaluator=user, proposal__challenge=challenge).exists()


def voters_without_ballot(vote: CollectiveVote) -> dict[int, dict]:
    """Per user (staff with an address of an organisation entitled to vote that has not
    cast its ballot yet): those organisations' names, under ``organisations``. The staff
    of an organisation that voted are left out, for that organisation."""
    waiting = dict(
        collective_electorate(vote.challenge).exclude(ballots__vote=vote).values_list("pk", "name")
    )
    users: dict[int, dict] = {}
    for user_pk, org_pk in staff_memberships(list(waiting)):
        names = users.setdefault(user_pk, {"organisations": []})["organisations"]
        names.append(waiting[org_pk])
    for mine in users.values():
        mine["organisations"].sort()
    return users


def votes_to_remind(now: datetime) -> Iterator[Reminder]:
    """The open collective votes that close within the reminders' horizon: a ballot at
    the close itself is too late. To the organisations that have not voted
    (``voters_without_ballot``), linking to the ballot; the opening mail told the close
    (``announced_at``)."""
    votes = CollectiveVote.objects.filter(
        opened_at__isnull=False,
        closed_at__isnull=True,
        challenge__status=ChallengeStatus.COFUNDING,  # not a cancelled call's
        ends_at__gt=now,
        ends_at__lte=reminder_horizon(now),
    ).select_related("challenge")
    for vote in votes.order_by("ends_at", "pk"):
        yield Reminder(
            "vote",
            vote.challenge,
            vote.ends_at,
            partial(voters_without_ballot, vote),
            page="portal:vote",
            announced_at=vote.opened_at,
        )

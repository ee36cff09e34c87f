"""Reads of grids, evaluations and rankings, scoped by the caller."""

from decimal import Decimal

from django.db.models import Exists, OuterRef, QuerySet

from procurement.queries import is_buyer_staff
from scoring.models import COMMONS_KINDS, Criterion, Evaluation, Grid


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
            }
            for c in criteria
        ],
        "commons_share": str(
            sum((c.weight for c in criteria if c.kind in COMMONS_KINDS), Decimal(0))
        ),
        "frozen_at": grid.frozen_at if grid else None,
    }


def evaluations_visible_to(user, challenge) -> QuerySet[Evaluation]:
    """Blind scoring: an evaluator sees its own evaluations, and others' on a proposal
    only once it has submitted its own on that proposal. The buyer's staff see every
    submitted evaluation."""
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
        submitted_at__isnull=False,
    )
    return qs.filter(assignment__evaluator=user) | qs.filter(
        Exists(own_submitted), submitted_at__isnull=False
    )


def criteria_of(challenge) -> list[Criterion]:
    return list(Criterion.objects.filter(grid__challenge=challenge).order_by("order", "id"))

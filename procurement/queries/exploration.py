"""The reads of the exploration before cofunding (seed 003)."""

from django.db.models import QuerySet

from procurement.models import Exploration


def explorations_of(challenge) -> QuerySet[Exploration]:
    """The call's explorations, with their proposal, team, commons and payout, in the
    order of the call's resources (one query)."""
    return (
        Exploration.objects.filter(challenge=challenge)
        .select_related(
            "proposal__group__resource__commons",
            "team",
            "payout",
            "decided_by",
        )
        .order_by("proposal__group__resource__order", "proposal_id")
    )

"""The stored ranking of a call: written when its scoring closes, rewritten by the
events that change it afterwards, served from there (``scoring.ranking.ranking_for``).

What changes a ranking once the scoring is closed: only a submitted evaluation. The
grid is frozen at the opening, the proposals, their lots and their prices are sealed
at the deadline, and the aggregation method is published with the call; a new scoring
round (``scoring_round_open``) changes nothing until an evaluator submits in it, and a
reassigned evaluator counts from its submission. So ``evaluation_submit``, when the
call is past its scoring (``EVALUATION_OPEN`` still takes evaluations during the
selection), rewrites the stored ranking in the same transaction: a reader never sees a
ranking older than the marks it was computed from."""

from django.db import transaction
from django.utils import timezone

from procurement.models import ChallengeStatus
from scoring.models import StoredRanking
from scoring.ranking import ranking_compute

S = ChallengeStatus

# The stages whose ranking is stored: from the close of the scoring on. Before, the
# marks still come in and each read computes it.
RANKED_STAGES = frozenset(
    {
        S.SELECTION,
        S.SELECTION_REVIEW,
        S.EXPLORATION,
        S.COFUNDING,
        S.DOCUMENTS,
        S.AWARD,
        S.STANDSTILL,
        S.AWARDED,
    }
)


@transaction.atomic
def ranking_store(*, challenge, cause: str) -> dict:
    """Compute the call's ranking (``ranking_compute``) and store it, replacing the copy
    stored before. Called by ``scoring_close`` and, after the close, by
    ``evaluation_submit``; ``cause`` names the event. Returns the ranking."""
    data = ranking_compute(challenge)
    StoredRanking.objects.update_or_create(
        challenge_id=challenge.pk,
        defaults={"data": data, "computed_at": timezone.now(), "cause": cause},
    )
    return data


def ranking_store_missing(*, challenge) -> dict:
    """A call past its scoring with no stored ranking (closed before rankings were
    stored): compute it and keep it, unless a concurrent reader kept it first (its copy
    is the same ranking)."""
    data = ranking_compute(challenge)
    StoredRanking.objects.bulk_create(
        [
            StoredRanking(
                challenge_id=challenge.pk, data=data, computed_at=timezone.now(), cause="read"
            )
        ],
        ignore_conflicts=True,
    )
    return data

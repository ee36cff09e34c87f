"""Pure aggregation of evaluators' marks into a ranking (no Django here).

Three methods, chosen per challenge:

- ``weighted_mean``: per criterion, the mean of the evaluators' marks, normalised by
  the scale's maximum, times the criterion's published weight; the total is on 100.
- ``median_weighted``: the same with the median per criterion (the mean of the two
  middle marks for an even count).
- ``majority_judgment`` (Balinski–Laraki): every mark is a grade, normalised to [0, 1]
  (a mark on 0–20, or a mention: À rejeter = 0 … Excellent = 6/6). A proposal's
  *merit profile* counts each mark with the weight of its criterion, split evenly
  among the evaluators who marked that criterion, so the published weights hold
  whatever the number of evaluators. Its majority grade is the profile's lower
  median. Ties are broken by the usual procedure: remove one median grade at a time
  and compare the successive medians (the "majority value"). Weights are made exact
  integer multiplicities, and the sequences are compared run by run, never expanded.

Every figure is exact (integers and ``Fraction``); totals are reported as ``Decimal``.
A criterion that nobody marked counts 0 for the proposal and is flagged. A proposal
whose aggregated mark on a criterion is below that criterion's eliminating threshold
is eliminated: it stays in the ranking, after every other proposal, with its reasons.
"""

from .core import (
    MJ_GRADES,
    CriterionResult,
    CriterionSpec,
    GridError,
    GridSpec,
    Mark,
    MarkError,
    Method,
    RankedProposal,
    Ranking,
    Scale,
    grade_value,
    rank,
)

__all__ = [
    "MJ_GRADES",
    "CriterionResult",
    "CriterionSpec",
    "GridError",
    "GridSpec",
    "Mark",
    "MarkError",
    "Method",
    "RankedProposal",
    "Ranking",
    "Scale",
    "grade_value",
    "rank",
]

"""Aggregation of evaluators' marks into a ranking that explains itself.

Pure Python: frozen dataclasses in, frozen dataclasses out, no Django (a nested ruff
configuration and a test forbid importing it here).

The grid
    Criteria have unique codes and weights in percent that add up to 100. Each has a
    scale: numeric (0–5, 0–10, 0–20; marks with at most two decimals) or the
    majority-judgment mentions, best first: Excellent, Très bien, Bien, Assez bien,
    Passable, Insuffisant, À rejeter, numbered 6 down to 0 wherever a number is needed.
    A mark is *normalised* to [0, 1] by its scale: (mark − minimum) / (maximum −
    minimum), so a 20/20, a 10/10 and an Excellent are all 1.

The price criterion (``CriterionSpec.is_price``, ``price``)
    Marked by the published formula, never by evaluators (R2152-7): lowest offered
    price ÷ offered price × the scale's maximum, rounded half up to the hundredth, the
    lowest price being that of the proposals ranked together (``rank(prices=…)``). A
    missing or zero price gets no mark (counted 0, flagged ``unmarked``).

The three methods (``Method``)
    ``weighted_mean``
        Per criterion, the mean of the evaluators' marks; total = Σ weight × normalised
        mean, on 100.
    ``median_weighted``
        The same with the median per criterion (the mean of the two middle marks when
        the evaluators are an even number).
    ``majority_judgment`` (Balinski–Laraki)
        A proposal's *merit profile* gathers every mark it received, each grade counted
        with a multiplicity equal to its criterion's weight divided by the number of
        evaluators who marked that criterion: every criterion thus weighs exactly its
        published weight, however many evaluators marked it. Grades are the normalised
        marks (a mention, or a numeric mark on its scale), so a grid may mix scales.
        The *majority grade* is the lower median of the profile (for an even total, the
        lower of the two middle grades). Proposals are ranked by majority grade; ties
        are broken by the usual procedure — remove one median grade, take the lower
        median of what is left, and so on — that is, by comparing the sequences of
        successive lower medians (the *majority value*) lexicographically. This is
        exact: multiplicities are integers, and the sequences are compared run by run
        (``majority.majority_key``), never with floats. The total shown is the majority
        grade's numeric equivalent on 100 (Bien = 4/6 → 66.67); ``majority_grade`` names
        it when every criterion uses mentions; ``merit_profile`` lists the shares. Per
        criterion, the aggregated mark is the lower median of its marks, and its
        contribution (weight × normalised) is given for the breakdown and the commons
        share, but the ranking follows the whole profile.

Rules common to the methods
    * Missing marks are ignored: a criterion is aggregated over the evaluators who
      marked it. A criterion nobody marked counts as the lowest mark of its scale (0)
      and is flagged ``unmarked``. Two marks by one evaluator on the same proposal and
      criterion, a mark off its scale, an unknown mention or criterion, a float: all
      raise ``MarkError``.
    * Elimination: a proposal whose aggregated mark on a criterion is strictly below
      that criterion's threshold is eliminated. It stays in the ranking, with its
      reasons, after every proposal that is not eliminated (eliminated proposals are
      ranked among themselves by the same method).
    * Disagreement: a criterion is flagged for deliberation when the spread of its
      marks (highest − lowest, as a part of the scale's range) exceeds
      ``disagreement_threshold`` (default 0.4).
    * Commons share: ``commons_total`` is the sum of the commons criteria's
      contributions, out of ``commons_weight``, the grid's commons weight.
    * Ties: proposals with exactly the same result (total, or majority value) share a
      rank, the next rank is skipped (1, 1, 3), and ``tied_with`` names them. Results
      are compared exactly; figures are rounded half up only for display. The rule the
      règlement states to tell them apart (``ties.break_tie``: the contributions, the
      heaviest criterion first) is applied where a choice must be made, not to ranks.
    * Case law (Conseil d'État, 3 November 2014, Commune de Belleville-sur-Loire): the
      published weights are applied as they are — marks are never rescaled against the
      other offers, so no weight is neutralised — and the best mark on a criterion's
      scale always earns that criterion's full weight, whatever the other offers got.
"""

from .engine import PRICE_FORMULA, rank, rank_with_weights
from .grid import (
    MJ_GRADES,
    CriterionSpec,
    GridError,
    GridSpec,
    Id,
    Mark,
    MarkError,
    Method,
    Scale,
    ScaleKind,
    grade_name,
    grade_value,
)
from .majority import majority_key, majority_value
from .price import lowest_price, price_mark, price_marks
from .results import CriterionResult, RankedProposal, Ranking
from .ties import TieBreak, break_tie, tie_order

__all__ = [
    "MJ_GRADES",
    "PRICE_FORMULA",
    "CriterionResult",
    "CriterionSpec",
    "GridError",
    "GridSpec",
    "Id",
    "Mark",
    "MarkError",
    "Method",
    "RankedProposal",
    "Ranking",
    "Scale",
    "ScaleKind",
    "TieBreak",
    "break_tie",
    "grade_name",
    "grade_value",
    "lowest_price",
    "majority_key",
    "majority_value",
    "price_mark",
    "price_marks",
    "rank",
    "rank_with_weights",
    "tie_order",
]

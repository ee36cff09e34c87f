"""``rank``: from marks to a ranking, exactly (see the package docstring for the rules).

All the arithmetic is on integers over common denominators, so that results are exact
and comparisons cheap, and the marks are read once:

* a mark is counted in hundredths of a point (``reading``), and placed on its scale
  by subtracting the scale's minimum;
* an aggregated mark is kept multiplied by ``common``, a common multiple of every
  number of evaluators (and of 2, for the mean of two middle marks), so that a mean
  or a median is a whole number;
* a normalised mark is a position times ``span // range`` over ``span``, a common
  multiple of the criteria's ranges, so that marks on 0–5, 0–20 or mentions compare;
* a weight is in hundredths of a percent; totals are over the sum of the weights.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from operator import itemgetter
from typing import Any, NamedTuple, TypeAlias, TypeVar, cast

from .grid import (
    HUNDRED,
    MJ_GRADES,
    CriterionSpec,
    GridSpec,
    Id,
    Mark,
    MarkError,
    Method,
    grade_name,
)
from .majority import majority_key
from .price import price_marks
from .reading import Conversions, Rows, Table, read_marks
from .results import CriterionResult, RankedProposal, Ranking

_MJ_TOP = len(MJ_GRADES) - 1
_FIRST = itemgetter(0)
_SECOND = itemgetter(1)
_T = TypeVar("_T")

# The evaluator named on the marks that the price formula gives.
PRICE_FORMULA = "formule-prix"

Scored: TypeAlias = tuple[int, int, dict[int, int], list[str], tuple[CriterionResult, ...]]


def rank(
    grid: GridSpec,
    marks: Iterable[Mark],
    method: Method | str,
    *,
    disagreement_threshold: Decimal = Decimal("0.4"),
    proposals: Iterable[Id] = (),
    prices: Mapping[Id, Decimal | None] | None = None,
) -> Ranking:
    """Rank every proposal that has a mark, and every one of ``proposals`` and ``prices``.

    ``prices`` gives each proposal's offered price: the price criteria are marked from
    them by the published formula (``price.price_marks``: lowest price ÷ price × the
    scale's maximum), among the proposals given here, compared together; an evaluator's
    mark on a price criterion raises ``MarkError``.

    ``disagreement_threshold`` (0 to 1) is the spread between evaluators, as a part of
    the scale, beyond which a criterion is flagged for deliberation. Raises
    ``MarkError`` on a mark off its scale, on an unknown criterion or mention, and on
    two marks by one evaluator for the same proposal and criterion."""
    if not isinstance(grid, GridSpec):
        raise TypeError(f"rank() expects a GridSpec, not {type(grid).__name__}")
    weights = tuple(criterion.weight_units for criterion in grid.criteria)
    return rank_with_weights(
        grid.criteria,
        weights,
        marks,
        Method(method),
        disagreement_threshold=disagreement_threshold,
        proposals=proposals,
        prices=prices,
    )


def rank_with_weights(
    criteria: Sequence[CriterionSpec],
    weights: Sequence[int],
    marks: Iterable[Mark],
    method: Method,
    *,
    disagreement_threshold: Decimal = Decimal("0.4"),
    proposals: Iterable[Id] = (),
    prices: Mapping[Id, Decimal | None] | None = None,
) -> Ranking:
    """``rank`` with the weights given apart, as non-negative integers in any unit:
    each criterion counts for its weight over their sum. ``rank`` passes a grid's
    weights in hundredths of a percent (their sum is then 10,000); tests use it to show
    that only the proportions of the weights matter."""
    if not isinstance(disagreement_threshold, Decimal | int) or isinstance(
        disagreement_threshold, bool
    ):
        raise TypeError("the disagreement threshold is a Decimal (a float is inexact)")
    spread_limit = Fraction(disagreement_threshold)
    if not 0 <= spread_limit <= 1:
        raise ValueError("the disagreement threshold is a part of the scale, from 0 to 1")
    if len(weights) != len(criteria) or any(w < 0 for w in weights) or not sum(weights):
        raise ValueError("one non-negative weight per criterion, not all zero")
    if len({c.code for c in criteria}) != len(criteria):
        raise ValueError("criteria have unique codes")
    marks, proposals = _with_price_marks(criteria, marks, proposals, prices or {})
    table, converted = read_marks(criteria, marks, proposals)
    aggregation = _Aggregation(criteria, weights, method, spread_limit, table, converted)
    return aggregation.ranking(Decimal(disagreement_threshold))


def _with_price_marks(
    criteria: Sequence[CriterionSpec],
    marks: Iterable[Mark],
    proposals: Iterable[Id],
    prices: Mapping[Id, Decimal | None],
) -> tuple[list[Mark], list[Id]]:
    """The evaluators' marks, checked to leave the price criteria alone, and the marks
    the price formula gives on them; every proposal with a price is ranked."""
    priced = {c.code: c for c in criteria if c.is_price}
    marks = list(marks)
    if priced:
        for mark in marks:
            if mark.criterion_code in priced:
                raise MarkError(
                    f"le critère prix {mark.criterion_code!r} est noté par la formule publiée, "
                    f"pas par l'évaluateur {mark.evaluator_id!r}"
                )
        for code, criterion in priced.items():
            for proposal, value in price_marks(prices, criterion.scale.maximum).items():
                marks.append(Mark(proposal, PRICE_FORMULA, code, value))
    return marks, [*proposals, *prices]


def _id_key(identifier: object) -> tuple[int, Any, str]:
    # Ids of mixed types still sort: numbers first, by value, then the rest as text.
    if isinstance(identifier, int | float | Decimal) and not isinstance(identifier, bool):
        return (0, identifier, "")
    return (1, 0, str(identifier))


def _sorted_ids(items: Iterable[_T], key: Callable[[_T], Any]) -> list[_T]:
    try:
        return sorted(items, key=key)
    except TypeError:
        return sorted(items, key=lambda item: _id_key(key(item)))


def _rounded_down(numerator: int, denominator: int, places: int = 2) -> Decimal:
    return Decimal(numerator * 10**places // denominator).scaleb(-places)


def _rounded(numerator: int, denominator: int, places: int = 2) -> Decimal:
    """numerator / denominator rounded half up to ``places`` decimals, exactly."""
    quotient, remainder = divmod(numerator * 10**places, denominator)
    if 2 * remainder >= denominator:
        quotient += 1
    return Decimal(quotient).scaleb(-places)


class _Rounded(dict[int, Decimal]):
    """numerator → numerator / denominator rounded for display. Few distinct figures
    recur across thousands of proposals, so each ``Decimal`` is built once."""

    __slots__ = ("denominator", "places")

    def __init__(self, denominator: int, places: int = 2) -> None:
        super().__init__()
        self.denominator, self.places = denominator, places

    def __missing__(self, numerator: int) -> Decimal:
        value = self[numerator] = _rounded(numerator, self.denominator, self.places)
        return value


def _mean(values: list[int], common: int) -> int:
    return sum(values) * (common // len(values))


def _median(values: list[int], common: int) -> int:
    count = len(values)
    if count % 2:
        return values[count // 2] * common
    return (values[count // 2 - 1] + values[count // 2]) * (common // 2)


def _lower_median(values: list[int], common: int) -> int:
    return values[(len(values) - 1) // 2] * common


_AGGREGATE = {
    Method.WEIGHTED_MEAN: _mean,
    Method.MEDIAN_WEIGHTED: _median,
    Method.MAJORITY_JUDGMENT: _lower_median,
}


class _Step(NamedTuple):
    """What scoring a proposal needs to know of one criterion, worked out once."""

    position: int
    spec: CriterionSpec
    weight: int
    floor: int  # the scale's minimum, in hundredths × common
    factor: int  # a position on the scale × factor = the normalised mark over span
    spread_scale: int  # flagged when spread × spread_scale > spread_bound
    spread_bound: int
    bar: int | None  # eliminated when the aggregated mark is below it
    units: Callable[[Any], int]  # a mark as given → hundredths
    shown_spread: _Rounded  # a spread in hundredths → a part of the scale, for display


class _Aggregation:
    """The common denominators of one ranking, and the per-proposal computation.

    An aggregated mark is an integer: hundredths times ``common``. A normalised mark
    is over ``common × span``; a contribution, and a total, over ``denominator``."""

    def __init__(
        self,
        criteria: Sequence[CriterionSpec],
        weights: Sequence[int],
        method: Method,
        spread_limit: Fraction,
        table: Table,
        converted: list[Conversions],
    ) -> None:
        self.criteria = tuple(criteria)
        self.method = method
        self.table = table
        weight_sum = sum(weights)
        sizes = {len(pairs) for rows in table.values() for pairs in rows} - {0}
        self.common = common = math.lcm(2, *sizes)
        bounds = [c.scale.bounds for c in self.criteria]
        ranges = [high - low for low, high in bounds]
        self.span = span = math.lcm(*ranges)
        self.denominator = common * span * weight_sum
        self.all_mentions = all(c.scale.is_majority for c in self.criteria)
        self.commons_weight = _rounded(
            sum(w for c, w in zip(self.criteria, weights, strict=True) if c.is_commons) * HUNDRED,
            weight_sum,
        )
        self.aggregated = _Rounded(common * HUNDRED)
        self.normalised = _Rounded(common * span, 4)
        self.contribution = _Rounded(self.denominator)
        self.plan = []
        for position, criterion in enumerate(self.criteria):
            low, high = bounds[position]
            threshold = criterion.threshold
            self.plan.append(
                _Step(
                    position=position,
                    spec=criterion,
                    weight=weights[position],
                    floor=low * common,
                    factor=span // (high - low),
                    # spread / range > a / b  ⇔  spread × b > a × range
                    spread_scale=spread_limit.denominator,
                    spread_bound=spread_limit.numerator * (high - low),
                    bar=None if threshold is None else int(threshold.scaleb(2)) * common,
                    units=converted[position].__getitem__,
                    shown_spread=_Rounded(high - low, 4),
                )
            )

    def score(self, proposal_id: Id, rows: Rows) -> Scored:
        common = self.common
        aggregate = _AGGREGATE[self.method]
        majority = self.method is Method.MAJORITY_JUDGMENT
        shown_aggregated, shown_normalised = self.aggregated, self.normalised
        shown_contribution = self.contribution
        profile: dict[int, int] = {}
        total = commons_total = 0
        reasons = []
        results = []
        for (
            position,
            criterion,
            weight,
            floor,
            factor,
            spread_scale,
            spread_bound,
            bar,
            units,
            shown_spread,
        ) in self.plan:
            pairs = rows[position]
            count = len(pairs)
            if count:
                values = sorted(map(units, map(_SECOND, pairs)))
                if count > 1 and len(set(map(_FIRST, pairs))) != count:
                    raise MarkError(
                        f"deux notes du même évaluateur sur la proposition {proposal_id!r}, "
                        f"critère {criterion.code!r}"
                    )
                aggregated = aggregate(values, common)
                spread = values[-1] - values[0]
                pairs = _sorted_ids(pairs, _FIRST)
            else:
                aggregated = floor  # nobody marked it: the lowest mark
                spread = 0
            normalised = (aggregated - floor) * factor
            contribution = normalised * weight
            total += contribution
            if criterion.is_commons:
                commons_total += contribution
            if majority and weight:
                if count:
                    # each mark weighs its criterion's weight shared among its evaluators
                    share = weight * (common // count)
                    low = floor // common
                    for value in values:
                        grade = (value - low) * factor
                        profile[grade] = profile.get(grade, 0) + share
                else:
                    profile[0] = profile.get(0, 0) + weight * common
            if bar is not None and aggregated < bar:
                reasons.append(self.reason(criterion, aggregated, count))
            results.append(
                CriterionResult(
                    criterion.code,
                    shown_aggregated[aggregated],
                    shown_normalised[normalised],
                    shown_contribution[contribution * HUNDRED],
                    tuple(pairs),
                    spread * spread_scale > spread_bound,
                    not count,
                    shown_spread[spread],
                )
            )
        return total, commons_total, profile, reasons, tuple(results)

    def reason(self, criterion: CriterionSpec, aggregated: int, count: int) -> str:
        # Rounded down, so that a mark just under the threshold never reads as reaching
        # it (thresholds have at most two decimals).
        shown = _rounded_down(aggregated, self.common * HUNDRED)
        threshold = cast(Decimal, criterion.threshold)  # only thresholds eliminate
        if criterion.scale.is_majority:
            whole = aggregated % (self.common * HUNDRED) == 0
            mark = f"{grade_name(shown)} ({shown:.0f})" if whole else str(shown)
            threshold_text = (
                f"{grade_name(threshold)} ({threshold:.0f})"
                if threshold == int(threshold)
                else f"{threshold} sur l'échelle des mentions"
            )
        else:
            mark = str(shown)
            threshold_text = f"{threshold} sur {criterion.scale.label}"
        if not count:
            mark = f"non noté, compté {mark}"
        return (
            f"{criterion.label} ({criterion.code}) : note agrégée {mark}, "
            f"sous le seuil éliminatoire {threshold_text}"
        )

    def ranking(self, disagreement_threshold: Decimal) -> Ranking:
        majority = self.method is Method.MAJORITY_JUDGMENT
        scored: list[tuple[tuple[bool, Any], Id, Scored]] = []
        for proposal_id, rows in self.table.items():
            score = self.score(proposal_id, rows)
            total, _, profile, reasons, _ = score
            # eliminated proposals rank after every other one; then the higher total, or
            # the better majority value
            result = majority_key(profile) if majority else total
            scored.append(((not reasons, result), proposal_id, score))
        # ids first, so that proposals with equal results always come in the same order
        scored = _sorted_ids(scored, itemgetter(1))
        scored.sort(key=_FIRST, reverse=True)  # stable: ties keep the order of their ids
        shown_total = _Rounded(self.denominator)
        entries = []
        start = 0
        while start < len(scored):
            end = start + 1
            while end < len(scored) and scored[end][0] == scored[start][0]:
                end += 1
            group = [row[1] for row in scored[start:end]]
            for (_, result), proposal_id, score in scored[start:end]:
                total, commons_total, profile, reasons, results = score
                majority_grade = None
                merit_profile: tuple[tuple[str, Decimal], ...] = ()
                if majority:
                    grade = result[0]  # the majority grade, normalised over span
                    total_figure = _rounded(grade * HUNDRED, self.span)
                    merit_profile = self.merit_profile(profile)
                    if self.all_mentions:
                        majority_grade = grade_name(grade * _MJ_TOP // self.span)
                else:
                    total_figure = shown_total[total * HUNDRED]
                entries.append(
                    RankedProposal(
                        proposal_id=proposal_id,
                        rank=start + 1,
                        total=total_figure,
                        commons_total=shown_total[commons_total * HUNDRED],
                        commons_weight=self.commons_weight,
                        eliminated=bool(reasons),
                        elimination_reasons=tuple(reasons),
                        tied_with=tuple(other for other in group if other != proposal_id),
                        majority_grade=majority_grade,
                        criteria=results,
                        merit_profile=merit_profile,
                    )
                )
            start = end
        return Ranking(self.method, tuple(entries), disagreement_threshold)

    def merit_profile(self, profile: dict[int, int]) -> tuple[tuple[str, Decimal], ...]:
        size = sum(profile.values())
        return tuple(
            (
                grade_name(grade * _MJ_TOP // self.span)
                if self.all_mentions
                else str(_rounded(grade * HUNDRED, self.span)),
                _rounded(count * HUNDRED, size),
            )
            for grade, count in sorted(profile.items(), reverse=True)
            if count
        )

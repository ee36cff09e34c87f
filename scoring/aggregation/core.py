"""Data types and the three aggregation methods (see the package docstring)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from functools import cmp_to_key, lru_cache

# Majority-judgment mentions, best first.
MJ_GRADES = ("Excellent", "Très bien", "Bien", "Assez bien", "Passable", "Insuffisant", "À rejeter")
_MJ_TOP = len(MJ_GRADES) - 1
_MJ_VALUE = {name: _MJ_TOP - index for index, name in enumerate(MJ_GRADES)}
CENT = Decimal("0.01")


class GridError(ValueError):
    """The grid cannot be used: weights, codes or scales are wrong."""


class MarkError(ValueError):
    """A mark is out of its scale, or names an unknown criterion or mention."""


def grade_value(name: str) -> Decimal:
    """A mention's number: À rejeter = 0 … Excellent = 6."""
    try:
        return Decimal(_MJ_VALUE[name])
    except KeyError:
        raise MarkError(
            f"Mention inconnue : {name!r} (attendu : {', '.join(MJ_GRADES)})."
        ) from None


class Method(StrEnum):
    WEIGHTED_MEAN = "weighted_mean"
    MEDIAN_WEIGHTED = "median_weighted"
    MAJORITY_JUDGMENT = "majority_judgment"


@dataclass(frozen=True, slots=True)
class Scale:
    """A numeric scale from 0 to ``maximum``, or the majority-judgment mentions."""

    kind: str  # "numeric" | "mj"
    maximum: Decimal

    @classmethod
    def numeric(cls, maximum: Decimal | int) -> Scale:
        maximum = Decimal(maximum)
        if maximum <= 0 or maximum != maximum.to_integral_value():
            raise GridError("Une échelle numérique va de 0 à un maximum entier positif.")
        return cls("numeric", maximum)

    @classmethod
    def majority(cls) -> Scale:
        return cls("mj", Decimal(_MJ_TOP))

    def hundredths(self, raw: Decimal | str) -> int:
        """The mark in hundredths of a point (a mention's number for MJ); raises
        ``MarkError`` when it is not on this scale."""
        return _hundredths(self.kind, self.maximum, raw)


@lru_cache(maxsize=4096)
def _hundredths(kind: str, maximum: Decimal, raw: Decimal | str) -> int:
    if kind == "mj":
        if not isinstance(raw, str):
            raise MarkError(f"Une mention est attendue, pas {raw!r}.")
        return int(grade_value(raw)) * 100
    if isinstance(raw, str) or not isinstance(raw, (Decimal, int)):
        raise MarkError(f"Une note numérique est attendue, pas {raw!r}.")
    value = Decimal(raw)
    if not value.is_finite() or value < 0 or value > maximum:
        raise MarkError(f"La note {raw} sort de l'échelle 0–{maximum}.")
    scaled = value * 100
    if scaled != scaled.to_integral_value():
        raise MarkError(f"La note {raw} a plus de deux décimales.")
    return int(scaled)


@dataclass(frozen=True, slots=True)
class CriterionSpec:
    code: str
    label: str
    weight: Decimal  # percent of the total
    scale: Scale
    is_commons: bool = False
    is_environmental: bool = False
    threshold: Decimal | None = None  # on the criterion's scale (a mention's number for MJ)


@dataclass(frozen=True, slots=True)
class GridSpec:
    criteria: tuple[CriterionSpec, ...]

    def __post_init__(self) -> None:
        if not self.criteria:
            raise GridError("La grille compte au moins un critère.")
        codes = [c.code for c in self.criteria]
        if len(set(codes)) != len(codes):
            raise GridError("Chaque critère a un code unique.")
        if any(c.weight < 0 for c in self.criteria):
            raise GridError("Un poids est positif ou nul.")
        total = sum((c.weight for c in self.criteria), Decimal(0))
        if total != 100:
            raise GridError(f"Les poids totalisent {total} % au lieu de 100 %.")
        if any(c.weight != c.weight.quantize(CENT) for c in self.criteria):
            raise GridError("Un poids a au plus deux décimales.")

    @property
    def commons_weight(self) -> Decimal:
        return sum((c.weight for c in self.criteria if c.is_commons), Decimal(0))


@dataclass(frozen=True, slots=True)
class Mark:
    proposal_id: Hashable
    evaluator_id: Hashable
    criterion_code: str
    value: Decimal | str


@dataclass(frozen=True, slots=True)
class CriterionResult:
    code: str
    aggregated: Decimal  # on the criterion's scale
    normalised: Decimal  # in [0, 1]
    contribution: Decimal  # weight × normalised, on 100
    evaluator_marks: tuple[tuple[Hashable, Decimal | str], ...]
    disagreement: bool
    unmarked: bool = False


@dataclass(frozen=True, slots=True)
class RankedProposal:
    proposal_id: Hashable
    rank: int
    total: Decimal  # on 100
    commons_total: Decimal  # the part of the total coming from commons criteria
    commons_weight: Decimal
    eliminated: bool
    elimination_reasons: tuple[str, ...]
    tied_with: tuple[Hashable, ...]
    majority_grade: str | None
    criteria: tuple[CriterionResult, ...]

    def to_dict(self) -> dict:
        return {
            "proposal_id": self.proposal_id,
            "rank": self.rank,
            "total": str(self.total),
            "commons_total": str(self.commons_total),
            "commons_weight": str(self.commons_weight),
            "eliminated": self.eliminated,
            "elimination_reasons": list(self.elimination_reasons),
            "tied_with": list(self.tied_with),
            "majority_grade": self.majority_grade,
            "criteria": [
                {
                    "code": c.code,
                    "aggregated": str(c.aggregated),
                    "normalised": str(c.normalised),
                    "contribution": str(c.contribution),
                    "evaluator_marks": [
                        {"evaluator": e, "value": str(v)} for e, v in c.evaluator_marks
                    ],
                    "disagreement": c.disagreement,
                    "unmarked": c.unmarked,
                }
                for c in self.criteria
            ],
        }


@dataclass(frozen=True, slots=True)
class Ranking:
    method: Method
    entries: tuple[RankedProposal, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict:
        return {"method": str(self.method), "entries": [e.to_dict() for e in self.entries]}


# --- majority value: the sequence of medians, as runs ------------------------------


def _majority_value(runs: list[tuple[int, int]]) -> Iterator[tuple[int, int, int]]:
    """The successive lower medians of a multiset given as ascending (grade, count) runs,
    removing one median at a time, as segments ``(first, second, n)``: n grades that
    alternate first, second, first… (a constant run when first == second).

    With N grades sorted ascending and m = (N + 1) // 2, the medians visit m, then
    alternately one below and one above (odd N) or above then below (even N)."""
    total = sum(count for _, count in runs)
    if total == 0:
        return
    # locate the median's run
    position = (total + 1) // 2
    index, seen = 0, 0
    while seen + runs[index][1] < position:
        seen += runs[index][1]
        index += 1
    offset = position - seen  # 1-based rank of the median inside its run
    grade, count = runs[index]
    yield (grade, grade, 1)
    lower = [index, offset - 1]  # run index, elements left below in that run
    upper = [index, count - offset]  # elements left above in that run
    lower_first = total % 2 == 1

    def advance(side: list[int], step: int) -> bool:
        while side[1] == 0:
            side[0] += step
            if not 0 <= side[0] < len(runs):
                return False
            side[1] = runs[side[0]][1]
        return True

    while True:
        has_lower = advance(lower, -1)
        has_upper = advance(upper, +1)
        if not has_lower and not has_upper:
            return
        if not has_upper:
            yield (runs[lower[0]][0], runs[lower[0]][0], lower[1])
            lower[1] = 0
            continue
        if not has_lower:
            yield (runs[upper[0]][0], runs[upper[0]][0], upper[1])
            upper[1] = 0
            continue
        pairs = min(lower[1], upper[1])
        low_grade, high_grade = runs[lower[0]][0], runs[upper[0]][0]
        if lower_first:
            yield (low_grade, high_grade, 2 * pairs)
        else:
            yield (high_grade, low_grade, 2 * pairs)
        lower[1] -= pairs
        upper[1] -= pairs


def _compare_majority(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> int:
    """Compare two merit profiles by majority value: 1 if a is better, -1, or 0."""
    stream_a, stream_b = _majority_value(a), _majority_value(b)
    head_a, head_b = next(stream_a, None), next(stream_b, None)
    while head_a is not None and head_b is not None:
        (a1, a2, na), (b1, b2, nb) = head_a, head_b
        if a1 != b1:
            return 1 if a1 > b1 else -1
        common = min(na, nb)
        if common >= 2 and a2 != b2:
            return 1 if a2 > b2 else -1
        # the first `common` grades are equal; keep the rest, in phase
        head_a = _rest(head_a, common) or next(stream_a, None)
        head_b = _rest(head_b, common) or next(stream_b, None)
    return 0


def _rest(segment, used):
    first, second, n = segment
    if used >= n:
        return None
    return (first, second, n - used) if used % 2 == 0 else (second, first, n - used)


# --- ranking -----------------------------------------------------------------------


def rank(
    grid: GridSpec,
    marks: Iterable[Mark],
    method: Method | str,
    *,
    disagreement_threshold: Decimal = Decimal("0.4"),
) -> Ranking:
    """Rank every proposal that has at least one mark; see the package docstring.

    All arithmetic is on integers over one common denominator, so results are exact
    and comparisons cheap: a mark is counted in hundredths of a point, a weight in
    hundredths of a percent."""
    method = Method(method)
    criteria = {c.code: c for c in grid.criteria}
    # proposal -> criterion -> [(evaluator, raw mark, hundredths)]
    table: dict[Hashable, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for mark in marks:
        spec = criteria.get(mark.criterion_code)
        if spec is None:
            raise MarkError(f"Critère inconnu : {mark.criterion_code!r}.")
        table[mark.proposal_id][mark.criterion_code].append(
            (mark.evaluator_id, mark.value, spec.scale.hundredths(mark.value))
        )
    counts = {len(rows) for per in table.values() for rows in per.values()} | {1, 2}
    count_lcm = math.lcm(*counts)
    maxima = {c.code: int(c.scale.maximum) for c in grid.criteria}
    max_lcm = math.lcm(*maxima.values())
    weights = {c.code: int(c.weight * 100) for c in grid.criteria}  # hundredths of a percent
    # An aggregated mark is num / (100 * count_lcm) points; normalised, it is
    # num * (max_lcm / max) / (100 * count_lcm * max_lcm); a contribution adds the weight.
    agg_den = 100 * count_lcm
    norm_den = agg_den * max_lcm
    total_den = norm_den * 100  # weights in hundredths of a percent, totals on 100
    spread_limit = Fraction(disagreement_threshold)
    thresholds = {
        c.code: Fraction(c.threshold) * agg_den for c in grid.criteria if c.threshold is not None
    }

    results = []
    for proposal_id, per_criterion in table.items():
        criterion_rows = []
        reasons = []
        total = 0
        commons_total = 0
        profile: dict[int, int] = defaultdict(int)
        for spec in grid.criteria:
            code = spec.code
            rows = per_criterion.get(code, ())
            values = sorted(h for _, _, h in rows)
            n = len(values)
            unit = count_lcm // n if n else 0
            if not n:
                aggregated = 0
            elif method is Method.WEIGHTED_MEAN:
                aggregated = sum(values) * unit
            elif method is Method.MEDIAN_WEIGHTED:
                middle = n // 2
                if n % 2:
                    aggregated = values[middle] * count_lcm
                else:
                    aggregated = (values[middle - 1] + values[middle]) * (count_lcm // 2)
            else:
                aggregated = values[(n - 1) // 2] * count_lcm
            scale_factor = max_lcm // maxima[code]
            normalised = aggregated * scale_factor
            contribution = normalised * weights[code]
            if method is Method.MAJORITY_JUDGMENT:
                # each mark weighs its criterion's weight split among its evaluators
                if n:
                    share = weights[code] * unit
                    for value in values:
                        profile[value * scale_factor] += share
                else:
                    profile[0] += weights[code] * count_lcm
            else:
                total += contribution
            if spec.is_commons:
                commons_total += contribution
            if code in thresholds and aggregated < thresholds[code]:
                reasons.append(
                    f"{spec.label} : {_ratio(aggregated, agg_den)} sous le seuil "
                    f"éliminatoire {spec.threshold}"
                )
            disagreement = (
                bool(n) and Fraction((values[-1] - values[0]), 100 * maxima[code]) > spread_limit
            )
            criterion_rows.append((spec, rows, aggregated, normalised, contribution, disagreement))
        runs = sorted(profile.items())
        if method is Method.MAJORITY_JUDGMENT:
            median = next(_majority_value(runs))[0]  # hundredths × max_lcm / max
            total = median * count_lcm * 10000
        results.append((proposal_id, total, runs, reasons, criterion_rows, commons_total))

    def compare(x, y) -> int:
        if bool(x[3]) != bool(y[3]):  # eliminated proposals come last
            return 1 if x[3] else -1
        if method is Method.MAJORITY_JUDGMENT:
            return -_compare_majority(x[2], y[2])
        return (x[1] < y[1]) - (x[1] > y[1])

    results.sort(key=lambda r: str(r[0]))
    results.sort(key=cmp_to_key(compare))
    all_mj = all(c.scale.kind == "mj" for c in grid.criteria)
    entries = []
    position = 0
    while position < len(results):
        group_end = position + 1
        while group_end < len(results) and compare(results[position], results[group_end]) == 0:
            group_end += 1
        group = results[position:group_end]
        ids = [r[0] for r in group]
        for proposal_id, total, runs, reasons, criterion_rows, commons_total in group:
            majority = None
            if method is Method.MAJORITY_JUDGMENT and all_mj:
                median_points = Fraction(next(_majority_value(runs))[0], 100 * max_lcm) * _MJ_TOP
                majority = MJ_GRADES[_MJ_TOP - int(median_points)]
            entries.append(
                RankedProposal(
                    proposal_id=proposal_id,
                    rank=position + 1,
                    total=_ratio(total, total_den),
                    commons_total=_ratio(commons_total, total_den),
                    commons_weight=grid.commons_weight,
                    eliminated=bool(reasons),
                    elimination_reasons=tuple(reasons),
                    tied_with=tuple(i for i in ids if i != proposal_id),
                    majority_grade=majority,
                    criteria=tuple(
                        CriterionResult(
                            code=spec.code,
                            aggregated=_ratio(aggregated, agg_den),
                            normalised=_ratio(normalised, norm_den, Decimal("0.0001")),
                            contribution=_ratio(contribution, total_den),
                            evaluator_marks=tuple(
                                sorted(((e, raw) for e, raw, _ in rows), key=lambda m: str(m[0]))
                            ),
                            disagreement=disagreement,
                            unmarked=not rows,
                        )
                        for spec, rows, aggregated, normalised, contribution, disagreement in (
                            criterion_rows
                        )
                    ),
                )
            )
        position = group_end
    return Ranking(method=method, entries=tuple(entries))


def _ratio(numerator: int, denominator: int, places: Decimal = CENT) -> Decimal:
    return (Decimal(numerator) / Decimal(denominator)).quantize(places)

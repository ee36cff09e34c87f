"""A collective choice by majority judgment: which commons a call's round cofinances.

Pure Python, like the rest of ``scoring.aggregation``: grades in, a result that explains
itself out. The grades are the majority-judgment mentions numbered as everywhere here,
À rejeter = 0 … Excellent = 6 (``grid.MJ_GRADES``, best first).

The voters (organisations: the call's funders and contributors) grade every candidate
(a selected proposal that would get a bucket), except the candidates of their own
working group, which they do not grade. So candidates may hold different numbers of
grades. As the award's majority judgment does with evaluators (``engine``), each
candidate's *merit profile* is counted in shares: every grade is given the same
multiplicity ``L ÷ n`` where ``n`` is the candidate's number of grades and ``L`` the least
common multiple of those numbers, so every candidate weighs the same total and the
profiles compare exactly (``majority.majority_key``), never with floats.

Order (Balinski–Laraki)
    By majority grade (the lower median of the profile), best first; candidates with
    the same majority grade by their *majority value*: remove one median grade, take
    the lower median of what is left, and so on — the first candidate whose next median
    is better goes first. The point where two tied candidates part is given
    (``TieBreak``): what share of the median grades had been removed, and each one's
    grade there, so the result says in words why one passed the other. Candidates with
    exactly the same profile shares stay tied (same rank).

Which candidates are retained (they get a bucket in the round)
    1. a candidate whose majority grade is at least ``min_grade`` (the call's threshold,
       « Bien » by default): a majority of the voters judged it at least that good;
    2. if the call caps the number of commons (``max_retained``), the best ones up to
       that number; candidates exactly tied at the cut are all kept (no draw decides
       between commons the voters judged alike);
    3. no ballot at all: nobody expressed a judgment, so the buyer's selection stands
       and every candidate is retained (``Reason.NO_BALLOT``);
    4. a candidate nobody could grade (every voter belongs to its working group) keeps
       its place from the selection (``Reason.UNGRADED``), ranked after the graded ones.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from math import lcm
from typing import Any

from .grid import MJ_GRADES, Id
from .majority import MajorityKey, majority_key

TOP = len(MJ_GRADES) - 1  # Excellent


class VoteError(ValueError):
    """A grade off the scale, or a threshold or cap that makes no sense."""


class Reason(StrEnum):
    """Why a candidate is retained or not (the result says it in words)."""

    ABOVE_THRESHOLD = "above_threshold"  # retained: majority grade at least the threshold
    BELOW_THRESHOLD = "below_threshold"  # not retained: majority grade below it
    BEYOND_CAP = "beyond_cap"  # not retained: the best ``max_retained`` took the places
    NO_BALLOT = "no_ballot"  # retained: no ballot at all, the selection stands
    UNGRADED = "ungraded"  # retained: no voter could grade it, the selection stands


RETAINED = frozenset({Reason.ABOVE_THRESHOLD, Reason.NO_BALLOT, Reason.UNGRADED})


@dataclass(frozen=True, slots=True)
class TieBreak:
    """How a candidate passed the next one although both have the same majority grade.

    ``removed`` is the share of the median grades removed before they part (0 ≤ removed
    < 1); ``grade`` and ``other_grade`` the next median grade of each one there. ``None``
    in ``Outcome.tie_break`` when the majority grades differ or the profiles are alike."""

    other: Id
    removed: Fraction
    grade: int
    other_grade: int


@dataclass(frozen=True, slots=True)
class Outcome:
    """One candidate's result. ``counts[g]`` is the number of grades ``g`` (0 … 6) it
    received; ``majority_grade`` is ``None`` when it received none. ``rank`` starts at 1
    and is shared by candidates exactly tied (1, 1, 3). ``tie_break`` explains its place
    before the next candidate of the same majority grade; ``tied_with`` names the ones
    it is exactly tied with."""

    candidate: Id
    counts: tuple[int, ...]
    majority_grade: int | None
    rank: int
    retained: bool
    reason: Reason
    tie_break: TieBreak | None
    tied_with: tuple[Id, ...]

    @property
    def grades(self) -> int:
        return sum(self.counts)

    def shares(self) -> tuple[Fraction, ...]:
        """The merit profile: the share of each grade (0 … 6), exact."""
        total = self.grades
        return tuple(Fraction(c, total) if total else Fraction(0) for c in self.counts)


@dataclass(frozen=True, slots=True)
class CollectiveResult:
    """Every candidate, best first, with the rule that was applied."""

    outcomes: tuple[Outcome, ...]
    ballots: int
    min_grade: int
    max_retained: int | None

    @property
    def retained(self) -> tuple[Id, ...]:
        return tuple(o.candidate for o in self.outcomes if o.retained)

    def as_dict(self) -> dict[str, Any]:
        """Plain data (strings, numbers, lists) for a record or a JSON answer."""
        return {
            "ballots": self.ballots,
            "min_grade": self.min_grade,
            "max_retained": self.max_retained,
            "outcomes": [
                {
                    "candidate": o.candidate,
                    "counts": list(o.counts),
                    "majority_grade": o.majority_grade,
                    "rank": o.rank,
                    "retained": o.retained,
                    "reason": str(o.reason),
                    "tied_with": list(o.tied_with),
                    "tie_break": None
                    if o.tie_break is None
                    else {
                        "other": o.tie_break.other,
                        "removed": [
                            o.tie_break.removed.numerator,
                            o.tie_break.removed.denominator,
                        ],
                        "grade": o.tie_break.grade,
                        "other_grade": o.tie_break.other_grade,
                    },
                }
                for o in self.outcomes
            ],
        }


def _counts(grades: Sequence[int]) -> tuple[int, ...]:
    counts = [0] * (TOP + 1)
    for grade in grades:
        if isinstance(grade, bool) or not isinstance(grade, int) or not 0 <= grade <= TOP:
            raise VoteError(f"mention hors échelle : {grade!r} (de 0 à {TOP})")
        counts[grade] += 1
    return tuple(counts)


def _scaled(counts: tuple[int, ...], total: int) -> dict[int, int]:
    """The profile with every grade weighing ``total ÷ n``: all profiles the same size."""
    n = sum(counts)
    return {grade: count * (total // n) for grade, count in enumerate(counts) if count}


def _pair_runs(key: MajorityKey, size: int) -> list[tuple[tuple[int, int], int]]:
    """The majority value after its first grade, as runs ``(pair, repetitions)``, read
    back from ``majority_key`` (the last run's length is what the others leave)."""
    runs: list[tuple[tuple[int, int], int]] = []
    pairs_total = (size - 1) // 2
    for pair, direction, length in key[1:]:
        if pair[1] == -1:  # the lone last grade of an even size
            runs.append((pair, 1))
        elif direction == 0:
            runs.append((pair, pairs_total - sum(r for p, r in runs if p[1] != -1)))
        else:
            runs.append((pair, -length if direction > 0 else length))
    return runs


def _parting(a: MajorityKey, b: MajorityKey, size: int) -> tuple[int, int, int] | None:
    """Where two majority values of ``size`` grades with the same first grade part: the
    position in the sequence and each one's grade there; ``None`` if they never do."""
    runs_a, runs_b = _pair_runs(a, size), _pair_runs(b, size)
    index_a = index_b = 0
    left_a = runs_a[0][1] if runs_a else 0
    left_b = runs_b[0][1] if runs_b else 0
    pair_number = 0
    while index_a < len(runs_a) and index_b < len(runs_b):
        pair_a, pair_b = runs_a[index_a][0], runs_b[index_b][0]
        if pair_a != pair_b:
            if pair_a[0] != pair_b[0]:
                return 1 + 2 * pair_number, pair_a[0], pair_b[0]
            return 2 + 2 * pair_number, pair_a[1], pair_b[1]
        step = min(left_a, left_b)
        pair_number += step
        left_a -= step
        left_b -= step
        if not left_a:
            index_a += 1
            left_a = runs_a[index_a][1] if index_a < len(runs_a) else 0
        if not left_b:
            index_b += 1
            left_b = runs_b[index_b][1] if index_b < len(runs_b) else 0
    return None


def collective_choice(
    grades: Mapping[Id, Sequence[int]],
    *,
    ballots: int,
    min_grade: int = 4,
    max_retained: int | None = None,
) -> CollectiveResult:
    """Tally the grades of each candidate (``{candidate: [grade, …]}``; every candidate
    listed, even with no grade) cast on ``ballots`` ballots, and say which candidates
    are retained: see the module's docstring for the order and the rule.

    Candidates come out best first; among exactly tied ones, in the order given."""
    if isinstance(min_grade, bool) or not 0 <= min_grade <= TOP:
        raise VoteError(f"seuil hors échelle : {min_grade!r} (de 0 à {TOP})")
    if max_retained is not None and max_retained < 1:
        raise VoteError("le nombre de communs retenus est d'au moins un")
    if ballots < 0:
        raise VoteError("un nombre de bulletins n'est pas négatif")
    counts = {candidate: _counts(list(given)) for candidate, given in grades.items()}
    graded = [c for c in counts if sum(counts[c])]
    sizes = {sum(counts[c]) for c in graded}
    total = lcm(*sizes) if sizes else 1
    keys = {c: majority_key(_scaled(counts[c], total)) for c in graded}
    # the order: best majority value first; stable, so exact ties keep the given order
    order = sorted(graded, key=lambda c: keys[c], reverse=True)
    ranks: dict[Id, int] = {}
    for position, candidate in enumerate(order):
        previous = order[position - 1] if position else None
        same = previous is not None and keys[previous] == keys[candidate]
        ranks[candidate] = ranks[previous] if same and previous is not None else position + 1
    tie_breaks: dict[Id, TieBreak] = {}
    for first, second in itertools.pairwise(order):
        if keys[first] != keys[second] and keys[first][0] == keys[second][0]:
            parting = _parting(keys[first], keys[second], total)
            if parting is not None:
                position, grade, other_grade = parting
                tie_breaks[first] = TieBreak(
                    other=second,
                    removed=Fraction(position, total),
                    grade=grade,
                    other_grade=other_grade,
                )
    # who is retained
    reasons: dict[Id, Reason] = {}
    above = [c for c in order if keys[c][0] >= min_grade]
    kept = above
    if max_retained is not None and len(above) > max_retained:
        cut = keys[above[max_retained - 1]]
        kept = [c for c in above if keys[c] >= cut]
    for candidate in order:
        if ballots == 0:
            reasons[candidate] = Reason.NO_BALLOT
        elif candidate in kept:
            reasons[candidate] = Reason.ABOVE_THRESHOLD
        elif keys[candidate][0] >= min_grade:
            reasons[candidate] = Reason.BEYOND_CAP
        else:
            reasons[candidate] = Reason.BELOW_THRESHOLD
    ungraded = [c for c in counts if c not in keys]
    for candidate in ungraded:
        reasons[candidate] = Reason.NO_BALLOT if ballots == 0 else Reason.UNGRADED
    last_rank = len(order) + 1
    outcomes = [
        Outcome(
            candidate=c,
            counts=counts[c],
            majority_grade=keys[c][0],
            rank=ranks[c],
            retained=reasons[c] in RETAINED,
            reason=reasons[c],
            tie_break=tie_breaks.get(c),
            tied_with=tuple(o for o in order if o != c and keys[o] == keys[c]),
        )
        for c in order
    ] + [
        Outcome(
            candidate=c,
            counts=counts[c],
            majority_grade=None,
            rank=last_rank,
            retained=True,
            reason=reasons[c],
            tie_break=None,
            tied_with=tuple(o for o in ungraded if o != c),
        )
        for c in ungraded
    ]
    return CollectiveResult(
        outcomes=tuple(outcomes), ballots=ballots, min_grade=min_grade, max_retained=max_retained
    )

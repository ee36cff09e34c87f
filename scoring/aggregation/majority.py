"""Balinski–Laraki's majority value, as a sort key.

A merit profile is a multiset of integer grades given as ``{grade: multiplicity}``.
Its *majority value* is the sequence of grades obtained by taking the lower median,
removing it, taking the lower median of what is left, and so on until nothing is
left. Two profiles of the same size are ranked by comparing their majority values
lexicographically: the first grade (the majority grade) decides, and ties are broken
by the next medians. This is the usual tie-breaking procedure of majority judgment.

Multiplicities here are large (a criterion's weight in hundredths of a percent times
a common multiple of the numbers of evaluators), so the sequence is never expanded.
On the sorted profile, the medians start at the lower median and then move outwards,
one grade below, one above (or above first when the size is even): after the first
grade the sequence is a series of *pairs* that every profile of the same size cuts at
the same places. ``majority_key`` run-length encodes those pairs and turns each run
into a tuple that compares like the expanded sequence would:

* a run of the pair ``s`` repeated ``n`` times, followed by a different pair ``t``,
  becomes ``(s, +1, -n)`` when ``t > s`` (the sequence rises: the sooner it rises,
  the better) and ``(s, -1, n)`` when ``t < s`` (it falls: the later, the better);
* the last run becomes ``(s, 0, 0)``; a final lone grade ``x`` (even size) is the
  pair ``(x, -1)``, lower than any real pair that starts with ``x``.

So comparing two keys with ``<`` is comparing two majority values, exactly, in time
proportional to the number of distinct grades.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeAlias

# (majority grade, (pair, direction, length), …): see the module docstring
MajorityKey: TypeAlias = tuple[Any, ...]


def majority_key(profile: Mapping[int, int]) -> MajorityKey:
    """The majority value of ``profile`` as a tuple; a larger tuple is a better value.

    Only keys of profiles with the same total multiplicity are comparable (the
    ranking gives every proposal the same total). ``key[0]`` is the majority grade.
    An empty profile has the key ``()``."""
    runs = sorted((grade, count) for grade, count in profile.items() if count > 0)
    size = sum(count for _, count in runs)
    if not size:
        return ()
    # the lower median and where it sits in the runs
    position = (size + 1) // 2
    index, seen = 0, 0
    while seen + runs[index][1] < position:
        seen += runs[index][1]
        index += 1
    below_index, below_left = index, position - seen - 1
    above_index, above_left = index, seen + runs[index][1] - position
    # With an odd size the grades left below and above are as many, and the next
    # lower median is below; with an even size one more is left above, so it comes
    # first, and it is also the last grade, alone.
    below_first = size % 2 == 1
    pairs_left = (size - 1) // 2
    symbols: list[list[Any]] = []  # [pair, repetitions]
    while pairs_left:
        while not below_left:
            below_index -= 1
            below_left = runs[below_index][1]
        while not above_left:
            above_index += 1
            above_left = runs[above_index][1]
        low, high = runs[below_index][0], runs[above_index][0]
        pair = (low, high) if below_first else (high, low)
        repeat = min(below_left, above_left)
        if symbols and symbols[-1][0] == pair:
            symbols[-1][1] += repeat
        else:
            symbols.append([pair, repeat])
        below_left -= repeat
        above_left -= repeat
        pairs_left -= repeat
    if not below_first:
        while not above_left:
            above_index += 1
            above_left = runs[above_index][1]
        symbols.append([(runs[above_index][0], -1), 1])
    key: list[Any] = [runs[index][0]]
    for position, (pair, repeat) in enumerate(symbols):
        if position + 1 == len(symbols):
            key.append((pair, 0, 0))
        elif symbols[position + 1][0] > pair:
            key.append((pair, 1, -repeat))
        else:
            key.append((pair, -1, repeat))
    return tuple(key)


def majority_value(profile: Mapping[int, int]) -> list[int]:
    """The expanded sequence of successive lower medians, for small profiles: the
    textbook procedure that ``majority_key`` must agree with (tests and reports)."""
    remaining = sorted(grade for grade, count in profile.items() for _ in range(count))
    sequence = []
    while remaining:
        sequence.append(remaining.pop((len(remaining) - 1) // 2))
    return sequence

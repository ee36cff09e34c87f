"""Reading the marks: one pass that checks each mark and buckets it by proposal and
criterion, ready for the aggregation."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, TypeAlias

from .grid import CriterionSpec, Id, Mark, MarkError

Pair: TypeAlias = tuple[Id, Decimal | str]  # (evaluator, mark as given)
Rows: TypeAlias = list[list[Pair]]  # per criterion, in the grid's order
Table: TypeAlias = dict[Id, Rows]  # per proposal
Conversions: TypeAlias = dict[Any, int]  # mark as given → hundredths


def read_marks(
    criteria: Sequence[CriterionSpec], marks: Iterable[Mark], proposals: Iterable[Id]
) -> tuple[Table, list[Conversions]]:
    """One pass over the marks: proposal → per criterion, [(evaluator, mark)], and per
    criterion, the mark → hundredths conversions.

    A mark is checked and converted once per distinct value and criterion: evaluators
    use few distinct marks, so nearly every mark costs two dict look-ups."""
    size = len(criteria)
    converted: list[Conversions] = [{} for _ in criteria]
    # The conversions are keyed by value, and Decimal(5) == 5.0: a value of another
    # type than these is checked anew, so that a float never borrows a Decimal's entry.
    lookup = {
        c.code: (position, {str} if c.scale.is_majority else {Decimal, int}, converted[position])
        for position, c in enumerate(criteria)
    }
    lookup_get = lookup.get
    table: Table = {}
    table_get = table.get
    for proposal in proposals:
        if proposal not in table:
            table[proposal] = [[] for _ in range(size)]
    for mark in marks:
        found = lookup_get(mark.criterion_code)
        if found is None:
            raise MarkError(f"{_where(mark)} : critère inconnu {mark.criterion_code!r}")
        position, accepted, known = found
        value = mark.value
        try:
            checked = type(value) in accepted and value in known
        except TypeError:  # a signalling NaN cannot be hashed; units() says why
            checked = False
        if not checked:
            try:
                known[value] = criteria[position].scale.units(value)
            except MarkError as error:
                raise MarkError(f"{_where(mark)} : {error}") from None
        rows = table_get(mark.proposal_id)
        if rows is None:
            rows = table[mark.proposal_id] = [[] for _ in range(size)]
        rows[position].append((mark.evaluator_id, value))
    return table, converted


def _where(mark: Mark) -> str:
    return (
        f"note de l'évaluateur {mark.evaluator_id!r} sur la proposition "
        f"{mark.proposal_id!r}, critère {mark.criterion_code!r}"
    )

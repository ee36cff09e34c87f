"""The tie rule the règlement states: proposals ex aequo on their final score are told
apart by their contributions criterion by criterion, the heaviest criterion first (the
grid's order between criteria of equal weight), the higher contribution winning. If
every criterion leaves them equal, they stay tied and the buyer's choice among them is
justified like any departure from the ranking.

Pure: ``RankedProposal`` and ``GridSpec`` in, an order and its reason out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from .grid import CriterionSpec, GridSpec, Id
from .results import RankedProposal


@dataclass(frozen=True, slots=True)
class TieBreak:
    """The tied proposals in the rule's order; ``deciding`` is the criterion that told
    the first apart from the next (``None``: the rule leaves them tied)."""

    order: tuple[Id, ...]
    deciding: CriterionSpec | None


def tie_order(grid: GridSpec) -> tuple[CriterionSpec, ...]:
    """The criteria in the order the rule reads them: heaviest first, then the grid's."""
    indexed = list(enumerate(grid.criteria))
    indexed.sort(key=lambda item: (-item[1].weight, item[0]))
    return tuple(criterion for _, criterion in indexed)


def break_tie(tied: Sequence[RankedProposal], grid: GridSpec) -> TieBreak:
    """Order ``tied`` (proposals sharing a rank) by the rule. Contributions are compared
    as the ranking gives them (rounded to the hundredth, as printed in the analysis
    report), so the reader can check the decision."""
    criteria = tie_order(grid)

    def key(entry: RankedProposal) -> tuple[Decimal, ...]:
        by_code = {c.code: c.contribution for c in entry.criteria}
        return tuple(by_code.get(c.code, Decimal(0)) for c in criteria)

    ordered = sorted(tied, key=key, reverse=True)  # stable: the ranking's order on ties
    deciding = None
    if len(ordered) > 1:
        first, second = key(ordered[0]), key(ordered[1])
        for criterion, a, b in zip(criteria, first, second, strict=True):
            if a != b:
                deciding = criterion
                break
    return TieBreak(order=tuple(e.proposal_id for e in ordered), deciding=deciding)

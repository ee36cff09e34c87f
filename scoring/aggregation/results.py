"""What an aggregation gives back: a ranking that explains itself.

Figures are ``Decimal`` rounded half up for display (marks and totals to 0.01,
normalised marks and spreads to 0.0001); ranks and ties are decided on the exact
values before rounding, so two totals that print alike may still rank apart.
``to_dict`` gives JSON-ready dicts (``Decimal`` as strings) for the API and documents.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .grid import Id, Method


def _text(value: Decimal | str) -> str:
    return value if isinstance(value, str) else str(value)


@dataclass(frozen=True, slots=True)
class CriterionResult:
    """One criterion of one proposal.

    ``aggregated`` is on the criterion's scale (a mention's number on the mention
    scale), ``normalised`` in [0, 1], ``contribution`` = weight × normalised, on 100.
    ``spread`` is (highest − lowest evaluator mark) / scale range; ``disagreement`` is
    set when it exceeds the ranking's threshold. ``unmarked``: nobody marked it, so it
    counts as the lowest mark."""

    code: str
    aggregated: Decimal
    normalised: Decimal
    contribution: Decimal
    evaluator_marks: tuple[tuple[Id, Decimal | str], ...]
    disagreement: bool
    unmarked: bool = False
    spread: Decimal = Decimal(0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "aggregated": str(self.aggregated),
            "normalised": str(self.normalised),
            "contribution": str(self.contribution),
            "evaluator_marks": [
                {"evaluator": evaluator, "value": _text(value)}
                for evaluator, value in self.evaluator_marks
            ],
            "disagreement": self.disagreement,
            "unmarked": self.unmarked,
            "spread": str(self.spread),
        }


@dataclass(frozen=True, slots=True)
class RankedProposal:
    """One proposal's place in the ranking and why.

    ``total`` is on 100: the sum of the contributions for the two weighted methods,
    the majority grade's numeric equivalent for majority judgment. ``commons_total``
    is the sum of the commons criteria's contributions, out of ``commons_weight``.
    ``tied_with`` lists the proposals with exactly the same result, which share the
    rank. ``majority_grade`` and ``merit_profile`` (grade, share of the weight in %,
    best grade first) are given for majority judgment only."""

    proposal_id: Id
    rank: int
    total: Decimal
    commons_total: Decimal
    commons_weight: Decimal
    eliminated: bool
    elimination_reasons: tuple[str, ...]
    tied_with: tuple[Id, ...]
    majority_grade: str | None
    criteria: tuple[CriterionResult, ...]
    merit_profile: tuple[tuple[str, Decimal], ...] = ()

    @property
    def to_deliberate(self) -> tuple[str, ...]:
        """The codes of the criteria on which the evaluators disagree."""
        return tuple(c.code for c in self.criteria if c.disagreement)

    def criterion(self, code: str) -> CriterionResult:
        for result in self.criteria:
            if result.code == code:
                return result
        raise KeyError(code)

    def to_dict(self) -> dict[str, Any]:
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
            "merit_profile": [
                {"grade": grade, "share": str(share)} for grade, share in self.merit_profile
            ],
            "to_deliberate": list(self.to_deliberate),
            "criteria": [c.to_dict() for c in self.criteria],
        }


@dataclass(frozen=True, slots=True)
class Ranking:
    """Every proposal, best first; eliminated proposals come after all the others."""

    method: Method
    entries: tuple[RankedProposal, ...]
    disagreement_threshold: Decimal = Decimal("0.4")

    def entry(self, proposal_id: Id) -> RankedProposal:
        for entry in self.entries:
            if entry.proposal_id == proposal_id:
                return entry
        raise KeyError(proposal_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method.value,
            "disagreement_threshold": str(self.disagreement_threshold),
            "entries": [entry.to_dict() for entry in self.entries],
        }

"""Short ways to write grids and marks in the aggregation tests."""

from decimal import Decimal

from scoring.aggregation import CriterionSpec, GridSpec, Mark, Scale

D = Decimal
MJ = "mj"


def crit(code, weight, scale=10, **options):
    """A criterion weighing ``weight`` % on 0–``scale``, or on mentions with ``MJ``."""
    return CriterionSpec(
        code=code,
        label=code.upper(),
        weight=D(weight),
        scale=Scale.majority() if scale == MJ else Scale.numeric(scale),
        **options,
    )


def grid(*criteria):
    return GridSpec(tuple(criteria))


def marks(table):
    """``{proposal: {criterion: [mark of e1, mark of e2, …]}}`` → marks; ``None`` in a
    list is an evaluator who did not mark that criterion."""
    return [
        Mark(proposal, f"e{number}", code, value if isinstance(value, str) else D(value))
        for proposal, per_criterion in table.items()
        for code, values in per_criterion.items()
        for number, value in enumerate(values, 1)
        if value is not None
    ]


def order(ranking):
    return [entry.proposal_id for entry in ranking.entries]


def ranks(ranking):
    return {entry.proposal_id: entry.rank for entry in ranking.entries}


def totals(ranking):
    return {entry.proposal_id: entry.total for entry in ranking.entries}

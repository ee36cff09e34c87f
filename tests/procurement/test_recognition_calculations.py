"""The arithmetic of the execution follow-up and of the contribution record (issue 21),
pure and tested at its bounds: the progress formula, a milestone's state, a
reciprocity period kept, late or missed, and the documented order of the record."""

from datetime import date
from decimal import Decimal

import pytest

from procurement.calculations import (
    DECLARATION_GRACE_DAYS,
    Involvement,
    declaration_due_by,
    declaration_standing,
    execution_progress,
    involvement_order,
    milestone_state,
    progress_sum,
)


@pytest.mark.parametrize(
    ("admitted", "deliverables", "reached", "milestones", "percent"),
    [
        (0, 0, 0, 0, None),  # nothing planned: no percentage, not 0 %
        (0, 1, 0, 0, 0),
        (1, 1, 0, 0, 100),
        (0, 0, 1, 1, 100),
        (1, 3, 0, 0, 33),  # 33.3… rounded down
        (2, 3, 0, 0, 66),  # 66.6… rounded down, never up
        (99, 100, 0, 0, 99),  # 100 % only when everything is done
        (99, 100, 1, 100, 50),
        (1, 4, 1, 2, 33),
    ],
)
def test_progress_is_done_over_planned_rounded_down(
    admitted, deliverables, reached, milestones, percent
):
    progress = execution_progress(
        admitted=admitted, deliverables=deliverables, reached=reached, milestones=milestones
    )
    assert progress.percent == percent


@pytest.mark.parametrize(
    "counts",
    [
        {"admitted": 2, "deliverables": 1, "reached": 0, "milestones": 0},
        {"admitted": 0, "deliverables": 0, "reached": 1, "milestones": 0},
        {"admitted": -1, "deliverables": 1, "reached": 0, "milestones": 0},
    ],
)
def test_progress_refuses_more_done_than_planned_or_negative_counts(counts):
    with pytest.raises(ValueError, match=r"negative|more done"):
        execution_progress(**counts)


def test_lots_are_added_not_averaged():
    # one lot with ten deliverables all admitted, one lot with one deliverable not
    big = execution_progress(admitted=10, deliverables=10, reached=0, milestones=0)
    small = execution_progress(admitted=0, deliverables=1, reached=0, milestones=0)
    assert progress_sum([big, small]).percent == 90  # ⌊1000/11⌋, not (100 + 0) / 2
    assert progress_sum([]).percent is None


@pytest.mark.parametrize(
    ("reached_on", "today", "state"),
    [
        (None, date(2026, 10, 1), "planned"),  # its day: not late yet
        (None, date(2026, 10, 2), "late"),  # the day after
        (date(2026, 10, 5), date(2026, 10, 9), "reached"),  # reached late is reached
        (date(2026, 9, 1), date(2026, 9, 1), "reached"),
    ],
)
def test_a_milestone_state(reached_on, today, state):
    assert milestone_state(date(2026, 10, 1), reached_on, today) == state


END = date(2026, 3, 31)  # a quarter's end: due by 30 April


@pytest.mark.parametrize(
    ("declared_on", "today", "standing"),
    [
        (date(2026, 3, 15), date(2026, 6, 1), "kept"),  # declared within the period
        (date(2026, 4, 30), date(2026, 6, 1), "kept"),  # the last day on time
        (date(2026, 5, 1), date(2026, 6, 1), "late"),  # the day after
        (None, date(2026, 4, 30), None),  # not declared, still on time: nothing to say
        (None, date(2026, 5, 1), "missed"),  # not declared, the day after
    ],
)
def test_a_reciprocity_period_kept_late_or_missed(declared_on, today, standing):
    assert declaration_due_by(END) == date(2026, 4, 30)
    assert DECLARATION_GRACE_DAYS == 30
    assert declaration_standing(period_end=END, declared_on=declared_on, today=today) == standing


def test_ways_count_what_is_given_never_what_is_received():
    assert Involvement().ways == 0
    assert Involvement(paid_out=Decimal("50000.00"), positions=3).ways == 0
    everything = Involvement(
        skills_days=Decimal("0.5"),
        technical_means=1,
        money_offers=1,
        paid_in=Decimal("0.01"),
        reciprocity_given=Decimal("0.01"),
    )
    assert everything.ways == 5


def test_the_record_order_is_ways_then_days_then_name():
    broad = Involvement(technical_means=1, paid_in=Decimal(10))  # 2 ways, 0 days
    deep = Involvement(skills_days=Decimal(40))  # 1 way, 40 days
    shallow = Involvement(skills_days=Decimal(5))  # 1 way, 5 days
    paid = Involvement(paid_out=Decimal(90000))  # 0 ways: received only
    rows = [("Zèbre", paid), ("b", shallow), ("Alpha", deep), ("Omega", broad), ("a", shallow)]
    ordered = sorted(rows, key=lambda row: involvement_order(row[1], row[0]))
    assert [name for name, _ in ordered] == ["Omega", "Alpha", "a", "b", "Zèbre"]

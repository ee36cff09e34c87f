"""Fair pay (« juste rémunération », seed 003): contributors paid 30 € to 45 € HT an hour
and coordination 10 % to 25 % of the budget, bounds included — a table per rule."""

from decimal import Decimal

import pytest

from procurement import calculations as calc

D = Decimal


def _line(rate, *, per_day=False, amount="100.00", contribution=True, coordination=False):
    return calc.PayLine(
        label="Développement",
        contribution=contribution,
        coordination=coordination,
        per_day=per_day,
        rate=D(rate),
        amount=D(amount),
    )


@pytest.mark.parametrize(
    ("rate", "within"),
    [
        ("29.99", False),
        ("30.00", True),  # 30 € itself is fair
        ("37.50", True),
        ("45.00", True),  # and so is 45 €
        ("45.01", False),
    ],
)
def test_an_hourly_rate_is_fair_from_30_to_45_euros_bounds_included(rate, within):
    pay = calc.fair_pay([_line(rate)])
    assert pay.lines[0].within is within
    assert pay.lines[0].hourly_rate == D(rate)


@pytest.mark.parametrize(
    ("day_rate", "hourly", "within"),
    [
        ("209.99", "30.00", False),  # 29.998… an hour: below, though it rounds to 30,00
        ("210.00", "30.00", True),
        ("315.00", "45.00", True),
        ("315.01", "45.00", False),  # 45.001… an hour: above, though it rounds to 45,00
    ],
)
def test_a_day_rate_is_compared_at_seven_hours_without_rounding(day_rate, hourly, within):
    line = calc.fair_pay([_line(day_rate, per_day=True)]).lines[0]
    assert (line.hourly_rate, line.within) == (D(hourly), within)


@pytest.mark.parametrize(
    ("low", "high", "rate", "within"),
    [("50", "60", "49.99", False), ("50", "60", "50.00", True), ("50", "60", "60.01", False)],
)
def test_the_call_s_own_reference_replaces_the_default(low, high, rate, within):
    pay = calc.fair_pay([_line(rate)], rate_min=D(low), rate_max=D(high))
    assert pay.lines[0].within is within


@pytest.mark.parametrize(
    ("coordination", "share", "within"),
    [
        ("9.99", "9.99", False),
        ("10.00", "10.00", True),  # 10 % is inside
        ("25.00", "25.00", True),  # 25 % too
        ("25.01", "25.01", False),
    ],
)
def test_coordination_is_fair_from_10_to_25_percent_of_the_budget(coordination, share, within):
    rest = D("100.00") - D(coordination)
    pay = calc.fair_pay(
        [
            _line("40", amount=str(rest)),
            _line("40", amount=coordination, contribution=False, coordination=True),
        ]
    )
    assert (pay.total, pay.coordination) == (D("100.00"), D(coordination))
    assert (pay.coordination_share, pay.coordination_within) == (D(share), within)


def test_only_contribution_lines_have_their_rate_checked():
    pay = calc.fair_pay([_line("12.00", contribution=False), _line("40.00")])
    assert [line.hourly_rate for line in pay.lines] == [D("40.00")]


def test_an_empty_budget_has_no_coordination_share():
    pay = calc.fair_pay([])
    assert (pay.coordination_share, pay.coordination_within, pay.lines) == (None, False, ())

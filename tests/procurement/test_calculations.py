"""The domain's arithmetic on money and deadlines, rule by rule at its bounds."""

import ast
import inspect
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from procurement import calculations as calc

PARIS = ZoneInfo("Europe/Paris")
D = Decimal


# --- money ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (D("12.344"), D("12.34")),
        (D("12.345"), D("12.35")),  # half up, not to even
        (D("12.355"), D("12.36")),
        (D("0.004"), D("0.00")),
        (D("0.005"), D("0.01")),
        (D("-0.005"), D("-0.01")),  # half away from zero
        (D("7"), D("7.00")),
    ],
)
def test_to_cent_rounds_half_up(amount, expected):
    assert calc.to_cent(amount) == expected
    assert calc.to_cent(amount).as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("amount", "expected"),
    [(D("12"), True), (D("12.5"), True), (D("12.50"), True), (D("12.505"), False)],
)
def test_amounts_are_given_to_the_cent(amount, expected):
    assert calc.is_in_cents(amount) is expected


@pytest.mark.parametrize(
    ("revenue", "percent", "expected"),
    [
        (D("1000"), D("5"), D("50.00")),
        (D("333.33"), D("1.5"), D("5.00")),  # 4.99995 rounds up to the cent
        (D("333.30"), D("1.5"), D("5.00")),  # 4.9995
        (D("333.00"), D("1.5"), D("5.00")),  # 4.995: half up
        (D("332.99"), D("1.5"), D("4.99")),  # 4.99485
        (D("0"), D("100"), D("0.00")),
    ],
)
def test_share_of_revenue_rounded_to_the_cent(revenue, percent, expected):
    assert calc.share_of(revenue, percent) == expected


@pytest.mark.parametrize(
    ("amounts", "expected"),
    [
        ([], []),
        ([D("100.00")], [D("100.00")]),
        ([D("100.00"), D("-30.50"), D("10.25")], [D("100.00"), D("69.50"), D("79.75")]),
        ([D("10.00"), D("-10.00")], [D("10.00"), D("0.00")]),
    ],
)
def test_running_balance_after_each_move(amounts, expected):
    assert calc.running_balances(amounts) == expected


# --- approvals of an expense ------------------------------------------------------------


@pytest.mark.parametrize(
    ("voters", "expected"), [(0, 1), (1, 1), (2, 2), (3, 2), (4, 3), (5, 3), (6, 4)]
)
def test_a_majority_is_more_than_half(voters, expected):
    assert calc.majority_of(voters) == expected


@pytest.mark.parametrize(
    ("approvals", "refusals", "voters", "required", "expected"),
    [
        (2, 0, 3, 2, "approved"),  # reached exactly
        (1, 0, 3, 2, None),
        (1, 1, 3, 2, None),  # the last voter can still approve
        (0, 2, 3, 2, "refused"),  # one more refusal than 3 - 2 allows
        (0, 1, 3, 2, None),  # refusals = voters - required: not yet refused
        (1, 1, 2, 1, "approved"),  # approvals counted first
        (0, 1, 1, 1, "refused"),
    ],
)
def test_an_expense_is_approved_or_refused_at_the_bounds(
    approvals, refusals, voters, required, expected
):
    outcome = calc.expense_outcome(
        approvals=approvals, refusals=refusals, voters=voters, required=required
    )
    assert outcome == expected


# --- deadlines --------------------------------------------------------------------------

DEADLINE = datetime(2026, 11, 22, 12, 0, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("answered_at", "in_time"),
    [
        (DEADLINE - timedelta(days=6, seconds=1), True),
        (DEADLINE - timedelta(days=6), True),  # exactly six days before, to the second
        (DEADLINE - timedelta(days=6) + timedelta(seconds=1), False),
        (DEADLINE - timedelta(days=1), False),
        (DEADLINE, False),
    ],
)
def test_r2132_6_answers_at_the_latest_six_days_before_the_deadline(answered_at, in_time):
    # article R2132-6 of the code de la commande publique
    assert calc.answers_in_time(answered_at, DEADLINE) is in_time
    assert calc.answers_due_by(DEADLINE) == datetime(2026, 11, 16, 12, 0, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("deadline", "answered_at", "expected"),
    [
        # answered 4 days before: the deadline moves two days, same time of day
        (DEADLINE, DEADLINE - timedelta(days=4), datetime(2026, 11, 24, 12, 0, tzinfo=PARIS)),
        # a second too late for one day: the next day
        (
            DEADLINE,
            datetime(2026, 11, 17, 12, 0, 1, tzinfo=PARIS),
            datetime(2026, 11, 24, 12, 0, tzinfo=PARIS),
        ),
        # exactly six days: that day itself
        (
            DEADLINE,
            datetime(2026, 11, 17, 12, 0, tzinfo=PARIS),
            datetime(2026, 11, 23, 12, 0, tzinfo=PARIS),
        ),
        # across the change to winter time (25 October 2026): still noon in Paris
        (
            datetime(2026, 10, 24, 12, 0, tzinfo=PARIS),
            datetime(2026, 10, 22, 12, 0, tzinfo=PARIS),
            datetime(2026, 10, 28, 12, 0, tzinfo=PARIS),
        ),
    ],
)
def test_r2132_6_the_deadline_that_restores_six_days(deadline, answered_at, expected):
    restored = calc.restoring_deadline(deadline, answered_at, PARIS)
    assert restored == expected
    assert restored.astimezone(PARIS).time() == deadline.astimezone(PARIS).time()
    assert calc.answers_in_time(answered_at, restored)


@pytest.mark.parametrize(
    ("opened_at", "days", "expected"),
    [
        (datetime(2026, 3, 1, 9, 30, tzinfo=PARIS), 15, datetime(2026, 3, 16, 9, 30, tzinfo=PARIS)),
        # over the change to summer time (29 March 2026): 9:30 on the clock still
        (datetime(2026, 3, 20, 9, 30, tzinfo=PARIS), 15, datetime(2026, 4, 4, 9, 30, tzinfo=PARIS)),
        (
            datetime(2026, 10, 20, 23, 30, tzinfo=PARIS),
            10,
            datetime(2026, 10, 30, 23, 30, tzinfo=PARIS),
        ),
    ],
)
def test_calendar_days_later_keeps_the_time_on_the_clock(opened_at, days, expected):
    later = calc.calendar_days_later(opened_at, days)
    assert later == expected  # the same instant, so the same time on the Paris clock
    assert later.astimezone(PARIS).time() == opened_at.time()


NOW = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("deadline", "label"),
    [
        (NOW + timedelta(days=7, seconds=1), None),
        (NOW + timedelta(days=7), "7j"),  # seven days before, to the second
        (NOW + timedelta(days=1, seconds=1), "7j"),
        (NOW + timedelta(days=1), "1j"),  # the last day: the nearer reminder only
        (NOW + timedelta(seconds=1), "1j"),
    ],
)
def test_the_reminder_due_for_a_deadline(deadline, label):
    assert calc.reminder_due(deadline, NOW) == label
    assert (deadline <= calc.reminder_horizon(NOW)) is (label is not None)


@pytest.mark.parametrize(
    ("announced_at", "label"),
    [
        (NOW - timedelta(days=3, seconds=1), "7j"),  # opened before the 7-day reminder
        (NOW - timedelta(days=3), None),  # opened just as it fell due: the mail said it
        (NOW, None),
    ],
)
def test_a_reminder_due_by_the_announcement_is_not_sent(announced_at, label):
    # a deadline 4 days ahead: its 7-day reminder fell due 3 days ago
    assert calc.reminder_due(NOW + timedelta(days=4), NOW, announced_at) == label


def test_the_one_day_reminder_comes_after_an_announcement_within_the_week():
    opened = NOW - timedelta(days=6)  # a 7-day vote opened 6 days ago
    assert calc.reminder_due(opened + timedelta(days=7), NOW, opened) == "1j"


@pytest.mark.parametrize(
    ("day", "end"),
    [
        (date(2026, 10, 1), datetime(2026, 10, 1, 22, 0, tzinfo=UTC)),  # summer time
        (date(2026, 10, 24), datetime(2026, 10, 24, 22, 0, tzinfo=UTC)),
        (date(2026, 10, 25), datetime(2026, 10, 25, 23, 0, tzinfo=UTC)),  # the change
        (date(2026, 12, 31), datetime(2026, 12, 31, 23, 0, tzinfo=UTC)),
    ],
)
def test_a_day_ends_at_midnight_on_the_paris_clock(day, end):
    assert calc.day_end(day, PARIS) == end
    assert calc.day_end(day, PARIS).astimezone(PARIS).time().isoformat() == "00:00:00"


@pytest.mark.parametrize(
    ("attempts", "wait"),
    [
        (0, timedelta(minutes=1)),
        (1, timedelta(minutes=1)),
        (2, timedelta(minutes=2)),
        (10, timedelta(minutes=512)),
    ],
)
def test_a_failed_mail_waits_twice_as_long_after_each_failure(attempts, wait):
    assert calc.retry_at(NOW, attempts) == NOW + wait


def test_the_module_is_pure():
    # given the module's source
    # when reading its imports
    tree = ast.parse(inspect.getsource(calc))
    modules = {
        alias.name if isinstance(node, ast.Import) else node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    # then it imports no Django, nothing but Decimal, datetime and frozen dataclasses
    assert modules <= {"collections.abc", "dataclasses", "datetime", "decimal"}


# --- a proposal's budget ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("quantity", "rate", "expected"),
    [
        (D("85"), D("300"), D("25500.00")),
        (D("0.5"), D("333.33"), D("166.67")),  # 166.665 rounds half up
        (D("3"), D("0.333"), D("1.00")),  # 0.999
        (D("1"), D("0.004"), D("0.00")),
    ],
)
def test_line_amount_is_quantity_times_rate_to_the_cent(quantity, rate, expected):
    assert calc.line_amount(quantity, rate) == expected


@pytest.mark.parametrize(
    ("coordination", "within"),
    [
        (D("9.99"), False),
        (D("10.00"), True),  # 10 % itself is accepted
        (D("25.00"), True),  # and so is 25 %
        (D("25.004"), False),  # 25.004 % would round to 25,00 %: compared exactly
        (D("25.01"), False),
    ],
)
def test_coordination_share_holds_from_10_to_25_percent_bounds_included(coordination, within):
    assert calc.coordination_within(D("100.00"), coordination) is within


def test_percent_rounds_to_the_cent():
    assert calc.percent(D("1"), D("3")) == D("33.33")
    assert calc.percent(D("2"), D("3")) == D("66.67")


# --- the offers' window (R2161-2) -------------------------------------------------------


@pytest.mark.parametrize(
    ("delta", "holds"),
    [
        (timedelta(days=30) - timedelta(seconds=1), False),  # one second short
        (timedelta(days=30), True),  # exactly 30 days, to the second
        (timedelta(days=30, seconds=1), True),
    ],
)
def test_offer_window_of_a_formal_procedure_holds_to_the_second_r2161_2(delta, holds):
    published = datetime(2026, 10, 10, 10, 0, tzinfo=UTC)
    assert calc.offer_window_holds(published, published + delta, 30) is holds


def test_offer_window_counts_elapsed_time_across_the_change_of_hour():
    # given a publication the day before winter time (25 October 2026 in Paris)
    published = datetime(2026, 10, 24, 12, 0, tzinfo=PARIS)
    # then the same wall-clock time 30 days later is one hour longer than 30 days: it holds
    assert calc.offer_window_holds(published, datetime(2026, 11, 23, 12, 0, tzinfo=PARIS), 30)
    # and the wall-clock minute before it still holds by elapsed time (30 days + 59 min)
    assert calc.offer_window_holds(published, datetime(2026, 11, 23, 11, 59, tzinfo=PARIS), 30)
    # but 11:00 - 1 s is short of 30 elapsed days
    short = datetime(2026, 11, 23, 10, 59, 59, tzinfo=PARIS)
    assert not calc.offer_window_holds(published, short, 30)


# --- the money invariant: contract price and cofunding ------------------------------------


@pytest.mark.parametrize(
    ("lines", "public_contract", "contract", "cofundable"),
    [
        # a marché public: the lines inside the contract are its price, the others cofunded
        ([(D("25500.00"), True), (D("4500.00"), False)], True, D("25500.00"), D("4500.00")),
        ([(D("100.00"), True)], True, D("100.00"), D("0.00")),  # nothing to cofund
        ([(D("0.01"), False)], True, D("0.00"), D("0.01")),  # no price, one cent cofunded
        # hors marché: no price, every line subsidised whatever its scope
        ([(D("25500.00"), True), (D("4500.00"), False)], False, D("0.00"), D("30000.00")),
        ([], True, D("0.00"), D("0.00")),
    ],
)
def test_budget_split_counts_each_line_once(lines, public_contract, contract, cofundable):
    split = calc.budget_split(lines, public_contract=public_contract)
    assert (split.contract, split.cofundable) == (contract, cofundable)
    assert split.total == sum((amount for amount, _inside in lines), D("0.00"))

"""The domain's arithmetic on money and deadlines, as pure functions.

No Django here: ``Decimal`` euros and aware ``datetime``s in, the same out, so each
rule is tested at its bounds without a database (``tests/procurement/test_calculations``).
The services call these functions; they keep the checks, the locks and the writes.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal

# --- money ------------------------------------------------------------------------------

CENT = Decimal("0.01")


def to_cent(amount: Decimal) -> Decimal:
    """``amount`` rounded to the cent, half up (0.005 → 0.01)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def is_in_cents(amount: Decimal) -> bool:
    """Whether ``amount`` is given to the cent at most (12.50 yes, 12.505 no)."""
    return amount == amount.quantize(CENT)


def share_of(amount: Decimal, percent: Decimal) -> Decimal:
    """``percent`` % of ``amount``, rounded to the cent (half up)."""
    return to_cent(amount * percent / 100)


def running_balances(
    amounts: Iterable[Decimal], opening: Decimal = Decimal("0.00")
) -> list[Decimal]:
    """The balance after each signed amount (income positive, payment negative)."""
    balances: list[Decimal] = []
    balance = opening
    for amount in amounts:
        balance += amount
        balances.append(balance)
    return balances


def line_amount(quantity: Decimal, rate: Decimal) -> Decimal:
    """A budget line: quantity × rate, rounded to the cent (half up)."""
    return to_cent(Decimal(quantity) * Decimal(rate))


def percent(part: Decimal, total: Decimal) -> Decimal:
    """``part`` as a percentage of ``total``, rounded to the cent (half up)."""
    return to_cent(part * 100 / total)


# The share of coordination and animation in a proposal's total, bounds included (the
# practice of seed 003): outside it, the working group must justify it.
COORDINATION_MIN = Decimal(10)
COORDINATION_MAX = Decimal(25)


def coordination_within(total: Decimal, coordination: Decimal) -> bool:
    """Whether coordination weighs 10 % to 25 % of ``total``, both bounds accepted;
    compared exactly, without a division that could round 25.004 % down to 25 %."""
    return total * COORDINATION_MIN <= coordination * 100 <= total * COORDINATION_MAX


# Fair pay (« juste rémunération », seed 003): contributors paid 30 € to 45 € HT an hour,
# bounds included; each call may set its own reference (``Challenge.fair_rate_min/max``).
# Outside it the service warns the buyer and the evaluators; it never refuses.
FAIR_RATE_MIN = Decimal(30)
FAIR_RATE_MAX = Decimal(45)
# A line priced by the day is compared at 7 hours a day (the legal 35-hour week,
# article L3121-27 of the code du travail, over five days).
HOURS_PER_DAY = Decimal(7)


@dataclass(frozen=True)
class PayLine:
    """A budget line as fair pay reads it: its label, whether it is a contribution
    (paid work on the commons), whether it is priced by the day, its rate and amount."""

    label: str
    contribution: bool
    coordination: bool
    per_day: bool
    rate: Decimal
    amount: Decimal


@dataclass(frozen=True)
class LineRate:
    """A contribution line's hourly rate (€ HT, to the cent) and whether it lies within
    the call's reference (compared exactly, before rounding)."""

    label: str
    hourly_rate: Decimal
    within: bool


@dataclass(frozen=True)
class FairPay:
    rate_min: Decimal
    rate_max: Decimal
    lines: tuple[LineRate, ...]
    total: Decimal
    coordination: Decimal
    coordination_share: Decimal | None  # percent of the total, None for an empty budget
    coordination_within: bool


def rate_within(rate: Decimal, *, per_day: bool, low: Decimal, high: Decimal) -> bool:
    """Whether an hourly (or daily, at 7 hours) rate lies from ``low`` to ``high`` € HT
    an hour, both bounds included; a day's rate is compared without dividing it."""
    hours = HOURS_PER_DAY if per_day else Decimal(1)
    return low * hours <= rate <= high * hours


def fair_pay(
    lines: Iterable[PayLine],
    *,
    rate_min: Decimal = FAIR_RATE_MIN,
    rate_max: Decimal = FAIR_RATE_MAX,
) -> FairPay:
    """The fair-pay figures of a budget: each contribution line's hourly rate against
    ``rate_min``–``rate_max``, and the share of coordination in the total (10 % to
    25 %, bounds included, as ``coordination_within``)."""
    lines = list(lines)
    total = sum((line.amount for line in lines), Decimal("0.00"))
    coordination = sum((line.amount for line in lines if line.coordination), Decimal("0.00"))
    rates = tuple(
        LineRate(
            label=line.label,
            hourly_rate=to_cent(line.rate / HOURS_PER_DAY) if line.per_day else line.rate,
            within=rate_within(line.rate, per_day=line.per_day, low=rate_min, high=rate_max),
        )
        for line in lines
        if line.contribution
    )
    return FairPay(
        rate_min=rate_min,
        rate_max=rate_max,
        lines=rates,
        total=total,
        coordination=coordination,
        coordination_share=percent(coordination, total) if total else None,
        coordination_within=bool(total) and coordination_within(total, coordination),
    )


# --- a commons' expenses: approvals -----------------------------------------------------


def majority_of(voters: int) -> int:
    """Approvals a simple majority of ``voters`` makes: more than half."""
    return voters // 2 + 1


def expense_outcome(*, approvals: int, refusals: int, voters: int, required: int) -> str | None:
    """``"approved"`` once ``required`` approvals are in, ``"refused"`` once too many
    refused for ``required`` to be reached by the others, else ``None`` (pending)."""
    if approvals >= required:
        return "approved"
    if refusals > voters - required:
        return "refused"
    return None


# --- deadlines --------------------------------------------------------------------------


def offer_window_holds(published_at: datetime, deadline: datetime, min_days: int) -> bool:
    """Whether offers get at least ``min_days`` whole days between the publication and
    their deadline, to the second (articles R2161-2 and R2161-3 for the appel d'offres
    ouvert: the days run from the notice's sending; a deadline one second short is
    refused). Elapsed
    time, in UTC: two datetimes of one zone would otherwise subtract as wall clocks."""
    return deadline.astimezone(UTC) - published_at.astimezone(UTC) >= timedelta(days=min_days)


# Formal procedure: the answers to the candidates' questions are given at the latest six
# days before the offers' deadline (article R2132-6 of the code de la commande publique).
ANSWERS_LEAD = timedelta(days=6)


def answers_due_by(proposal_deadline: datetime) -> datetime:
    """The last moment answers may be published (R2132-6): six days before, to the second."""
    return proposal_deadline - ANSWERS_LEAD


def answers_in_time(answered_at: datetime, proposal_deadline: datetime) -> bool:
    """Answers published exactly six days before the deadline are in time (R2132-6)."""
    return proposal_deadline - answered_at >= ANSWERS_LEAD


def restoring_deadline(deadline: datetime, answered_at: datetime, tz: tzinfo) -> datetime:
    """The first proposal deadline, at the same time of day in ``tz`` as ``deadline`` on a
    later day, that leaves six days after ``answered_at`` (R2132-6; days counted in
    ``tz``, so a daylight-saving change keeps the time of day)."""
    local = deadline.astimezone(tz)
    days = 1
    while True:
        naive = datetime.combine(local.date() + timedelta(days=days), local.time())
        candidate = naive.replace(tzinfo=tz)
        if candidate - answered_at >= ANSWERS_LEAD:
            return candidate
        days += 1


def calendar_days_later(moment: datetime, days: int) -> datetime:
    """``days`` calendar days after ``moment``, at the same time on the clock of
    ``moment``'s time zone (a daylight-saving change in between moves neither the hour
    nor the day)."""
    return moment + timedelta(days=days)


# Reminders before each deadline: the 7-day one is due from 7 days to 1 day before,
# the 1-day one in the last day (a sweep that starts late sends only the nearer one).
REMINDERS = [("1j", timedelta(days=1)), ("7j", timedelta(days=7))]


def reminder_horizon(now: datetime) -> datetime:
    """Deadlines up to this moment get a reminder now (the farthest reminder's lead)."""
    return now + REMINDERS[-1][1]


def reminder_due(deadline: datetime, now: datetime) -> str | None:
    """The label of the nearest reminder due for ``deadline`` at ``now``, if any."""
    return next((label for label, before in REMINDERS if deadline - before <= now), None)


# A mail that failed is retried by the sweep after 1, 2, 4… minutes, ten times at most.
RETRY_AFTER = timedelta(minutes=1)
MAX_ATTEMPTS = 10


def retry_at(created_at: datetime, attempts: int) -> datetime:
    """When a mail created at ``created_at`` that failed ``attempts`` times is tried
    again: one minute after its creation, then the wait doubles with each failure."""
    wait: timedelta = RETRY_AFTER * 2 ** max(attempts - 1, 0)
    return created_at + wait


# --- the money invariant: contract price and cofunding ------------------------------------


@dataclass(frozen=True)
class BudgetSplit:
    """A proposal's budget split in two disjoint parts: the contract price the buyer
    pays, and the amount cofunding may finance. ``contract + cofundable`` is the total."""

    contract: Decimal
    cofundable: Decimal

    @property
    def total(self) -> Decimal:
        return self.contract + self.cofundable


def budget_split(lines: Iterable[tuple[Decimal, bool]], *, public_contract: bool) -> BudgetSplit:
    """Split budget lines, each ``(amount, inside_contract)``, into the contract price
    and the cofundable amount. Under a *marché public* a line inside the contract is
    paid as the price and only the others are cofundable; hors marché, there is no
    price and every line is subsidised. Each line lands in exactly one part, so no euro
    is counted both as a contract price and as cofunding (DESIGN, « Legal framing »)."""
    contract = Decimal("0.00")
    cofundable = Decimal("0.00")
    for amount, inside_contract in lines:
        if public_contract and inside_contract:
            contract += amount
        else:
            cofundable += amount
    return BudgetSplit(contract=contract, cofundable=cofundable)

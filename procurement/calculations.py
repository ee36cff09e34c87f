"""The domain's arithmetic on money and deadlines, as pure functions.

No Django here: ``Decimal`` euros and aware ``datetime``s in, the same out, so each
rule is tested at its bounds without a database (``tests/procurement/test_calculations``).
The services call these functions; they keep the checks, the locks and the writes.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
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


# Exploration before cofunding (seed 003, the Lille metropole's practice): « un budget de
# 1000€ à 3000€ sur la table à disposition de l'équipe qui défriche le sujet ». Bounds
# included, per exploring team and call; only a commons proven by its exploration opens a
# cofunding round. The bounds are the practice's, not a legal threshold.
EXPLORATION_BUDGET_MIN = Decimal("1000.00")
EXPLORATION_BUDGET_MAX = Decimal("3000.00")


def exploration_budget_within(amount: Decimal) -> bool:
    """Whether ``amount`` lies within 1,000 € to 3,000 €, both bounds accepted."""
    return EXPLORATION_BUDGET_MIN <= amount <= EXPLORATION_BUDGET_MAX


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


def reminder_due(
    deadline: datetime, now: datetime, announced_at: datetime | None = None
) -> str | None:
    """The label of the nearest reminder due for ``deadline`` at ``now``, if any. None
    when that reminder fell due by ``announced_at``, the moment a mail already told the
    deadline (a 7-day vote's « J-7 » would repeat its opening mail)."""
    for label, before in REMINDERS:
        if deadline - before <= now:
            if announced_at is not None and deadline - before <= announced_at:
                return None
            return label
    return None


def day_end(day: date, tz: tzinfo) -> datetime:
    """The moment ``day`` ends on the clock of ``tz`` (midnight of the next day there):
    what is due on ``day`` is on time until then, a daylight-saving change included.
    Given in UTC, as the database gives the other deadlines: the reminders' leads are
    then counted in elapsed time for all of them."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)


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


# --- execution follow-up ----------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """How far the execution of an awarded lot (or of several) has come.

    The formula, printed on the public page::

        progress = ⌊ 100 × (deliverables admitted + milestones reached)
                         / (deliverables expected + milestones planned) ⌋

    Every deliverable and every milestone weighs the same. A deliverable counts only
    once the buyer admitted it (submitted, awaiting the buyer, or refused: it does not
    count yet); a milestone once the holder marked it reached with its evidence. Rounded
    down, so 100 % means everything is done. ``None`` when nothing is planned yet."""

    admitted: int
    deliverables: int
    reached: int
    milestones: int

    @property
    def done(self) -> int:
        return self.admitted + self.reached

    @property
    def total(self) -> int:
        return self.deliverables + self.milestones

    @property
    def percent(self) -> int | None:
        if self.total == 0:
            return None
        return 100 * self.done // self.total


def execution_progress(
    *, admitted: int, deliverables: int, reached: int, milestones: int
) -> Progress:
    """The progress of an execution (``Progress``): refused when the counts do not hold
    (more admitted than expected, more reached than planned, or a negative count)."""
    if min(admitted, deliverables, reached, milestones) < 0:
        raise ValueError("counts are never negative")
    if admitted > deliverables or reached > milestones:
        raise ValueError("more done than planned")
    return Progress(admitted, deliverables, reached, milestones)


def progress_sum(parts: Iterable[Progress]) -> Progress:
    """The progress of several lots together: their counts added (not their percents
    averaged, so a lot with ten deliverables weighs ten times a lot with one)."""
    admitted = deliverables = reached = milestones = 0
    for part in parts:
        admitted += part.admitted
        deliverables += part.deliverables
        reached += part.reached
        milestones += part.milestones
    return Progress(admitted, deliverables, reached, milestones)


def milestone_state(planned_on: date, reached_on: date | None, today: date) -> str:
    """``reached`` (marked reached, whenever), ``late`` (not reached and its planned
    day is over: from the day after it), ``planned`` otherwise."""
    if reached_on is not None:
        return "reached"
    return "late" if today > planned_on else "planned"


# --- recognition after the fact: reciprocity kept, late or missed -------------------------

# A period's declaration is due within this many days after the period ends.
DECLARATION_GRACE_DAYS = 30


def declaration_due_by(period_end: date, grace_days: int = DECLARATION_GRACE_DAYS) -> date:
    """The last day a period's reciprocity declaration is on time."""
    return period_end + timedelta(days=grace_days)


def declaration_standing(
    *,
    period_end: date,
    declared_on: date | None,
    today: date,
    grace_days: int = DECLARATION_GRACE_DAYS,
) -> str | None:
    """How a commitment's period was honoured: ``kept`` (declared by the day
    ``declaration_due_by`` gives), ``late`` (declared after it), ``missed`` (not declared
    and that day is over), ``None`` (not declared and still on time: nothing to say)."""
    due_by = declaration_due_by(period_end, grace_days)
    if declared_on is None:
        return "missed" if today > due_by else None
    return "kept" if declared_on <= due_by else "late"


@dataclass(frozen=True)
class Involvement:
    """What one organisation brought to one commons and received from it, every
    component shown as is: no weighting, no score.

    - ``positions``: its public positions on the calls' resources for the commons;
    - ``skills_days``, ``technical_means``, ``money_offers``: the contributions those
      positions state, by kind (person-days; number of technical means; number of money
      offers — their amounts stay with the buyer);
    - ``paid_in``: the money the host recorded as received from it (public ledger);
    - ``paid_out``: the expenses the host paid it (public ledger);
    - ``reciprocity_given`` and ``reciprocity_due``: over its declarations;
    - ``kept``, ``late``, ``missed``: its reciprocity periods by standing."""

    positions: int = 0
    skills_days: Decimal = Decimal("0.0")
    technical_means: int = 0
    money_offers: int = 0
    paid_in: Decimal = Decimal("0.00")
    paid_out: Decimal = Decimal("0.00")
    reciprocity_given: Decimal = Decimal("0.00")
    reciprocity_due: Decimal = Decimal("0.00")
    kept: int = 0
    late: int = 0
    missed: int = 0

    @property
    def ways(self) -> int:
        """In how many of five ways it takes part, from 0 to 5: skills, technical
        means, money offered, money paid in, reciprocity given back."""
        return sum(
            (
                self.skills_days > 0,
                self.technical_means > 0,
                self.money_offers > 0,
                self.paid_in > 0,
                self.reciprocity_given > 0,
            )
        )


def involvement_order(involvement: Involvement, name: str) -> tuple[int, Decimal, str]:
    """The order of the public record, documented on its page: the organisations taking
    part in the most ways first (``Involvement.ways``), then the most person-days of
    skills, then by name. Money neither received nor paid counts in the order: a payout
    is not a merit and a gift is not bought recognition."""
    return (-involvement.ways, -involvement.skills_days, name.casefold())

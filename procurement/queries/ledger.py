"""The public ledger of a commons: its account, incomes, expenses, who runs them."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from procurement.calculations import running_balances
from procurement.models import Commons, Expense, ExpenseStatus, Income, Ledger, WorkingGroup
from procurement.queries.membership import is_member, org_ids


def ledger_public(commons: Commons) -> Ledger:
    """The ledger to show (an empty, unsaved one when nothing was recorded yet)."""
    return Ledger.objects.filter(commons=commons).first() or Ledger(commons=commons)


def incomes_of(commons: Commons) -> QuerySet[Income]:
    return (
        Income.objects.filter(ledger__commons=commons)
        .select_related("source")
        .order_by("received_on", "id")
    )


def expenses_of(commons: Commons) -> QuerySet[Expense]:
    return (
        Expense.objects.filter(ledger__commons=commons)
        .select_related("organisation")
        .annotate(
            approvals=Count("decisions", filter=Q(decisions__approve=True)),
            refusals=Count("decisions", filter=Q(decisions__approve=False)),
        )
        .order_by("submitted_at", "id")
    )


def ledger_default_group(commons: Commons) -> WorkingGroup | None:
    """The newest working group formed on this commons."""
    return (
        WorkingGroup.objects.filter(resource__commons=commons)
        .order_by("-created_at", "-id")
        .first()
    )


def ledger_group(commons: Commons) -> WorkingGroup | None:
    """The working group that runs the commons' expenses (the one the host named, else
    the newest formed on the commons), without writing anything."""
    ledger = Ledger.objects.filter(commons=commons).select_related("group").first()
    if ledger is not None and ledger.group_id is not None:
        return ledger.group
    return ledger_default_group(commons)


def may_read_invoice(user, expense: Expense) -> bool:
    """The working group's members and the host read the invoices; nobody else."""
    ledger = expense.ledger
    if is_member(user, ledger.commons.host):
        return True
    if is_member(user, expense.organisation):
        return True
    return (
        ledger.group_id is not None
        and ledger.group.members.filter(organisation__in=org_ids(user)).exists()
    )


@dataclass(frozen=True)
class StatementLine:
    """One move of a ledger's statement: money received, or an expense paid."""

    day: date
    is_expense: bool
    entry: Income | Expense
    amount: Decimal  # signed: negative for a payment
    balance: Decimal  # after this move


def ledger_statement(commons: Commons) -> list[StatementLine]:
    """The money received and paid, by day (on one day, receipts before payments, each
    in the order recorded), with the running balance: two queries."""
    moves = [(income.received_on, 0, income.pk, income) for income in incomes_of(commons)] + [
        (timezone.localdate(expense.paid_at), 1, expense.pk, expense)
        for expense in expenses_of(commons).filter(status=ExpenseStatus.PAID)
    ]
    moves.sort(key=lambda move: move[:3])
    amounts = [
        -entry.amount if is_expense else entry.amount for _d, is_expense, _pk, entry in moves
    ]
    return [
        StatementLine(day, bool(is_expense), entry, amount, balance)
        for (day, is_expense, _pk, entry), amount, balance in zip(
            moves, amounts, running_balances(amounts), strict=True
        )
    ]

"""A commons' ledger against its chain: the money rows (``Income``, ``Expense``) and the
ledger's totals are not hashed themselves, but each was recorded by an event of the
ledger's chain (``ledger.income_recorded``, ``ledger.exploration_granted``,
``ledger.expense_submitted``, ``ledger.expense_paid``) with its amount. A row changed
behind the service's back no longer says what its event recorded."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from procurement.models import AuditEvent, Expense, ExpenseStatus, Income, Ledger
from procurement.services.chains.problems import ChainProblem, money

MONEY_VERBS = (
    "ledger.income_recorded",
    "ledger.exploration_granted",
    "ledger.expense_submitted",
    "ledger.expense_paid",
)


@dataclass
class Recorded:
    """A ledger's money events, by the id of the row each recorded."""

    income: dict[int, AuditEvent] = field(default_factory=dict)
    submitted: dict[int, AuditEvent] = field(default_factory=dict)
    paid: dict[int, AuditEvent] = field(default_factory=dict)


def _amount(event: AuditEvent) -> Decimal | None:
    try:
        return Decimal(str(event.data.get("amount")))
    except (AttributeError, InvalidOperation, TypeError, ValueError):
        return None


def recorded_by_commons(commons_ids: set[int] | None) -> dict[int, Recorded]:
    """Every money event, by commons, whatever its chain: the ledgers' own, or
    ``global`` where earlier versions wrote them."""
    by_commons: dict[int, Recorded] = defaultdict(Recorded)
    events = AuditEvent.objects.filter(verb__in=MONEY_VERBS).order_by("chain", "seq")
    if commons_ids is not None:
        events = events.filter(data__commons__in=sorted(commons_ids))
    for event in events:
        commons = event.data.get("commons") if isinstance(event.data, dict) else None
        if not isinstance(commons, int) or not event.object_id.isdigit():
            continue
        if commons_ids is not None and commons not in commons_ids:
            continue
        recorded, pk = by_commons[commons], int(event.object_id)
        if event.verb == "ledger.income_recorded":
            recorded.income[pk] = event
        elif event.verb == "ledger.exploration_granted":
            # one event for both rows: the exploration income and its payout
            recorded.submitted[pk] = event
            if isinstance(event.data.get("income"), int):
                recorded.income[event.data["income"]] = event
        elif event.verb == "ledger.expense_submitted":
            recorded.submitted[pk] = event
        else:
            recorded.paid[pk] = event
    return by_commons


class _Findings:
    def __init__(self) -> None:
        self.by_commons: dict[int, list[ChainProblem]] = defaultdict(list)

    def add(self, commons: int, code: str, message: str, row: str = "", event=None) -> None:
        chain = f"ledger:{commons}"
        seq = event.seq if event is not None and event.chain == chain else None
        self.by_commons[commons].append(ChainProblem(chain, code, message, seq, row))

    def compare(self, commons: int, event: AuditEvent, row: str, stored: Decimal, what: str):
        recorded = _amount(event)
        if recorded == stored:
            return
        self.add(
            commons,
            "ledger_amount_mismatch",
            _(
                "%(what)s de %(stored)s dans le registre, mais de %(recorded)s dans "
                "l'événement n° %(seq)s de la chaîne %(chain)s."
            )
            % {
                "what": what,
                "stored": money(stored),
                "recorded": money(recorded),
                "seq": event.seq,
                "chain": event.chain,
            },
            row,
            event,
        )

    def unrecorded(self, commons: int, row: str, message: str | None = None) -> None:
        self.add(
            commons,
            "ledger_event_missing",
            message or _("aucun événement de la chaîne ne l'enregistre."),
            row,
        )


def ledger_problems(commons_ids: set[int] | None) -> dict[int, list[ChainProblem]]:
    """By commons: each income and expense against the amount its event recorded, each
    payment against its event, each event against a row that still exists, the
    ledger's totals against its rows. Four queries, whatever the number of ledgers."""
    if commons_ids is not None and not commons_ids:
        return {}
    ledgers, incomes, expenses = Ledger.objects.all(), Income.objects.all(), Expense.objects.all()
    if commons_ids is not None:
        ledgers = ledgers.filter(commons__in=commons_ids)
        incomes = incomes.filter(ledger__commons__in=commons_ids)
        expenses = expenses.filter(ledger__commons__in=commons_ids)
    ledgers = list(ledgers)
    commons_of = {ledger.pk: ledger.commons_id for ledger in ledgers}
    recorded = recorded_by_commons(commons_ids)
    found = _Findings()
    income_sums: dict[int, Decimal] = defaultdict(Decimal)
    paid_sums: dict[int, Decimal] = defaultdict(Decimal)
    seen: dict[str, set[int]] = {"income": set(), "expense": set()}

    for income in incomes:
        commons = commons_of[income.ledger_id]
        seen["income"].add(income.pk)
        income_sums[commons] += income.amount
        row = f"income:{income.pk}"
        event = recorded[commons].income.get(income.pk)
        if event is None:
            found.unrecorded(commons, row)
        else:
            found.compare(commons, event, row, income.amount, _("montant"))

    for expense in expenses:
        commons = commons_of[expense.ledger_id]
        seen["expense"].add(expense.pk)
        row = f"expense:{expense.pk}"
        submitted = recorded[commons].submitted.get(expense.pk)
        paid = recorded[commons].paid.get(expense.pk)
        if submitted is None:
            found.unrecorded(commons, row)
        else:
            found.compare(commons, submitted, row, expense.amount, _("montant"))
        if expense.status == ExpenseStatus.PAID:
            paid_sums[commons] += expense.amount
            if paid is None:
                found.unrecorded(
                    commons, row, _("payée dans le registre, sans paiement dans la chaîne.")
                )
            else:
                found.compare(commons, paid, row, expense.amount, _("paiement"))
        elif paid is not None:
            found.add(
                commons,
                "ledger_status_mismatch",
                _(
                    "l'événement n° %(seq)s de la chaîne %(chain)s enregistre son paiement, "
                    "le registre la dit « %(status)s »."
                )
                % {
                    "seq": paid.seq,
                    "chain": paid.chain,
                    "status": expense.get_status_display(),
                },
                row,
                paid,
            )

    for commons, events in recorded.items():
        for kind, by_pk in (
            ("income", events.income),
            ("expense", events.submitted),
            ("expense", events.paid),
        ):
            for pk, event in by_pk.items():
                if pk not in seen[kind]:
                    found.add(
                        commons,
                        "ledger_row_missing",
                        _(
                            "enregistrée par l'événement n° %(seq)s de la chaîne %(chain)s, "
                            "elle n'est plus dans le registre."
                        )
                        % {"seq": event.seq, "chain": event.chain},
                        f"{kind}:{pk}",
                        event,
                    )

    for ledger in ledgers:
        commons = ledger.commons_id
        income, paid_total = income_sums[commons], paid_sums[commons]
        for what, stored, computed in (
            (_("total des recettes"), ledger.income_total, income),
            (_("total payé"), ledger.paid_total, paid_total),
            (_("solde"), ledger.balance, income - paid_total),
        ):
            if stored != computed:
                found.add(
                    commons,
                    "ledger_total_mismatch",
                    _("%(what)s du registre : %(stored)s, mais ses lignes donnent %(computed)s.")
                    % {"what": what, "stored": money(stored), "computed": money(computed)},
                )
    return found.by_commons

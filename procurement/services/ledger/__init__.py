"""The public ledger of a commons: its host receives the money and pays it out.

Who does what:
- the host's staff record income and pay approved expenses (they have no say in
  approving them, and whoever pays is not one of the approvers);
- the member organisations of the commons' working group submit expenses with their
  invoice, set the approval rule, and approve or refuse each other's expenses (never
  their own);
- a funder or the buyer grants an exploration budget to the team exploring a commons:
  an income of the ledger and a payout to that team, paid by the host — 1,000 € to
  3,000 € per team and commons (seed 003).

Every payment locks the ledger's row and checks the balance there; a database
constraint keeps the balance from going below zero anyway.

The reads (the account, incomes, expenses, invoices) are in
``procurement.queries.ledger``.
"""

from procurement.services.ledger.accounts import (
    exploration_amount_check,
    exploration_grant,
    exploration_payout_record,
    income_record,
    ledger_group_set,
    ledger_rule_set,
    required_approvals,
)
from procurement.services.ledger.expenses import (
    EXTENSIONS,
    expense_approve,
    expense_pay,
    expense_refuse,
    expense_submit,
)

__all__ = [
    "EXTENSIONS",
    "expense_approve",
    "expense_pay",
    "expense_refuse",
    "expense_submit",
    "exploration_amount_check",
    "exploration_grant",
    "exploration_payout_record",
    "income_record",
    "ledger_group_set",
    "ledger_rule_set",
    "required_approvals",
]

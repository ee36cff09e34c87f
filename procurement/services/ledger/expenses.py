"""Expenses: a member organisation submits one with its invoice, the others approve
or refuse it, the host pays it when the balance covers it."""

import uuid
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.errors import Forbidden, WrongState
from kernel.guards import field_error
from procurement.calculations import expense_outcome
from procurement.models import (
    Commons,
    Expense,
    ExpenseDecision,
    ExpenseKind,
    ExpenseStatus,
    Ledger,
    Organisation,
)
from procurement.queries import is_member
from procurement.services.audit import audit_record
from procurement.services.ledger.accounts import (
    _acting_organisation,
    _group_of,
    _ledger,
    _member_ids,
    _money,
    _require_host,
    required_approvals,
)
from procurement.uploads import INVOICE_KINDS, check_upload

EXTENSIONS = {"pdf": "pdf", "png": "png", "jpeg": "jpg"}


@transaction.atomic
def expense_submit(
    *,
    actor,
    commons: Commons,
    label: str,
    amount: Decimal,
    invoice: bytes,
    organisation: Organisation | None = None,
) -> Expense:
    """A member organisation of the working group asks to be paid, invoice attached."""
    ledger = _ledger(commons, for_update=True)
    group = _group_of(ledger)
    members = _member_ids(group)
    organisation = _acting_organisation(
        actor, members, organisation, message=_("Réservé au groupe de travail du commun.")
    )
    if not label.strip():
        raise field_error("label", _("Dites ce que paie cette dépense."), code="required")
    _money(amount)
    kind = check_upload(invoice, allowed=INVOICE_KINDS, field="invoice")
    voters = len(members - {organisation.pk})
    if required_approvals(ledger, voters) > voters:
        raise WrongState(
            _("Le groupe n'a pas assez d'autres organisations pour approuver cette dépense."),
            code="no_approvers",
        )
    expense = Expense(
        ledger=ledger,
        organisation=organisation,
        label=label.strip(),
        amount=amount,
        invoice_kind=kind,
        submitted_by=actor,
        submitted_at=timezone.now(),
    )
    expense.invoice.save(
        f"facture-{uuid.uuid4().hex}.{EXTENSIONS[kind]}", ContentFile(invoice), save=False
    )
    expense.save()
    audit_record(
        verb="ledger.expense_submitted",
        ledger=ledger,
        actor=actor,
        obj=expense,
        data={
            "commons": commons.pk,
            "organisation": organisation.pk,
            "amount": amount,
            "label": expense.label,
        },
    )
    return expense


def _locked(expense: Expense) -> tuple[Ledger, Expense]:
    """Lock the ledger first, then the expense (always in this order)."""
    ledger = _ledger(expense.ledger.commons, for_update=True)
    return ledger, Expense.objects.select_for_update().get(pk=expense.pk)


def _decide(*, actor, expense: Expense, approve: bool, organisation) -> Expense:
    ledger, expense = _locked(expense)
    commons = ledger.commons
    if is_member(actor, commons.host):
        raise Forbidden(
            _("La structure hébergeuse n'a pas voix sur les dépenses."), code="host_no_say"
        )
    if expense.submitted_by_id == actor.pk or is_member(actor, expense.organisation):
        raise Forbidden(
            _("Une organisation ne décide pas de sa propre dépense."), code="own_expense"
        )
    if expense.kind != ExpenseKind.EXPENSE or expense.status != ExpenseStatus.SUBMITTED:
        raise WrongState(
            _("Cette dépense n'attend plus de décision."),
            code="not_pending",
            extra={"status": expense.status},
        )
    group = _group_of(ledger)
    voters = _member_ids(group) - {expense.organisation_id}
    organisation = _acting_organisation(
        actor, voters, organisation, message=_("Réservé au groupe de travail du commun.")
    )
    if expense.decisions.filter(Q(organisation=organisation) | Q(decided_by=actor)).exists():
        raise WrongState(_("Vous avez déjà décidé de cette dépense."), code="already_decided")
    now = timezone.now()
    ExpenseDecision.objects.create(
        expense=expense,
        organisation=organisation,
        decided_by=actor,
        approve=approve,
        decided_at=now,
    )
    counts = expense.decisions.filter(organisation__in=voters).aggregate(
        approvals=Count("pk", filter=Q(approve=True)), refusals=Count("pk", filter=Q(approve=False))
    )
    required = required_approvals(ledger, len(voters))
    outcome = expense_outcome(**counts, voters=len(voters), required=required)
    if outcome == "approved":
        expense.status = ExpenseStatus.APPROVED
    elif outcome == "refused":
        expense.status = ExpenseStatus.REFUSED
    if expense.status != ExpenseStatus.SUBMITTED:
        expense.decided_at = now
        expense.save(update_fields=["status", "decided_at"])
    audit_record(
        verb="ledger.expense_approved" if approve else "ledger.expense_refused",
        ledger=ledger,
        actor=actor,
        obj=expense,
        data={
            "commons": commons.pk,
            "organisation": organisation.pk,
            "approvals": counts["approvals"],
            "refusals": counts["refusals"],
            "required": required,
            "status": expense.status,
        },
    )
    return expense


@transaction.atomic
def expense_approve(*, actor, expense: Expense, organisation=None) -> Expense:
    return _decide(actor=actor, expense=expense, approve=True, organisation=organisation)


@transaction.atomic
def expense_refuse(*, actor, expense: Expense, organisation=None) -> Expense:
    return _decide(actor=actor, expense=expense, approve=False, organisation=organisation)


@transaction.atomic
def expense_pay(*, actor, expense: Expense, payment_reference: str = "") -> Expense:
    """The host pays an approved expense, if the balance covers it (else 409)."""
    ledger, expense = _locked(expense)
    _require_host(actor, ledger.commons)
    if expense.status != ExpenseStatus.APPROVED:
        raise WrongState(
            _("Seule une dépense approuvée et pas encore payée peut être payée."),
            code="already_paid" if expense.status == ExpenseStatus.PAID else "not_approved",
            extra={"status": expense.status},
        )
    if expense.submitted_by_id == actor.pk or expense.decisions.filter(decided_by=actor).exists():
        raise Forbidden(
            _("Qui paie une dépense ne peut pas l'avoir soumise ni approuvée."),
            code="payer_is_approver",
        )
    if expense.amount > ledger.balance:
        raise WrongState(
            _("Le solde du commun ne couvre pas cette dépense."),
            code="insufficient_balance",
            extra={"balance": str(ledger.balance), "amount": str(expense.amount)},
        )
    ledger.paid_total += expense.amount
    ledger.balance -= expense.amount
    ledger.save(update_fields=["paid_total", "balance"])
    expense.status = ExpenseStatus.PAID
    expense.paid_by = actor
    expense.paid_at = timezone.now()
    expense.payment_reference = payment_reference
    expense.save(update_fields=["status", "paid_by", "paid_at", "payment_reference"])
    audit_record(
        verb="ledger.expense_paid",
        ledger=ledger,
        actor=actor,
        obj=expense,
        data={
            "commons": ledger.commons_id,
            "amount": expense.amount,
            "balance": ledger.balance,
            "reference": payment_reference,
        },
    )
    return expense

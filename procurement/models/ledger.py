"""The public ledger of a commons, kept by its host.

Money comes in (income: cofunding, subsidies, exploration budgets, gifts) and goes out
to the contributors (expenses submitted by the commons' working group, approved by the
group, paid by the host). The balance lives on one row per commons, locked by every
payment, and a constraint keeps it from ever going below zero.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ApprovalRule(models.TextChoices):
    MAJORITY = "majority", _("Majorité des organisations membres")
    FIXED = "fixed", _("Nombre fixe d'approbations")


class Ledger(models.Model):
    """One per commons: the account its host keeps, with the group's approval rule."""

    commons = models.OneToOneField(
        "procurement.Commons", on_delete=models.CASCADE, related_name="ledger"
    )
    # The working group whose member organisations submit and approve the expenses.
    group = models.ForeignKey(
        "procurement.WorkingGroup",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ledgers",
    )
    approval_rule = models.CharField(
        _("règle d'approbation"),
        max_length=20,
        choices=ApprovalRule.choices,
        default=ApprovalRule.MAJORITY,
    )
    approvals_required = models.PositiveSmallIntegerField(
        _("approbations requises"), null=True, blank=True
    )
    # Kept by the ledger services in the same transaction as the entries they write
    # (balance = income_total - paid_total; no constraint for it: SQLite compares decimals
    # as floats).
    income_total = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    paid_total = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    balance = models.DecimalField(_("solde (€)"), max_digits=14, decimal_places=2, default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("registre des comptes")
        constraints = [
            models.CheckConstraint(condition=Q(balance__gte=0), name="ledger_balance_not_negative"),
            models.CheckConstraint(
                condition=Q(approval_rule=ApprovalRule.MAJORITY, approvals_required__isnull=True)
                | Q(approval_rule=ApprovalRule.FIXED, approvals_required__gte=1),
                name="ledger_approval_rule_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Registre du commun {self.commons_id}"


class IncomeKind(models.TextChoices):
    CONTRIBUTION = "contribution", _("Contribution")
    COFUNDING = "cofunding", _("Cofinancement")
    SUBSIDY = "subsidy", _("Subvention")
    EXPLORATION = "exploration", _("Budget d'exploration")


class Income(models.Model):
    """Money the host received for the commons."""

    ledger = models.ForeignKey(Ledger, on_delete=models.PROTECT, related_name="incomes")
    kind = models.CharField(
        _("nature"), max_length=20, choices=IncomeKind.choices, default=IncomeKind.CONTRIBUTION
    )
    # From whom: an organisation of the service, or a name when it is not one.
    source = models.ForeignKey(
        "procurement.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_incomes",
    )
    source_name = models.CharField(_("versé par"), max_length=200)
    amount = models.DecimalField(_("montant (€)"), max_digits=12, decimal_places=2)
    received_on = models.DateField(_("date de réception"))
    reference = models.CharField(_("référence"), max_length=100, blank=True)
    bucket = models.ForeignKey(
        "procurement.Bucket", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    pledge = models.ForeignKey(
        "procurement.Pledge", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    subsidy_label = models.CharField(_("subvention"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["received_on", "id"]
        verbose_name = _("recette")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="income_amount_positive"),
            models.CheckConstraint(
                condition=Q(kind__in=IncomeKind.values), name="income_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind=IncomeKind.SUBSIDY) | Q(subsidy_label=""),
                name="income_subsidy_label_only_on_subsidy",
            ),
            models.CheckConstraint(
                condition=Q(kind=IncomeKind.COFUNDING)
                | (Q(bucket__isnull=True) & Q(pledge__isnull=True)),
                name="income_bucket_only_on_cofunding",
            ),
        ]

    def __str__(self) -> str:
        return f"Recette {self.amount} € de {self.source_name}"


class ExpenseKind(models.TextChoices):
    EXPENSE = "expense", _("Dépense")
    EXPLORATION = "exploration", _("Versement du budget d'exploration")


class ExpenseStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Soumise")
    APPROVED = "approved", _("Approuvée")
    REFUSED = "refused", _("Refusée")
    PAID = "paid", _("Payée")


class Expense(models.Model):
    """Money to pay out of the ledger to an organisation.

    An expense is submitted by a member organisation of the group with its invoice,
    approved by the others per the group's rule, then paid by the host. An exploration
    payout is approved from the start (the grantor decided) and paid by the host too.
    """

    ledger = models.ForeignKey(Ledger, on_delete=models.PROTECT, related_name="expenses")
    kind = models.CharField(
        _("nature"), max_length=20, choices=ExpenseKind.choices, default=ExpenseKind.EXPENSE
    )
    # Who is paid: the submitting member organisation, or the exploring team.
    organisation = models.ForeignKey(
        "procurement.Organisation", on_delete=models.PROTECT, related_name="ledger_expenses"
    )
    label = models.CharField(_("objet"), max_length=200)
    amount = models.DecimalField(_("montant (€)"), max_digits=12, decimal_places=2)
    invoice = models.FileField(_("facture"), upload_to="invoices/", blank=True)
    invoice_kind = models.CharField(max_length=10, blank=True)
    # The exploration income this payout pays out.
    income = models.OneToOneField(
        Income, on_delete=models.PROTECT, null=True, blank=True, related_name="payout"
    )
    status = models.CharField(
        _("état"), max_length=20, choices=ExpenseStatus.choices, default=ExpenseStatus.SUBMITTED
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    payment_reference = models.CharField(_("référence du paiement"), max_length=100, blank=True)

    class Meta:
        ordering = ["submitted_at", "id"]
        verbose_name = _("dépense")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="expense_amount_positive"),
            models.CheckConstraint(
                condition=Q(kind__in=ExpenseKind.values), name="expense_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ExpenseStatus.values), name="expense_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind=ExpenseKind.EXPLORATION) | ~Q(invoice=""),
                name="expense_has_invoice",
            ),
            models.CheckConstraint(
                condition=Q(kind=ExpenseKind.EXPENSE) | Q(income__isnull=False),
                name="expense_exploration_has_income",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status=ExpenseStatus.PAID)
                    & Q(paid_at__isnull=False)
                    & Q(paid_by__isnull=False)
                )
                | (~Q(status=ExpenseStatus.PAID) & Q(paid_at__isnull=True)),
                name="expense_paid_has_payer",
            ),
        ]

    def __str__(self) -> str:
        return f"Dépense {self.amount} € ({self.status})"


class ExpenseDecision(models.Model):
    """One member organisation's approval or refusal of an expense."""

    expense = models.ForeignKey(Expense, on_delete=models.CASCADE, related_name="decisions")
    organisation = models.ForeignKey(
        "procurement.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approve = models.BooleanField()
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["decided_at", "id"]
        verbose_name = _("décision sur une dépense")
        constraints = [
            models.UniqueConstraint(
                fields=["expense", "organisation"], name="expense_one_decision_per_organisation"
            ),
            # One person counts once, even when they belong to two member organisations.
            models.UniqueConstraint(
                fields=["expense", "decided_by"], name="expense_one_decision_per_person"
            ),
        ]

    def __str__(self) -> str:
        verdict = "approuve" if self.approve else "refuse"
        return f"{self.organisation_id} {verdict} {self.expense_id}"

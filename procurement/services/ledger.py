"""The public ledger of a commons: its host receives the money and pays it out.

Who does what:
- the host's staff record income and pay approved expenses (they have no say in
  approving them, and whoever pays is not one of the approvers);
- the member organisations of the commons' working group submit expenses with their
  invoice, set the approval rule, and approve or refuse each other's expenses (never
  their own);
- a funder or the buyer grants an exploration budget to the team exploring a commons:
  an income of the ledger and a payout to that team, paid by the host.

Every payment locks the ledger's row and checks the balance there; a database
constraint keeps the balance from going below zero anyway.
"""

import uuid
from datetime import date
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.errors import Forbidden, WrongState
from kernel.guards import field_error
from procurement.models import (
    ApprovalRule,
    Bucket,
    Commons,
    Expense,
    ExpenseDecision,
    ExpenseKind,
    ExpenseStatus,
    Income,
    IncomeKind,
    Ledger,
    Organisation,
    OrganisationKind,
    Pledge,
    WorkingGroup,
)
from procurement.queries import STAFF_ROLES, is_member, org_ids
from procurement.services.audit import audit_record
from procurement.services.common import require_member
from procurement.uploads import INVOICE_KINDS, check_upload

CENT = Decimal("0.01")
EXTENSIONS = {"pdf": "pdf", "png": "png", "jpeg": "jpg"}


def _money(amount, field: str = "amount") -> Decimal:
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise field_error(field, _("Le montant doit être un nombre décimal."))
    if amount <= 0:
        raise field_error(field, _("Le montant doit être positif."), code="amount_not_positive")
    if amount != amount.quantize(CENT):
        raise field_error(field, _("Le montant se donne au centime près."), code="amount_cents")
    return amount


# --- the ledger's row -------------------------------------------------------------------


def _ledger(commons: Commons, *, for_update: bool = False) -> Ledger:
    """The commons' ledger (opened on first use); a commons without a host has none."""
    if commons.host_id is None:
        raise WrongState(
            _("Ce commun n'a pas de structure hébergeuse pour tenir ses comptes."),
            code="no_host",
        )
    ledger, _created = Ledger.objects.get_or_create(commons=commons)
    if for_update:
        ledger = (
            Ledger.objects.select_for_update(of=("self",))
            .select_related("commons__host")
            .get(pk=ledger.pk)
        )
    return ledger


def _require_host(actor, commons: Commons) -> None:
    require_member(
        actor,
        commons.host,
        message=_("Réservé à la structure hébergeuse du commun."),
    )


def _default_group(commons: Commons) -> WorkingGroup | None:
    """The newest working group formed on this commons."""
    return (
        WorkingGroup.objects.filter(resource__commons=commons)
        .order_by("-created_at", "-id")
        .first()
    )


def _group_of(ledger: Ledger) -> WorkingGroup:
    if ledger.group_id is None:
        ledger.group = _default_group(ledger.commons)
        if ledger.group is None:
            raise WrongState(
                _("Aucun groupe de travail ne s'est formé sur ce commun."), code="no_group"
            )
        ledger.save(update_fields=["group"])
    return ledger.group


def _member_ids(group: WorkingGroup) -> set[int]:
    return set(group.members.values_list("organisation_id", flat=True))


def _acting_organisation(actor, candidates: set[int], organisation, *, message: str):
    """The member organisation the actor acts for, among ``candidates``."""
    mine = set(
        Organisation.objects.filter(pk__in=candidates)
        .filter(pk__in=org_ids(actor, STAFF_ROLES))
        .values_list("pk", flat=True)
    )
    if organisation is not None:
        if organisation.pk not in mine:
            raise Forbidden(message, code="not_group_member")
        return organisation
    if not mine:
        raise Forbidden(message, code="not_group_member")
    if len(mine) > 1:
        raise field_error(
            "organisation",
            _("Vous êtes membre de plusieurs organisations du groupe : précisez laquelle."),
            code="organisation_required",
        )
    return Organisation.objects.get(pk=mine.pop())


def required_approvals(ledger: Ledger, voters: int) -> int:
    """Approvals an expense needs when ``voters`` organisations may decide on it."""
    if ledger.approval_rule == ApprovalRule.FIXED:
        return ledger.approvals_required
    return voters // 2 + 1


def _voters(group: WorkingGroup, expense: Expense) -> int:
    return len(_member_ids(group) - {expense.organisation_id})


def _has_pending(ledger: Ledger) -> bool:
    return ledger.expenses.filter(status=ExpenseStatus.SUBMITTED).exists()


@transaction.atomic
def ledger_group_set(*, actor, commons: Commons, group: WorkingGroup) -> Ledger:
    """The host says which working group runs the commons' expenses."""
    ledger = _ledger(commons, for_update=True)
    _require_host(actor, commons)
    if group.resource.commons_id != commons.pk:
        raise field_error("group", _("Ce groupe de travail ne porte pas sur ce commun."))
    if _has_pending(ledger):
        raise WrongState(
            _("Des dépenses attendent une décision : le groupe ne peut pas changer."),
            code="expenses_pending",
        )
    ledger.group = group
    ledger.save(update_fields=["group"])
    audit_record(
        verb="ledger.group_set",
        actor=actor,
        obj=ledger,
        data={"commons": commons.pk, "group": group.pk},
    )
    return ledger


@transaction.atomic
def ledger_rule_set(
    *, actor, commons: Commons, rule: str, approvals_required: int | None = None
) -> Ledger:
    """The working group sets how many of its organisations approve an expense."""
    ledger = _ledger(commons, for_update=True)
    group = _group_of(ledger)
    if is_member(actor, commons.host):
        raise Forbidden(
            _("La structure hébergeuse n'a pas voix sur les dépenses."), code="host_no_say"
        )
    if not group.members.filter(organisation__in=org_ids(actor, STAFF_ROLES)).exists():
        raise Forbidden(_("Réservé au groupe de travail du commun."), code="not_group_member")
    if rule not in ApprovalRule.values:
        raise field_error("rule", _("Règle d'approbation inconnue."))
    if rule == ApprovalRule.FIXED:
        if approvals_required is None or approvals_required < 1:
            raise field_error(
                "approvals_required", _("Il faut au moins une approbation."), code="too_few"
            )
        if approvals_required > max(len(_member_ids(group)) - 1, 0):
            raise field_error(
                "approvals_required",
                _("Le groupe n'a pas assez d'organisations pour autant d'approbations."),
                code="too_many",
            )
    else:
        approvals_required = None
    if _has_pending(ledger):
        raise WrongState(
            _("Des dépenses attendent une décision : la règle ne peut pas changer."),
            code="expenses_pending",
        )
    ledger.approval_rule = rule
    ledger.approvals_required = approvals_required
    ledger.save(update_fields=["approval_rule", "approvals_required"])
    audit_record(
        verb="ledger.rule_set",
        actor=actor,
        obj=ledger,
        data={"commons": commons.pk, "rule": rule, "approvals_required": approvals_required},
    )
    return ledger


# --- income -----------------------------------------------------------------------------


def _add_income(ledger: Ledger, amount: Decimal) -> None:
    ledger.income_total += amount
    ledger.balance += amount
    ledger.save(update_fields=["income_total", "balance"])


@transaction.atomic
def income_record(
    *,
    actor,
    commons: Commons,
    amount: Decimal,
    received_on: date,
    source: Organisation | None = None,
    source_name: str = "",
    reference: str = "",
    kind: str = IncomeKind.CONTRIBUTION,
    bucket: Bucket | None = None,
    pledge: Pledge | None = None,
    subsidy_label: str = "",
) -> Income:
    """The host records money it received for the commons."""
    ledger = _ledger(commons, for_update=True)
    _require_host(actor, commons)
    _money(amount)
    if kind not in (IncomeKind.CONTRIBUTION, IncomeKind.COFUNDING, IncomeKind.SUBSIDY):
        raise field_error("kind", _("Nature de recette inconnue."))
    source_name = (source_name or (source.name if source is not None else "")).strip()
    if not source_name:
        raise field_error("source_name", _("Dites de qui vient l'argent."), code="required")
    if kind == IncomeKind.SUBSIDY and not subsidy_label.strip():
        raise field_error("subsidy_label", _("Nommez la subvention."), code="required")
    if kind != IncomeKind.SUBSIDY:
        subsidy_label = ""
    if kind != IncomeKind.COFUNDING and (bucket is not None or pledge is not None):
        raise field_error("bucket", _("Seul un cofinancement se rattache à un engagement."))
    if pledge is not None:
        if bucket is not None and pledge.bucket_id != bucket.pk:
            raise field_error(
                "pledge", _("Cet engagement ne porte pas sur ce commun à cofinancer.")
            )
        bucket = pledge.bucket
        if pledge.status == Pledge.Status.RELEASED:
            raise field_error("pledge", _("Cet engagement a été libéré."), code="pledge_released")
    if bucket is not None and bucket.proposal.group.resource.commons_id != commons.pk:
        raise field_error("bucket", _("Ce cofinancement ne porte pas sur ce commun."))
    income = Income.objects.create(
        ledger=ledger,
        kind=kind,
        source=source,
        source_name=source_name,
        amount=amount,
        received_on=received_on,
        reference=reference,
        bucket=bucket,
        pledge=pledge,
        subsidy_label=subsidy_label.strip(),
        recorded_by=actor,
    )
    _add_income(ledger, amount)
    audit_record(
        verb="ledger.income_recorded",
        actor=actor,
        obj=income,
        data={
            "commons": commons.pk,
            "amount": amount,
            "kind": kind,
            "source": source_name,
            "balance": ledger.balance,
        },
    )
    return income


@transaction.atomic
def exploration_grant(
    *,
    actor,
    commons: Commons,
    grantor: Organisation,
    recipient: Organisation,
    amount: Decimal,
    received_on: date | None = None,
    reference: str = "",
) -> Expense:
    """A funder or the buyer grants an exploration budget to the team exploring a
    commons, before any cofunding: an income of the commons' ledger and a payout to the
    team, approved from the start, that the host pays."""
    require_member(actor, grantor, message=_("Vous n'êtes pas membre de cette organisation."))
    if grantor.kind not in (OrganisationKind.FUNDER, OrganisationKind.BUYER):
        raise Forbidden(
            _("Seuls un financeur ou un acheteur accordent un budget d'exploration."),
            code="not_a_funder",
        )
    ledger = _ledger(commons, for_update=True)
    _money(amount)
    now = timezone.now()
    income = Income.objects.create(
        ledger=ledger,
        kind=IncomeKind.EXPLORATION,
        source=grantor,
        source_name=grantor.name,
        amount=amount,
        received_on=received_on or timezone.localdate(),
        reference=reference,
        recorded_by=actor,
    )
    _add_income(ledger, amount)
    payout = Expense.objects.create(
        ledger=ledger,
        kind=ExpenseKind.EXPLORATION,
        organisation=recipient,
        label=_("Budget d'exploration"),
        amount=amount,
        income=income,
        status=ExpenseStatus.APPROVED,
        submitted_by=actor,
        submitted_at=now,
        decided_at=now,
    )
    audit_record(
        verb="ledger.exploration_granted",
        actor=actor,
        obj=payout,
        data={
            "commons": commons.pk,
            "grantor": grantor.pk,
            "recipient": recipient.pk,
            "amount": amount,
            "income": income.pk,
        },
    )
    return payout


# --- expenses ---------------------------------------------------------------------------


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
    if counts["approvals"] >= required:
        expense.status = ExpenseStatus.APPROVED
    elif counts["refusals"] > len(voters) - required:
        expense.status = ExpenseStatus.REFUSED
    if expense.status != ExpenseStatus.SUBMITTED:
        expense.decided_at = now
        expense.save(update_fields=["status", "decided_at"])
    audit_record(
        verb="ledger.expense_approved" if approve else "ledger.expense_refused",
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


# --- reads ------------------------------------------------------------------------------


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


def ledger_group(commons: Commons) -> WorkingGroup | None:
    """The working group that runs the commons' expenses (the one the host named, else
    the newest formed on the commons), without writing anything."""
    ledger = Ledger.objects.filter(commons=commons).select_related("group").first()
    if ledger is not None and ledger.group_id is not None:
        return ledger.group
    return _default_group(commons)


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

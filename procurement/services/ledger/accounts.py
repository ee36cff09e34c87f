"""The ledger's row (opened on first use), the group that runs it and its approval
rule, and the money the host receives."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.errors import Forbidden, WrongState
from kernel.guards import field_error
from kernel.language import eur
from procurement.calculations import (
    EXPLORATION_BUDGET_MAX,
    exploration_budget_within,
    is_in_cents,
    majority_of,
)
from procurement.models import (
    ApprovalRule,
    Bucket,
    Commons,
    Expense,
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
from procurement.queries import STAFF_ROLES, is_member, ledger_default_group, org_ids
from procurement.services.audit import audit_record
from procurement.services.common import require_member
from procurement.services.hosting import require_host


def _money(amount, field: str = "amount") -> Decimal:
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise field_error(field, _("Le montant doit être un nombre décimal."))
    if amount <= 0:
        raise field_error(field, _("Le montant doit être positif."), code="amount_not_positive")
    if not is_in_cents(amount):
        raise field_error(field, _("Le montant se donne au centime près."), code="amount_cents")
    return amount


def _ledger(commons: Commons, *, for_update: bool = False) -> Ledger:
    """The commons' ledger (opened on first use); a commons without a host has none, and
    no money comes in or goes out for it (``require_host``, 409 naming the commons)."""
    require_host(commons)
    ledger, _created = Ledger.objects.get_or_create(commons=commons)
    if for_update:
        ledger = (
            Ledger.objects.select_for_update(of=("self",))
            .select_related("commons__host")
            .get(pk=ledger.pk)
        )
        require_host(ledger.commons)  # as it stands now, under the lock
    return ledger


def _require_host(actor, commons: Commons) -> None:
    require_member(
        actor,
        commons.host,
        message=_("Réservé à la structure hébergeuse du commun."),
    )


def _group_of(ledger: Ledger) -> WorkingGroup:
    if ledger.group_id is None:
        ledger.group = ledger_default_group(ledger.commons)
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
    return majority_of(voters)


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
        ledger=ledger,
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
        ledger=ledger,
        actor=actor,
        obj=ledger,
        data={"commons": commons.pk, "rule": rule, "approvals_required": approvals_required},
    )
    return ledger


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
        ledger=ledger,
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


def exploration_amount_check(amount, field: str = "amount") -> Decimal:
    """An exploration budget is 1,000 € to 3,000 €, bounds included (seed 003: « un budget
    de 1000€ à 3000€ [...] à disposition de l'équipe qui défriche le sujet »); otherwise a
    400 naming ``field``."""
    _money(amount, field)
    if not exploration_budget_within(amount):
        raise field_error(
            field,
            # The bounds of calculations.EXPLORATION_BUDGET_MIN/MAX, written for people.
            _("Un budget d'exploration va de 1 000 € à 3 000 € par équipe, bornes comprises."),
            code="exploration_budget_bounds",
        )
    return amount


def exploration_payout_record(
    *,
    commons: Commons,
    grantor: Organisation,
    recipient: Organisation,
    amount: Decimal,
    actor=None,
    received_on: date | None = None,
    reference: str = "",
    top_up: bool = True,
) -> Expense:
    """Record an exploration grant in the commons' ledger, the grantor's right to grant
    already checked: an income and a payout to the team, approved from the start, that
    the host pays. Called by ``exploration_grant`` and by the process's exploration step
    (``procurement.services.exploration.exploration_start``).

    With ``top_up`` (grants outside a call's process), a team's exploration budgets on
    one commons add up to 3,000 € at most (409 beyond). A call's exploration is one
    grant of the call's budget, itself within the bounds: a later call exploring the same
    commons is a new exploration, and an automatic step must not fail on it."""
    ledger = _ledger(commons, for_update=True)
    exploration_amount_check(amount)
    already = ledger.expenses.filter(
        kind=ExpenseKind.EXPLORATION, organisation=recipient
    ).aggregate(total=Sum("amount"))["total"] or Decimal(0)
    if top_up and already + amount > EXPLORATION_BUDGET_MAX:
        raise WrongState(
            _(
                "Cette équipe a déjà reçu %(already)s pour explorer ce commun : au plus "
                "3 000 € en tout."
            )
            % {"already": eur(already)},
            code="exploration_budget_exceeded",
            extra={"available": EXPLORATION_BUDGET_MAX - already},
        )
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
        ledger=ledger,
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
    team, approved from the start, that the host pays. The budget is 1,000 € to 3,000 €
    per team and commons (seed 003; ``exploration_payout_record``)."""
    require_member(actor, grantor, message=_("Vous n'êtes pas membre de cette organisation."))
    if grantor.kind not in (OrganisationKind.FUNDER, OrganisationKind.BUYER):
        raise Forbidden(
            _("Seuls un financeur ou un acheteur accordent un budget d'exploration."),
            code="not_a_funder",
        )
    return exploration_payout_record(
        commons=commons,
        grantor=grantor,
        recipient=recipient,
        amount=amount,
        actor=actor,
        received_on=received_on,
        reference=reference,
    )

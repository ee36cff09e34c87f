"""The money pages: a commons' public ledger, with the forms of its host (income,
payments) and of its working group (expenses with their invoice, decisions), and the
personal space's reciprocity page (commitments and declarations). Every form calls the
service the API calls."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from kernel.errors import Forbidden, NotFound
from portal.errors import portal_errors
from portal.forms import PortalForm
from portal.forms.funds import (
    CommitmentForm,
    DeclarationForm,
    ExpenseForm,
    IncomeForm,
    PaymentForm,
)
from portal.views.common import call_service, cleaned_data, portal_login_required, submit
from procurement import queries
from procurement.models import ExpenseKind, ExpenseStatus, OrganisationKind
from procurement.services import ledger as ledger_services
from procurement.services import reciprocity as reciprocity_services


def _expense(commons, pk):
    expense = (
        queries.expenses_of(commons)
        .select_related("ledger__commons__host", "ledger__group")
        .filter(pk=pk)
        .first()
        if str(pk or "").isdigit()
        else None
    )
    if expense is None:
        raise NotFound(_("Dépense introuvable."))
    return expense


@portal_errors
def ledger(request, slug):
    """Anyone reads the commons' account; its host records the money received and pays
    approved expenses, its working group submits expenses and decides on the others'."""
    commons = queries.access_commons(slug=slug)
    user = request.user
    action = request.POST.get("action") if request.method == "POST" else None
    if action and not user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("portal:login"))
    is_host = commons.host_id is not None and queries.is_member(user, commons.host)
    group = queries.ledger_group(commons) if commons.host_id else None
    group_orgs = (
        queries.organisations_list()
        .filter(
            pk__in=queries.org_ids(user, queries.STAFF_ROLES),
            group_memberships__group=group,
        )
        .order_by("name")
        if group is not None and user.is_authenticated
        else None
    )
    in_group = group_orgs is not None and group_orgs.exists()
    mine = set(queries.organisations_of(user).values_list("pk", flat=True))

    income_form = IncomeForm(None, prefix="income") if is_host else None
    expense_form = (
        ExpenseForm(None, organisations=group_orgs, prefix="expense") if in_group else None
    )
    decision_form = PortalForm()
    pay_forms: dict[int, PaymentForm] = {}
    status = 200
    if action == "income":
        if income_form is None:
            raise Forbidden(_("Réservé à la structure hébergeuse du commun."))
        income_form = IncomeForm(request.POST, prefix="income")
        status = 400
        if income_form.is_valid():
            _result, status = call_service(
                income_form,
                ledger_services.income_record,
                actor=user,
                commons=commons,
                **income_form.cleaned_data,
            )
    elif action == "expense":
        if expense_form is None:
            raise Forbidden(_("Réservé au groupe de travail du commun."))
        expense_form = ExpenseForm(
            request.POST, request.FILES, organisations=group_orgs, prefix="expense"
        )
        status = 400
        if expense_form.is_valid():
            _result, status = call_service(
                expense_form,
                ledger_services.expense_submit,
                actor=user,
                commons=commons,
                **expense_form.service_kwargs(),
            )
    elif action in ("approve", "refuse"):
        expense = _expense(commons, request.POST.get("expense"))
        service = (
            ledger_services.expense_approve
            if action == "approve"
            else ledger_services.expense_refuse
        )
        decision_form = PortalForm(request.POST)
        decision_form.is_valid()
        _result, status = call_service(decision_form, service, actor=user, expense=expense)
        if status == 403:
            raise Forbidden(decision_form.non_field_errors()[-1])
    elif action == "pay":
        expense = _expense(commons, request.POST.get("expense"))
        form = PaymentForm(request.POST, prefix=f"pay{expense.pk}")
        pay_forms[expense.pk] = form
        status = 400
        if form.is_valid():
            _result, status = call_service(
                form, ledger_services.expense_pay, actor=user, expense=expense, **form.cleaned_data
            )
            if status == 403:
                raise Forbidden(form.non_field_errors()[-1])
    if action and status == 200:
        messages.success(request, _("C'est enregistré."))
        return redirect(reverse("portal:ledger", args=[commons.slug]))

    expenses = list(queries.expenses_of(commons))
    for expense in expenses:
        expense.show_invoice = bool(expense.invoice) and (
            is_host or in_group or expense.organisation_id in mine
        )
        expense.may_decide = (
            in_group
            and not is_host
            and expense.kind == ExpenseKind.EXPENSE
            and expense.status == ExpenseStatus.SUBMITTED
            and expense.organisation_id not in mine
        )
        if is_host and expense.status == ExpenseStatus.APPROVED:
            expense.pay_form = pay_forms.get(expense.pk) or PaymentForm(prefix=f"pay{expense.pk}")
    return render(
        request,
        "portal/ledger.html",
        {
            "commons": commons,
            "ledger": queries.ledger_public(commons),
            "incomes": queries.incomes_of(commons),
            "expenses": expenses,
            "group": group,
            "is_host": is_host,
            "in_group": in_group,
            "income_form": income_form,
            "expense_form": expense_form,
            "decision_form": decision_form,
        },
        status=status,
    )


@portal_login_required
@portal_errors
def reciprocity_space(request):
    """A partner organisation's member signs a reciprocity commitment on a commons and
    declares, each period, what it earned with it and gave back."""
    user = request.user
    organisations = queries.organisations_of(user, OrganisationKind.PARTNER)
    if not organisations.exists():
        raise Forbidden(
            _("Seules les organisations partenaires signent un contrat de réciprocité.")
        )
    commitments = queries.commitments_of(user).filter(organisation__in=organisations)
    in_force = commitments.filter(ended_on__isnull=True)
    action = request.POST.get("action") if request.method == "POST" else None
    commitment_form = CommitmentForm(
        request.POST if action == "commitment" else None,
        organisations=organisations,
        commons=queries.commons_catalogue(),
        initial={"commons": request.GET.get("commun")},
        prefix="commitment",
    )
    declaration_form = DeclarationForm(
        request.POST if action == "declaration" else None,
        commitments=in_force,
        prefix="declaration",
    )
    form, service = {
        "commitment": (commitment_form, reciprocity_services.commitment_sign),
        "declaration": (declaration_form, reciprocity_services.declaration_submit),
    }.get(action, (None, None))
    status = 200
    if form is not None:
        done, status = submit(
            request,
            form,
            service,
            success_message=_("C'est enregistré."),
            success_url=reverse("portal:reciprocity_space"),
            data=cleaned_data,
            actor=user,
        )
        if done:
            return done
    return render(
        request,
        "portal/space/reciprocity.html",
        {
            "commitments": commitments,
            "declarations": queries.declarations_of(user).filter(
                commitment__organisation__in=organisations
            ),
            "commitment_form": commitment_form,
            "declaration_form": declaration_form,
        },
        status=status,
    )

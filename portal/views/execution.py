"""The public execution follow-up of a signed call (as Decidim's accountability
component shows it): per awarded lot, its deliverables and milestones, and the progress
they make. On the same page, the buyer's agents plan and decide and the holder's staff
submit and mark reached; every form calls the service the API calls."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kernel.errors import Forbidden
from portal.errors import portal_errors
from portal.forms.execution import (
    DecideForm,
    DeliverablePlanForm,
    MilestonePlanForm,
    ReachForm,
    SubmitForm,
)
from portal.views.common import call_service
from procurement import queries
from procurement.services import execution as services

DONE = {
    "plan_deliverable": gettext_lazy("Le livrable attendu est ajouté."),
    "plan_milestone": gettext_lazy("Le jalon est planifié."),
    "submit": gettext_lazy("Le livrable est remis : l'acheteur est prévenu."),
    "admit": gettext_lazy("Le livrable est admis : le titulaire est prévenu."),
    "refuse": gettext_lazy("Le livrable est refusé : le titulaire est prévenu, avec le motif."),
    "reach": gettext_lazy("Le jalon est marqué atteint."),
}


def _act(request, challenge, action: str, forms: dict):
    """Run the page's ``action`` through its form and service; returns the status."""
    post, user = request.POST, request.user
    if action in ("plan_deliverable", "plan_milestone"):
        lot = queries.access_execution_lot(challenge=challenge, pk=post.get("lot"))
        form_class, service = {
            "plan_deliverable": (DeliverablePlanForm, services.deliverable_plan),
            "plan_milestone": (MilestonePlanForm, services.milestone_plan),
        }[action]
        form = form_class(post, prefix=f"{action}{lot.pk}")
        forms[action, lot.pk] = form
        if not form.is_valid():
            return 400
        return call_service(form, service, actor=user, lot=lot, **form.cleaned_data)[1]
    if action in ("submit", "admit", "refuse"):
        deliverable = queries.access_deliverable(challenge=challenge, pk=post.get("deliverable"))
        form_class = SubmitForm if action == "submit" else DecideForm
        form = form_class(post, prefix=f"d{deliverable.pk}")
        forms[action if action == "submit" else "decide", deliverable.pk] = form
        if not form.is_valid():
            return 400
        if action == "submit":
            return call_service(
                form,
                services.deliverable_submit,
                actor=user,
                deliverable=deliverable,
                **form.cleaned_data,
            )[1]
        return call_service(
            form,
            services.deliverable_decide,
            actor=user,
            deliverable=deliverable,
            admit=action == "admit",
            **form.cleaned_data,
        )[1]
    if action == "reach":
        milestone = queries.access_execution_milestone(
            challenge=challenge, pk=post.get("milestone")
        )
        form = ReachForm(post, prefix=f"m{milestone.pk}")
        forms["reach", milestone.pk] = form
        if not form.is_valid():
            return 400
        return call_service(
            form, services.milestone_reach, actor=user, milestone=milestone, **form.cleaned_data
        )[1]
    return 400


@portal_errors
def execution(request, pk):
    """Anyone reads the follow-up of a call once it is signed; the buyer's agents and the
    holder's staff act on it here."""
    challenge = queries.access_challenge(user=request.user, pk=pk)
    user = request.user
    action = request.POST.get("action") if request.method == "POST" else None
    if action and not user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("portal:login"))
    forms: dict = {}
    status = 200
    if action:
        status = _act(request, challenge, action, forms)
        if status == 200:
            messages.success(request, DONE.get(action, _("C'est enregistré.")))
            return redirect(reverse("portal:execution", args=[pk]))
        if status == 403:
            form = next(iter(forms.values()))
            raise Forbidden(form.non_field_errors()[-1])
    follow_up = queries.execution_of(challenge)
    is_buyer = queries.is_buyer_staff(user, challenge)
    held = queries.lots_held_by(user, follow_up)
    for row in follow_up.lots:
        row.held = row.lot.pk in held
        if is_buyer:
            row.deliverable_form = forms.get(
                ("plan_deliverable", row.lot.pk)
            ) or DeliverablePlanForm(prefix=f"plan_deliverable{row.lot.pk}")
            row.milestone_form = forms.get(("plan_milestone", row.lot.pk)) or MilestonePlanForm(
                prefix=f"plan_milestone{row.lot.pk}"
            )
        for deliverable in row.deliverables:
            if row.held and deliverable.status in ("expected", "refused"):
                deliverable.submit_form = forms.get(("submit", deliverable.pk)) or SubmitForm(
                    prefix=f"d{deliverable.pk}"
                )
            if is_buyer and deliverable.status == "submitted":
                deliverable.decide_form = forms.get(("decide", deliverable.pk)) or DecideForm(
                    prefix=f"d{deliverable.pk}"
                )
        for milestone_row in row.milestones:
            milestone = milestone_row.milestone
            if row.held and milestone.reached_on is None:
                milestone.reach_form = forms.get(("reach", milestone.pk)) or ReachForm(
                    prefix=f"m{milestone.pk}"
                )
    return render(
        request,
        "portal/execution.html",
        {
            "challenge": challenge,
            "execution": follow_up,
            "open": queries.execution_open(challenge),
            "is_buyer": is_buyer,
            "acts": is_buyer or bool(held),
        },
        status=status,
    )

"""« Mon organisation »: its members state its identity as a contracting party."""

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from kernel.errors import Forbidden
from portal.errors import portal_errors
from portal.forms.organisations import IdentityForm
from portal.views.common import cleaned_data, portal_login_required, submit
from procurement import queries
from procurement.models import Role
from procurement.services.organisations import identity_missing, organisation_identity_update


@portal_login_required
@portal_errors
def organisation(request, pk):
    """One of my organisations: its members (administrators and members, as the API's
    ``PATCH /api/v1/organisations/{id}/``) state the identity an acte d'engagement
    names — SIRET, address, legal representative and capacity, VAT regime — and its
    administrators its ESS status, through
    ``organisation_identity_update``. 404 for who is not a member, 403 for a member in
    another role (an evaluator)."""
    organisation = queries.access_organisation(user=request.user, pk=pk)
    if not queries.is_member(request.user, organisation, queries.STAFF_ROLES):
        raise Forbidden(_("Seuls les membres de l'organisation modifient son identité."))
    # Read before the service runs: a refused input must not show as the saved state.
    missing = identity_missing(organisation)
    named = queries.organisations_to_be_named(request.user).filter(pk=organisation.pk).exists()
    form = IdentityForm(
        request.POST if request.method == "POST" else None,
        initial=IdentityForm.initial_for(organisation),
    )
    # Its ESS and inclusion statuses are the administrators' to declare: shown to the
    # other members.
    not_admin = not queries.is_member(request.user, organisation, [Role.ADMIN])
    for name in ("ess_status", "inclusion_status", "inclusion_share"):
        form.fields[name].disabled = not_admin
    status = 200
    if request.method == "POST":
        done, status = submit(
            request,
            form,
            organisation_identity_update,
            success_message=_("L'identité de l'organisation est enregistrée."),
            success_url=reverse("portal:organisation", args=[pk]),
            data=cleaned_data,
            actor=request.user,
            organisation=organisation,
        )
        if done:
            return done
        organisation.refresh_from_db()
    return render(
        request,
        "portal/space/organisation.html",
        {"organisation": organisation, "missing": missing, "named": named, "form": form},
        status=status,
    )

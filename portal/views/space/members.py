"""« Membres »: who belongs to one of my organisations, with which roles; its
administrators invite colleagues, change roles and remove members (the same services
as ``/api/v1/organisations/{id}/members/``)."""

from django.contrib.auth import get_user_model
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from kernel.errors import NotFound
from portal.errors import portal_errors
from portal.forms.accounts import InviteForm, RolesForm
from portal.forms.base import PortalForm
from portal.views.common import cleaned_data, portal_login_required, submit
from procurement import queries
from procurement.models import OrganisationKind, Role
from procurement.services import accounts


def _member_user(organisation, user_id):
    user = (
        get_user_model()
        .objects.filter(pk=user_id, memberships__organisation=organisation)
        .distinct()
        .first()
    )
    if user is None:
        raise NotFound(_("Ce membre est introuvable."), code="member_not_found")
    return user


@portal_login_required
@portal_errors
def members(request, pk):
    """The members (for every member of the organisation; 404 for anyone else); for its
    administrators, the forms: invite (``invitation_create``), roles
    (``member_roles_set``), removal (``member_remove``), each refused with its status."""
    organisation = queries.access_members(user=request.user, pk=pk)
    is_admin = queries.is_member(request.user, organisation, [Role.ADMIN])
    roles = accounts.ROLES_BY_KIND[OrganisationKind(organisation.kind)]
    here = reverse("portal:members", args=[pk])
    action = request.POST.get("action") if request.method == "POST" else None
    invite_form = InviteForm(request.POST if action == "invite" else None, roles=roles)
    roles_forms = {}
    refusals: list[str] = []
    status = 200
    if action == "invite":
        done, status = submit(
            request,
            invite_form,
            accounts.invitation_create,
            success_message=lambda inv: _("Invitation envoyée à %(email)s.") % {"email": inv.email},
            success_url=here,
            data=cleaned_data,
            actor=request.user,
            organisation=organisation,
        )
        if done:
            return done
    elif action == "roles":
        user = _member_user(organisation, request.POST.get("user"))
        form = RolesForm(request.POST, roles=roles, prefix=f"m{user.pk}")
        roles_forms[user.pk] = form
        done, status = submit(
            request,
            form,
            accounts.member_roles_set,
            success_message=_("Les rôles de %(name)s sont enregistrés.")
            % {"name": user.get_full_name() or user.username},
            success_url=here,
            data=cleaned_data,
            actor=request.user,
            organisation=organisation,
            user=user,
        )
        if done:
            return done
    elif action == "remove":
        user = _member_user(organisation, request.POST.get("user"))
        removal = PortalForm(request.POST)
        done, status = submit(
            request,
            removal,
            accounts.member_remove,
            success_message=_("%(name)s ne fait plus partie de l'organisation.")
            % {"name": user.get_full_name() or user.username},
            success_url=here,
            actor=request.user,
            organisation=organisation,
            user=user,
        )
        if done:
            return done
        refusals = removal.non_field_errors()
    rows = []
    for member in queries.organisation_members(organisation):
        form = roles_forms.get(member.user.pk) or RolesForm(
            None, roles=roles, prefix=f"m{member.user.pk}", initial={"roles": list(member.roles)}
        )
        rows.append(
            {"member": member, "form": form, "labels": [Role(r).label for r in member.roles]}
        )
    return render(
        request,
        "portal/space/members.html",
        {
            "organisation": organisation,
            "rows": rows,
            "is_admin": is_admin,
            "refusals": refusals,
            "invite_form": invite_form,
            "invitations": queries.open_invitations(organisation) if is_admin else [],
        },
        status=status,
    )

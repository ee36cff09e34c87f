"""The working groups of the caller's organisations on a challenge."""

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.errors import portal_errors
from portal.forms import PortalForm
from portal.views.common import portal_login_required, submit
from procurement import queries
from procurement.services import positions as position_services


@portal_login_required
@portal_errors
def groups(request, pk):
    """The working groups of the caller's organisations: each member's contacts, and
    the designation of the coordinator among the group's member organisations."""
    challenge = queries.access_challenge(user=request.user, pk=pk)
    mine = queries.working_groups_visible_to(request.user, challenge).filter(is_member=True)
    status = 200
    coordinator_form = PortalForm()
    if request.method == "POST":
        group = queries.access_working_group(
            user=request.user, challenge=challenge, pk=request.POST.get("group")
        )
        organisation = next(
            (
                m.organisation
                for m in group.members.all()
                if str(m.organisation_id) == request.POST.get("organisation")
            ),
            None,
        )
        done, status = submit(
            request,
            coordinator_form,
            position_services.working_group_designate_coordinator,
            success_message=_("Le coordinateur du groupe est désigné."),
            success_url=reverse("portal:groups", args=[pk]),
            actor=request.user,
            group=group,
            organisation=organisation,
        )
        if done:
            return done
    return render(
        request,
        "portal/space/groups.html",
        {"challenge": challenge, "groups": mine, "coordinator_form": coordinator_form},
        status=status,
    )

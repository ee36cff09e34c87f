"""A partner's positions on the resources of a published challenge."""

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from kernel.errors import Forbidden
from portal.errors import portal_errors
from portal.forms import PortalForm, PositionForm
from portal.views.common import portal_login_required, submit
from procurement import queries
from procurement.models import OrganisationKind
from procurement.services import positions as position_services


@portal_login_required
@portal_errors
def position(request, pk):
    """A partner positions its organisation on the resources of a published challenge,
    with one or more contributions; it changes or withdraws a position until the
    deadline (``?modifier=<id>`` fills the form with the position to change)."""
    challenge = queries.access_challenge(user=request.user, pk=pk)
    organisations = queries.organisations_of(request.user, OrganisationKind.PARTNER)
    if not organisations.exists():
        raise Forbidden(_("Seuls les partenaires se positionnent sur les ressources."))
    resources = queries.resources_of(challenge)
    editing = None
    if request.GET.get("modifier"):
        editing = queries.access_position(
            user=request.user, challenge=challenge, pk=request.GET["modifier"]
        )
        initial = PositionForm.initial_for(editing)
    else:
        initial = {"resource": request.GET.get("ressource"), "intent": "contribute"}
    form = PositionForm(None, organisations=organisations, resources=resources, initial=initial)
    withdraw_form = PortalForm()
    status = 200
    action = request.POST.get("action") if request.method == "POST" else None
    url = reverse("portal:position", args=[pk])
    done = None
    if action == "withdraw":
        position = queries.access_position(
            user=request.user, challenge=challenge, pk=request.POST.get("position")
        )
        done, status = submit(
            request,
            withdraw_form,
            position_services.position_withdraw,
            success_message=_("Positionnement retiré."),
            success_url=url,
            actor=request.user,
            position=position,
        )
    elif request.method == "POST":
        if action == "update":
            editing = queries.access_position(
                user=request.user, challenge=challenge, pk=request.POST.get("position")
            )
        form = PositionForm(request.POST, organisations=organisations, resources=resources)
        if editing is not None:
            service, data = position_services.position_update, PositionForm.update_kwargs
            kwargs = {"position": editing}
        else:
            service, data = position_services.position_create, PositionForm.service_kwargs
            kwargs = {}
        done, status = submit(
            request,
            form,
            service,
            success_message=_("Votre positionnement est enregistré."),
            success_url=url,
            data=data,
            actor=request.user,
            **kwargs,
        )
    if done:
        return done
    return render(
        request,
        "portal/space/position.html",
        {
            "challenge": challenge,
            "deadline": challenge.positioning_deadline,
            "resources": resources,
            "positions": queries.positions_visible_to(request.user, challenge),
            "form": form,
            "editing": editing,
            "withdraw_form": withdraw_form,
        },
        status=status,
    )

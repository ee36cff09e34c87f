"""The challenge's process for its buyer and its Chambre: the graph, the history, the
audit trail, and the buyer's extension of a deadline."""

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from kernel.errors import Forbidden, NotFound
from portal.chart import process_chart
from portal.errors import portal_errors
from portal.forms import DeadlineExtensionForm
from portal.views.common import cleaned_data, portal_login_required, submit
from procurement import queries
from procurement.audit_labels import event_actor, event_text
from procurement.models import ChallengeStatus
from procurement.services.chains import audit_verify
from workflows import services as process_services
from workflows.flows import ChallengeFlow
from workflows.queries import (
    process_history,
    processes_visible_to,
    steps_not_planned,
    timers_waiting,
)


def _require_buyer_or_chambre(user, challenge) -> None:
    if not (
        queries.is_buyer_staff(user, challenge)
        or queries.is_member(user, challenge.chambre, queries.CHAMBRE_ROLES)
    ):
        raise Forbidden(_("Réservé à l'acheteur et à la Chambre des communs."))


def _events(challenge) -> list:
    """The call's audit trail in words: what happened (French, or the page's language)
    and who did it, by name."""
    events = list(challenge.audit_events.select_related("actor").order_by("seq"))
    for event in events:
        event.text = event_text(event)
        event.who = event_actor(event)
    return events


@portal_login_required
@portal_errors
def process(request, pk):
    """The challenge's process drawn as a graph with its current steps, the tasks done
    and by whom, and the audit trail."""
    challenge = queries.access_challenge(user=request.user, pk=pk)
    _require_buyer_or_chambre(request.user, challenge)
    process = processes_visible_to(request.user).filter(challenge=challenge).first()
    if process is None:
        raise NotFound(_("Processus introuvable."))
    extend_form, status = None, 200
    if queries.is_buyer_staff(request.user, challenge) and challenge.status in (
        ChallengeStatus.POSITIONING,
        ChallengeStatus.PROPOSALS,
        ChallengeStatus.EXPLORATION,
    ):
        posted = request.method == "POST" and request.POST.get("action") == "extend"
        extend_form = DeadlineExtensionForm(
            request.POST if posted else None, challenge=challenge, prefix="extend"
        )
        if posted:
            done, status = submit(
                request,
                extend_form,
                process_services.deadline_extend,
                success_message=_("L'échéance est prolongée et l'avis publié."),
                success_url=reverse("portal:process", args=[pk]),
                data=cleaned_data,
                actor=request.user,
                challenge=challenge,
            )
            if done:
                return done
    return render(
        request,
        "portal/space/process.html",
        {
            "extend_form": extend_form,
            "challenge": challenge,
            "process": process,
            "chart": process_chart(ChallengeFlow, process, steps_not_planned(challenge)),
            "history": process_history(process),
            "explorations": queries.explorations_of(challenge),
            "timers": timers_waiting(process),
            "events": _events(challenge),
            "stages": queries.stage_bar(challenge),
            "verification": audit_verify(challenge=challenge),
        },
        status=status,
    )

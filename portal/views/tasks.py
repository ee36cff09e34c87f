"""One page per human step of the process. The form's cleaned data go to
``workflows.services.task_complete`` — the task API's path: the step's handler
validates them with its serializer and calls its one service, under the process lock."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kernel.errors import Forbidden, NotFound
from portal.chart import step_label
from portal.errors import portal_errors
from portal.forms import TASK_FORMS
from portal.forms.tasks import ScoreForm
from portal.views.common import call_service, portal_login_required
from procurement import queries
from procurement.models import OpinionSubject
from procurement.services.opinions import open_referral
from scoring.queries import grid_of
from scoring.ranking import ranking_for
from scoring.services import conflict_declare
from workflows.queries import access_task
from workflows.services import OPEN_STATUSES, can_act, task_complete

TEMPLATES = {
    "draft": "portal/tasks/draft.html",
    "call_opinion": "portal/tasks/opinion.html",
    "selection_opinion": "portal/tasks/opinion.html",
    "revise": "portal/tasks/revise.html",
    "publish": "portal/tasks/publish.html",
    "assign_evaluators": "portal/tasks/assign_evaluators.html",
    "score": "portal/tasks/score.html",
    "select": "portal/tasks/select.html",
    "award": "portal/tasks/award.html",
}


def _step_context(step: str, challenge, user) -> dict:
    """What the person needs to read to do the step."""
    context = {
        "resources": queries.resources_of(challenge),
        "opinions": queries.opinions_of(challenge),
    }
    if step in ("draft", "call_opinion", "revise", "publish"):
        context["grid"] = grid_of(challenge)
    if step == "select":
        context["ranking"] = ranking_for(challenge)
    if step in ("selection_opinion", "award"):
        context["results"] = queries.public_results(challenge)
    if step in ("call_opinion", "selection_opinion"):
        subject = OpinionSubject.CALL if step == "call_opinion" else OpinionSubject.SELECTION
        context["referral"] = open_referral(challenge, subject)
    if step == "award":
        try:
            context["round"] = queries.cofunding_round_of(challenge)
        except NotFound:
            context["round"] = None
    if step == "assign_evaluators":
        context["proposals"] = queries.proposals_visible_to(user, challenge)
    return context


def _declare(request, task, challenge):
    """The evaluator's declaration of interests on one assigned proposal, from its
    scoring page (``scoring.services.conflict_declare``, as the API's declare)."""
    form = ScoreForm(
        None, challenge=challenge, task=task, user=request.user, declaration_data=request.POST
    )
    declaration = form.declaration(request.POST.get("assignment"))
    if declaration is None:
        raise NotFound(_("Désignation introuvable."))
    if not declaration.is_valid():
        return form, 400
    _result, status = call_service(
        declaration,
        conflict_declare,
        actor=request.user,
        assignment=declaration.assignment,
        conflict=declaration.cleaned_data["conflict"],
        note=declaration.cleaned_data["note"],
    )
    if status == 200:
        messages.success(request, _("Votre déclaration d'intérêts est enregistrée."))
    return form, status


@portal_login_required
@portal_errors
def task(request, pk):
    """A task the caller may see (else 404) and act on (else 403): its form, or what
    was done when it is closed."""
    task = access_task(user=request.user, pk=pk)
    step = task.flow_task.name
    form_class = TASK_FORMS.get(step)
    if form_class is None:
        raise NotFound(_("Tâche introuvable."))
    if not can_act(request.user, task):
        raise Forbidden(_("Cette tâche ne relève pas de votre rôle."))
    challenge = task.process.challengeprocess.challenge
    is_open = task.status in OPEN_STATUSES
    form = None
    status = 200
    if is_open and step == "score" and request.POST.get("action") == "declare":
        form, status = _declare(request, task, challenge)
        if status == 200:
            return redirect("portal:task", pk=task.pk)
    elif is_open:
        data = request.POST if request.method == "POST" else None
        form = form_class(data, challenge=challenge, task=task, user=request.user)
        if data is not None:
            status = 400
            if form.is_valid():
                _result, status = call_service(
                    form, task_complete, actor=request.user, task=task, data=form.task_data()
                )
                if status == 200:
                    messages.success(
                        request, _("« %(step)s » : c'est fait.") % {"step": step_label(step)}
                    )
                    return redirect("portal:inbox")
    elif request.method == "POST":
        messages.error(request, _("Cette tâche n'est plus ouverte."))
        status = 409
    context = {
        "task": task,
        "step": step,
        "title": step_label(step),
        "challenge": challenge,
        "deadline": queries.next_deadline(challenge),
        "form": form,
        "is_open": is_open,
        "held_by_other": task.owner_id not in (None, request.user.pk),
        **_step_context(step, challenge, request.user),
    }
    return render(request, TEMPLATES[step], context, status=status)

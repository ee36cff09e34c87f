"""One page per human step of the process, as its node declares it (``Step``: the title,
the template and the form). The form's cleaned data go to
``workflows.services.task_complete`` — the task API's path: the step's node validates
them with its serializer and makes its one call, under the process lock."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from kernel.errors import Forbidden, NotFound
from portal.errors import portal_errors
from portal.forms.scoring import ScoreForm
from portal.views.common import call_service, portal_login_required
from procurement import queries
from procurement.models import DocumentStatus
from scoring.services import conflict_declare, scoring_check, scoring_draft_save
from workflows.nodes import Step
from workflows.queries import access_task, task_deadline
from workflows.services import OPEN_STATUSES, can_act, task_complete


def _generation_notice(request, challenge) -> None:
    """A step that starts a generation of documents (the publication, the award decision)
    answers before its pieces are rendered, by a worker: tell the buyer's agent where
    their progress shows."""
    if challenge.document_jobs.filter(
        status=DocumentStatus.PENDING
    ).exists() and queries.is_buyer_staff(request.user, challenge):
        messages.info(
            request,
            _(
                "Les documents sont en cours de génération : leur avancement s'affiche "
                "sur la page « Documents » de l'appel."
            ),
        )


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


def _score(request, task, challenge, action: str):
    """The evaluator's marks, saved as a draft (``draft``: blank marks allowed, nothing
    submitted) or read back before the irrevocable submission (``review``: the marks
    checked as the submission will check them, ``scoring.services.scoring_check``, and
    kept as the draft meanwhile). Answers (form, status): 302 once a draft is saved."""
    draft = action == "draft"
    form = ScoreForm(request.POST, challenge=challenge, task=task, user=request.user, draft=draft)
    if not form.is_valid():
        return form, 400
    marked = [item for item in form.task_data()["evaluations"] if not item.get("conflict")]
    if not draft:
        if not form.ready:
            form.add_error(
                None, _("Déclarez vos intérêts sur chaque proposition avant de soumettre.")
            )
            return form, 400
        _result, status = call_service(form, scoring_check, challenge=challenge, evaluations=marked)
        if status != 200:
            return form, status
    _result, status = call_service(
        form, scoring_draft_save, actor=request.user, challenge=challenge, evaluations=marked
    )
    if status != 200:
        return form, status
    if draft:
        messages.success(
            request,
            _("Brouillon enregistré : vos notes sont gardées, rien n'est encore soumis."),
        )
        return form, 302
    return form, 200


@portal_login_required
@portal_errors
def task(request, pk):
    """A task the caller may see (else 404) and act on (else 403): its form, or what
    was done when it is closed."""
    task = access_task(user=request.user, pk=pk)
    node = task.flow_task
    step = node.name
    if not isinstance(node, Step):
        raise NotFound(_("Tâche introuvable."))
    form_class = import_string(node.form)
    if not can_act(request.user, task):
        raise Forbidden(_("Cette tâche ne relève pas de votre rôle."))
    challenge = task.process.challengeprocess.challenge
    is_open = task.status in OPEN_STATUSES
    form = None
    status = 200
    review = False
    if is_open and step == "score" and request.POST.get("action") == "declare":
        form, status = _declare(request, task, challenge)
        if status == 200:
            return redirect("portal:task", pk=task.pk)
    elif is_open and step == "score" and request.method == "POST":
        action = request.POST.get("action") or "review"
        if action in ("draft", "review"):
            form, status = _score(request, task, challenge, action)
            if status == 302:
                return redirect("portal:task", pk=task.pk)
            review = action == "review" and status == 200
        else:
            form = form_class(request.POST, challenge=challenge, task=task, user=request.user)
            status = 400
            if form.is_valid():
                _result, status = call_service(
                    form, task_complete, actor=request.user, task=task, data=form.task_data()
                )
                if status == 200:
                    messages.success(
                        request, _("« %(step)s » : c'est fait.") % {"step": node.task_title}
                    )
                    return redirect("portal:inbox")
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
                        request, _("« %(step)s » : c'est fait.") % {"step": node.task_title}
                    )
                    for warning in form.done_warnings():
                        messages.warning(request, warning)
                    _generation_notice(request, challenge)
                    return redirect("portal:inbox")
    elif request.method == "POST":
        messages.error(request, _("Cette tâche n'est plus ouverte."))
        status = 409
    context = {
        "task": task,
        "step": step,
        "title": str(node.task_title),
        "challenge": challenge,
        "deadline": task_deadline(task),
        "form": form,
        "is_open": is_open,
        "held_by_other": task.owner_id not in (None, request.user.pk),
        "review": review,
        **form_class.page_context(challenge=challenge, user=request.user, step=step),
    }
    return render(request, node.template, context, status=status)

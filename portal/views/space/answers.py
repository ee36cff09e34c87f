"""The buyer's answers to the partners' questions, published together."""

from django.contrib import messages
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kernel.errors import Forbidden
from portal.errors import portal_errors
from portal.forms import AnswerForm, ExtendDeadlineForm, PortalForm
from portal.views.common import cleaned_data, portal_login_required, submit
from procurement import queries
from procurement.services import questions as question_services
from workflows import services as process_services


@portal_login_required
@portal_errors
def answers(request, pk):
    """The buyer drafts answers to the partners' questions, then publishes them all at
    once; in a formal procedure, answers published less than six days before the
    proposal deadline come with the proposed extension."""
    challenge = queries.access_challenge(user=request.user, pk=pk)
    if not queries.is_buyer_staff(request.user, challenge):
        raise Forbidden(_("Seuls les agents de l'acheteur répondent aux questions."))
    action = request.POST.get("action") if request.method == "POST" else None
    status = 200
    url = reverse("portal:answers", args=[pk])
    items = []
    for question in queries.questions_visible_to(request.user, challenge):
        bound = action == "draft" and request.POST.get("question") == str(question.pk)
        form = AnswerForm(
            request.POST if bound else None,
            prefix=f"q{question.pk}",
            initial={"answer": question.draft_answer},
        )
        if bound:
            done, status = submit(
                request,
                form,
                question_services.question_answer_draft,
                success_message=_("Projet de réponse enregistré (non publié)."),
                success_url=url,
                data=cleaned_data,
                question=question,
                actor=request.user,
            )
            if done:
                return done
        items.append({"question": question, "form": form})
    publish_form = PortalForm(request.POST if action == "publish" else None)
    if action == "publish":
        done, status = submit(
            request,
            publish_form,
            question_services.questions_publish_answers,
            success_message=lambda publication: _published(request, publication),
            success_url=url,
            challenge=challenge,
            actor=request.user,
        )
        if done:
            return done
    warning = question_services.answers_late(challenge)
    extend_form = None
    if warning and warning.can_extend:
        extend_form = ExtendDeadlineForm(
            request.POST if action == "extend" else None,
            initial={
                "new_deadline": warning.proposed_deadline,
                "notice": _(
                    "La date limite des propositions est prolongée pour laisser six jours "
                    "après la publication des réponses aux questions."
                ),
            },
        )
        if action == "extend":
            done, status = submit(
                request,
                extend_form,
                process_services.deadline_extend,
                success_message=_("La date limite des propositions est prolongée."),
                success_url=url,
                data=cleaned_data,
                actor=request.user,
                challenge=challenge,
                which="proposals",
            )
            if done:
                return done
    drafted = sum(1 for i in items if not i["question"].answered_at and i["question"].draft_answer)
    return render(
        request,
        "portal/space/answers.html",
        {
            "challenge": challenge,
            "items": items,
            "drafted": drafted,
            "publish_form": publish_form,
            "warning": warning,
            "extend_form": extend_form,
        },
        status=status,
    )


def _published(request, publication) -> str:
    """What is said once the answers are published: the warning when they come late
    (shown first), then how many were published."""
    count = len(publication.questions)
    message = ngettext(
        "%(count)s réponse publiée pour tous les partenaires.",
        "%(count)s réponses publiées pour tous les partenaires.",
        count,
    ) % {"count": count}
    if publication.warning:
        messages.warning(request, publication.warning.message)
    return message

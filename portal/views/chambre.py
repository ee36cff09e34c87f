"""The Chambre des communs in the portal: the referral page where its members work
(rapporteur, comments, draft, return), and its public pages (a commons' referencing
decisions, the Chambre's activity)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from kernel.errors import Forbidden, NotFound, WrongState
from portal.errors import portal_errors
from portal.forms.chambre import (
    CommentForm,
    DraftForm,
    RapporteurForm,
    ReturnForm,
)
from portal.views.common import call_service, portal_login_required
from procurement import queries
from procurement.models import OpinionSubject, Organisation, OrganisationKind
from procurement.models.opinions import ReferralStatus
from procurement.services import opinions as opinion_services
from workflows.queries import open_task_of
from workflows.services import task_complete


def _is_moderator(user, referral) -> bool:
    return queries.is_member(user, referral.chambre, queries.OPINION_ROLES)


@portal_login_required
@portal_errors
def referral(request, pk, referral_pk):
    """One referral: what the Chambre was asked, where it stands, and the form each
    member may use now — the modérateur names the rapporteur or sends a draft back, the
    rapporteur drafts, every member comments. The buyer's staff sees where it stands."""
    challenge = queries.access_challenge(user=request.user, pk=pk)
    referral = queries.access_referral(user=request.user, challenge=challenge, pk=referral_pk)
    user = request.user
    inside = queries.is_chambre_member(user, challenge)
    moderator = _is_moderator(user, referral)
    rapporteur = referral.rapporteur_id == user.pk
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "publish":
        return _publish(request, challenge, referral, moderator)
    forms = {}
    if inside and referral.is_open:
        if moderator and referral.status in ("awaiting_rapporteur", "drafting"):
            forms["rapporteur"] = RapporteurForm(
                request.POST if action == "rapporteur" else None,
                chambre=referral.chambre,
                initial={"rapporteur": referral.rapporteur_id},
                prefix="rapporteur",
            )
        if rapporteur and referral.status == "drafting":
            forms["draft"] = DraftForm(
                request.POST if action in ("draft", "submit") else None,
                initial=DraftForm.initial_from(referral),
                prefix="draft",
            )
        if moderator and referral.status == "submitted":
            forms["return"] = ReturnForm(
                request.POST if action == "return" else None, prefix="return"
            )
        forms["comment"] = CommentForm(
            request.POST if action == "comment" else None, prefix="comment"
        )
    status = 200
    form = forms.get("draft" if action == "submit" else action)
    if form is not None:
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            calls = {
                "rapporteur": (
                    opinion_services.referral_name_rapporteur,
                    {"rapporteur": data.get("rapporteur")},
                    _("Le rapporteur est nommé."),
                ),
                "comment": (
                    opinion_services.referral_comment,
                    {"body": data.get("body")},
                    _("Votre commentaire est enregistré."),
                ),
                "return": (
                    opinion_services.referral_return,
                    {"comment": data.get("comment")},
                    _("Le projet d'avis est renvoyé au rapporteur."),
                ),
                "draft": (
                    opinion_services.referral_draft,
                    {**form.service_data(), "submit": False} if action == "draft" else {},
                    _("Le projet d'avis est enregistré."),
                ),
                "submit": (
                    opinion_services.referral_draft,
                    {**form.service_data(), "submit": True} if action == "submit" else {},
                    _("Le projet d'avis est transmis au modérateur."),
                ),
            }
            service, kwargs, done = calls[action]
            _result, status = call_service(form, service, actor=user, referral=referral, **kwargs)
            if status == 200:
                messages.success(request, done)
                return redirect("portal:referral", pk=pk, referral_pk=referral.pk)
    elif action is not None:
        allowed = {
            "rapporteur": moderator,
            "return": moderator,
            "draft": rapporteur,
            "submit": rapporteur,
            "comment": inside,
        }
        if not allowed.get(action, False):
            raise Forbidden(_("Cette action ne relève pas de votre rôle dans la Chambre."))
        messages.error(request, _("Cette action n'est pas ouverte à cette étape de la saisine."))
        status = 409
    return render(
        request,
        "portal/chambre/referral.html",
        {
            "challenge": challenge,
            "referral": referral,
            "inside": inside,
            "forms": forms,
            "deadline": referral.deadline if referral.is_open else None,
            "can_publish": inside and moderator and referral.is_open,
            "publishable": referral.status == ReferralStatus.SUBMITTED,
            "opinions": queries.opinions_of(challenge),
            "resources": queries.resources_of(challenge),
        },
        status=status,
    )


def _publish(request, challenge, referral, moderator: bool):
    """The modérateur validates the submitted draft from the referral page: the step of
    the process that waits for the opinion is completed (``task_complete``, as on the
    task page), so the opinion is published and the call moves on in one click."""
    if not moderator:
        raise Forbidden(_("Seul le modérateur de la Chambre publie l'avis."))
    step = "call_opinion" if referral.subject == OpinionSubject.CALL else "selection_opinion"
    task = open_task_of(challenge, (step,))
    if not referral.is_open or task is None:
        raise WrongState(_("Aucun avis n'est attendu à cette étape."))
    if referral.status != ReferralStatus.SUBMITTED:
        raise WrongState(_("Le rapporteur n'a pas encore soumis de projet d'avis."))
    task_complete(actor=request.user, task=task, data={})
    messages.success(request, _("L'avis de la Chambre est publié."))
    return redirect("portal:referral", pk=challenge.pk, referral_pk=referral.pk)


@portal_errors
def commons_detail(request, slug):
    """A commons of the catalogue: the resource, its community and rules, its licence
    and host, the Chambre's referencing decisions with their reasons, and the execution
    follow-up of the signed lots that produce it (public)."""
    commons = queries.access_commons(slug=slug)
    return render(
        request,
        "portal/chambre/commons_detail.html",
        {
            "commons": commons,
            "decisions": queries.catalogue_decisions(commons),
            "execution": queries.execution_of_commons(commons),
        },
    )


@portal_errors
def activity(request, pk):
    """A Chambre's public record: its opinions, the time each took, its verdicts."""
    chambre = Organisation.objects.filter(kind=OrganisationKind.CHAMBRE, pk=pk).first()
    if chambre is None:
        raise NotFound(_("Chambre introuvable."))
    return render(
        request,
        "portal/chambre/activity.html",
        {"activity": queries.chambre_activity(chambre), "chambre": chambre},
    )


def referral_url(referral) -> str:
    return reverse("portal:referral", args=[referral.challenge_id, referral.pk])

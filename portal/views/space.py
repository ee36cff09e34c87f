"""The personal space: the task inbox, the domain actions of the timed stages
(positions, proposals, cofunding, answers to questions), the buyer's process view and
its documents page."""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from kernel.errors import Forbidden, NotFound
from portal.chart import process_chart
from portal.errors import portal_errors
from portal.forms import (
    AllocationForm,
    AnswerForm,
    AttachmentForm,
    DeadlineExtensionForm,
    ExtendDeadlineForm,
    PledgeForm,
    PortalForm,
    PositionForm,
    ProposalForm,
)
from portal.forms.funds import (
    BucketForm,
    ContributorAllocationsForm,
    PledgeMoveForm,
    RoundSettingsForm,
    SubsidyForm,
)
from portal.views.common import call_service, portal_login_required
from procurement import queries
from procurement.models import (
    ChallengeStatus,
    DocumentStatus,
    Organisation,
    OrganisationKind,
    Pledge,
)
from procurement.services import cofunding as cofunding_services
from procurement.services import deadlines as deadline_services
from procurement.services import documents as document_services
from procurement.services import notifications as notification_services
from procurement.services import positions as position_services
from procurement.services import proposals as proposal_services
from procurement.services import questions as question_services
from procurement.services.audit import audit_verify
from procurement.uploads import MAX_UPLOAD_BYTES
from workflows.flows import ChallengeFlow
from workflows.queries import process_history, processes_visible_to, tasks_actionable_by

OPEN_STAGES = [ChallengeStatus.POSITIONING, ChallengeStatus.PROPOSALS, ChallengeStatus.COFUNDING]


@portal_login_required
def inbox(request):
    """What I must do now, across my organisations: the process's tasks first, then the
    stages open to my organisations' contributions."""
    user = request.user
    tasks = list(tasks_actionable_by(user))
    for task in tasks:
        task.challenge = task.process.challengeprocess.challenge
        task.deadline = queries.next_deadline(task.challenge)
    organisations = list(queries.organisations_of(user))
    kinds = {org.kind for org in organisations}
    buyer_ids = {org.pk for org in organisations if org.kind == OrganisationKind.BUYER}
    actions = []
    for challenge in queries.challenges_visible_to(user).filter(status__in=OPEN_STAGES):
        deadline = queries.next_deadline(challenge)
        if challenge.status == ChallengeStatus.POSITIONING and OrganisationKind.PARTNER in kinds:
            actions.append((challenge, _("Se positionner"), "portal:position", deadline))
        elif challenge.status == ChallengeStatus.PROPOSALS and OrganisationKind.PARTNER in kinds:
            actions.append((challenge, _("Déposer une proposition"), "portal:proposal", deadline))
        elif challenge.status == ChallengeStatus.COFUNDING and (
            OrganisationKind.FUNDER in kinds or challenge.buyer_id in buyer_ids
        ):
            actions.append((challenge, _("Cofinancer les communs"), "portal:cofunding", deadline))
    own = queries.challenges_visible_to(user).filter(
        buyer__in=queries.org_ids(user, queries.STAFF_ROLES)
    )
    return render(
        request,
        "portal/space/inbox.html",
        {
            "tasks": tasks,
            "organisations": organisations,
            "actions": actions,
            "own_challenges": own,
            "referrals": queries.referrals_open_for(user),
            "alerts": _alerts(user),
            "is_partner": OrganisationKind.PARTNER in kinds,
        },
    )


def _alerts(user) -> list[dict]:
    """The e-mail alerts the user may toggle: every call, then each buyer's calls."""
    mine = set(
        notification_services.subscriptions_of(user)
        .filter(user=user)
        .values_list("buyer_id", flat=True)
    )
    buyers = Organisation.objects.filter(kind=OrganisationKind.BUYER).order_by("name")
    return [{"buyer": None, "on": None in mine}] + [
        {"buyer": buyer, "on": buyer.pk in mine} for buyer in buyers
    ]


@portal_login_required
@require_POST
@portal_errors
def alerts(request):
    """Turn one of my e-mail alerts on or off."""
    buyer = None
    if request.POST.get("buyer"):
        buyer = Organisation.objects.filter(
            pk=request.POST["buyer"] if request.POST["buyer"].isdigit() else None,
            kind=OrganisationKind.BUYER,
        ).first()
        if buyer is None:
            raise NotFound(_("Acheteur introuvable."))
    subscribed = request.POST.get("subscribed") == "1"
    notification_services.subscription_set(actor=request.user, buyer=buyer, subscribed=subscribed)
    messages.success(
        request,
        _("Alerte activée : vous recevrez un e-mail à chaque publication.")
        if subscribed
        else _("Alerte désactivée."),
    )
    return redirect(reverse("portal:inbox") + "#alertes")


def _done(request, message: str, url_name: str, pk: int, anchor: str = ""):
    messages.success(request, message)
    return redirect(reverse(url_name, args=[pk]) + anchor)


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
    if action == "withdraw":
        position = queries.access_position(
            user=request.user, challenge=challenge, pk=request.POST.get("position")
        )
        _result, status = call_service(
            withdraw_form,
            position_services.position_withdraw,
            actor=request.user,
            position=position,
        )
        if status == 200:
            return _done(request, _("Positionnement retiré."), "portal:position", pk)
    elif request.method == "POST":
        if action == "update":
            editing = queries.access_position(
                user=request.user, challenge=challenge, pk=request.POST.get("position")
            )
        form = PositionForm(request.POST, organisations=organisations, resources=resources)
        if form.is_valid():
            if editing is not None:
                _result, status = call_service(
                    form,
                    position_services.position_update,
                    actor=request.user,
                    position=editing,
                    **form.update_kwargs(),
                )
            else:
                _result, status = call_service(
                    form,
                    position_services.position_create,
                    actor=request.user,
                    **form.service_kwargs(),
                )
            if status == 200:
                return _done(
                    request, _("Votre positionnement est enregistré."), "portal:position", pk
                )
        else:
            status = 400
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
        _result, status = call_service(
            coordinator_form,
            position_services.working_group_designate_coordinator,
            actor=request.user,
            group=group,
            organisation=organisation,
        )
        if status == 200:
            return _done(request, _("Le coordinateur du groupe est désigné."), "portal:groups", pk)
    return render(
        request,
        "portal/space/groups.html",
        {"challenge": challenge, "groups": mine, "coordinator_form": coordinator_form},
        status=status,
    )


@portal_login_required
@portal_errors
def proposal(request, pk):
    """The members of a working group submit (or replace) its sealed proposal."""
    challenge = queries.access_challenge(user=request.user, pk=pk)
    groups = list(
        queries.working_groups_of(challenge)
        .filter(members__organisation__in=queries.org_ids(request.user))
        .distinct()
    )
    existing = {p.group_id: p for p in queries.proposals_visible_to(request.user, challenge)}
    sections = []
    status = 200
    for group in groups:
        current = existing.get(group.pk)
        initial = ProposalForm.initial_for(current) if current else {}
        bound = request.method == "POST" and request.POST.get("group") == str(group.pk)
        attaching = bound and request.POST.get("action") == "attach"
        form = ProposalForm(
            request.POST if bound and not attaching else None,
            prefix=f"g{group.pk}",
            initial=initial,
        )
        attach_form = AttachmentForm(
            request.POST if attaching else None,
            request.FILES if attaching else None,
            prefix=f"a{group.pk}",
        )
        if attaching and current is not None:
            if attach_form.is_valid():
                upload = attach_form.cleaned_data["file"]
                _result, status = call_service(
                    attach_form,
                    proposal_services.proposal_attachment_add,
                    actor=request.user,
                    proposal=current,
                    content=upload.read(MAX_UPLOAD_BYTES + 1),
                    name=upload.name,
                )
                if status == 200:
                    return _done(request, _("La pièce jointe est ajoutée."), "portal:proposal", pk)
            else:
                status = 400
        elif bound and not attaching:
            if form.is_valid():
                _result, status = call_service(
                    form,
                    proposal_services.proposal_submit,
                    actor=request.user,
                    group=group,
                    **form.service_kwargs(),
                )
                if status == 200:
                    return _done(
                        request,
                        _("Votre proposition est déposée sous pli scellé."),
                        "portal:proposal",
                        pk,
                    )
            else:
                status = 400
        sections.append(
            {"group": group, "proposal": current, "form": form, "attach_form": attach_form}
        )
    return render(
        request,
        "portal/space/proposal.html",
        {"challenge": challenge, "deadline": challenge.proposal_deadline, "sections": sections},
        status=status,
    )


def _cofunding_forms(request, round_, funders, is_buyer, editable, action):
    """The cofunding page's forms, the one submitted bound to the request."""
    data = request.POST if action else None
    buckets = round_.buckets.select_related("proposal").order_by("id")
    open_ = round_.closed_at is None
    forms = {"withdraw": PortalForm()}
    if funders:
        forms["allocation"] = AllocationForm(
            data if action == "allocation" else None, funders=funders, prefix="allocation"
        )
        forms["pledge"] = PledgeForm(
            data if action == "pledge" else None, funders=funders, buckets=buckets, prefix="pledge"
        )
        pledges = (
            Pledge.objects.filter(
                bucket__round=round_,
                allocation__funder__in=funders,
                status=Pledge.Status.ACTIVE,
            )
            .select_related("allocation__funder", "bucket__proposal")
            .order_by("id")
        )
        if open_ and pledges.exists():
            forms["move"] = PledgeMoveForm(
                data if action == "move" else None, pledges=pledges, buckets=buckets, prefix="move"
            )
    if is_buyer and open_:
        forms["settings"] = RoundSettingsForm(
            data if action == "settings" else None,
            initial={
                "beyond_minimum": round_.beyond_minimum,
                "edit_after_funded": round_.edit_after_funded,
            },
            prefix="settings",
        )
        forms["contributors"] = ContributorAllocationsForm(
            data if action == "contributors" else None, prefix="contributors"
        )
        forms["subsidy"] = SubsidyForm(
            data if action == "subsidy" else None, buckets=buckets, prefix="subsidy"
        )
    if open_:
        for bucket in buckets:
            if bucket.pk in editable:
                bound = action == "bucket" and request.POST.get("bucket") == str(bucket.pk)
                forms[f"bucket{bucket.pk}"] = BucketForm(
                    data if bound else None,
                    initial={
                        "description": bucket.description,
                        "min_amount": bucket.min_amount,
                        "max_amount": bucket.max_amount,
                    },
                    prefix=f"b{bucket.pk}",
                )
    return forms


COFUNDING_SERVICES = {
    "allocation": cofunding_services.allocation_set,
    "pledge": cofunding_services.pledge_create,
    "move": cofunding_services.pledge_move,
    "settings": cofunding_services.cofunding_update,
    "contributors": cofunding_services.allocations_grant_contributors,
    "subsidy": cofunding_services.subsidy_record,
    "bucket": cofunding_services.bucket_update,
}


def _cofunding_call(request, round_, funders, forms, action):
    """Run the service the submitted form names; its status (200 when done)."""
    user = request.user
    if action == "withdraw":
        pledge_id = request.POST.get("pledge", "")
        pledge = (
            Pledge.objects.filter(
                pk=int(pledge_id), bucket__round=round_, allocation__funder__in=funders
            ).first()
            if pledge_id.isascii() and pledge_id.isdigit() and len(pledge_id) < 12
            else None
        )
        if pledge is None:
            raise NotFound(_("Engagement introuvable."))
        forms["withdraw"] = PortalForm(request.POST)
        forms["withdraw"].is_valid()
        return call_service(
            forms["withdraw"], cofunding_services.pledge_withdraw, actor=user, pledge=pledge
        )[1]
    if action not in COFUNDING_SERVICES:
        raise NotFound(_("Action inconnue."))
    key = f"bucket{request.POST.get('bucket')}" if action == "bucket" else action
    form = forms.get(key)
    if form is None:
        raise Forbidden(_("Ce formulaire ne vous est pas ouvert."))
    if not form.is_valid():
        return 400
    data = form.cleaned_data
    if action == "bucket":
        data = {"bucket": round_.buckets.get(pk=request.POST.get("bucket")), **data}
    elif action in ("allocation", "settings", "contributors"):
        data = {"round_": round_, **data}
    return call_service(form, COFUNDING_SERVICES[action], actor=user, **data)[1]


@portal_login_required
@portal_errors
def cofunding(request, pk):
    """Funders declare their envelope for the round, spread it over the commons and move
    it; the buyer sets the round's rules, grants the contributors an envelope and records
    subsidies; the buyer and each commons' working group edit its bucket."""
    challenge = queries.access_challenge(user=request.user, pk=pk)
    try:
        round_ = queries.cofunding_round_of(challenge)
    except NotFound:
        round_ = None
    funders = list(queries.funders_for(request.user, challenge))
    is_buyer = queries.is_buyer_staff(request.user, challenge)
    editable = set()
    if round_ is not None:
        editable = {
            bucket.pk
            for bucket in round_.buckets.all()
            if cofunding_services.bucket_editable_by(request.user, bucket)
        }
    if not (funders or is_buyer or editable):
        raise Forbidden(_("Seuls les financeurs et l'acheteur cofinancent les communs."))
    context = {"challenge": challenge, "round": round_, "status": 200}
    if round_ is not None:
        funder_qs = queries.organisations_list().filter(pk__in=[f.pk for f in funders])
        action = request.POST.get("action") if request.method == "POST" else None
        forms = _cofunding_forms(
            request, round_, funder_qs if funders else None, is_buyer, editable, action
        )
        status = 200
        if action:
            status = _cofunding_call(request, round_, funder_qs, forms, action)
            if status == 200:
                return _done(request, _("C'est enregistré."), "portal:cofunding", pk)
        funder_ids = {f.pk for f in funders}
        buckets = list(round_.buckets.all())
        for bucket in buckets:
            bucket.edit_form = forms.get(f"bucket{bucket.pk}")
        context.update(
            {
                "buckets": buckets,
                "allocations": [a for a in round_.allocations.all() if a.funder_id in funder_ids],
                "forms": forms,
                "allocation_form": forms.get("allocation"),
                "pledge_form": forms.get("pledge"),
                "withdraw_form": forms["withdraw"],
                "funder_ids": funder_ids,
                "is_buyer": is_buyer,
                "status": status,
            }
        )
    return render(request, "portal/space/cofunding.html", context, status=context["status"])


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
    items = []
    for question in queries.questions_visible_to(request.user, challenge):
        bound = action == "draft" and request.POST.get("question") == str(question.pk)
        form = AnswerForm(
            request.POST if bound else None,
            prefix=f"q{question.pk}",
            initial={"answer": question.draft_answer},
        )
        if bound:
            status = 400
            if form.is_valid():
                _result, status = call_service(
                    form,
                    question_services.question_answer_draft,
                    question=question,
                    actor=request.user,
                    answer=form.cleaned_data["answer"],
                )
                if status == 200:
                    return _done(
                        request,
                        _("Projet de réponse enregistré (non publié)."),
                        "portal:answers",
                        pk,
                    )
        items.append({"question": question, "form": form})
    publish_form = PortalForm(request.POST if action == "publish" else None)
    if action == "publish":
        publication, status = call_service(
            publish_form,
            question_services.questions_publish_answers,
            challenge=challenge,
            actor=request.user,
        )
        if status == 200:
            count = len(publication.questions)
            message = ngettext(
                "%(count)s réponse publiée pour tous les partenaires.",
                "%(count)s réponses publiées pour tous les partenaires.",
                count,
            ) % {"count": count}
            if publication.warning:
                messages.warning(request, publication.warning.message)
            return _done(request, message, "portal:answers", pk)
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
            status = 400
            if extend_form.is_valid():
                _result, status = call_service(
                    extend_form,
                    deadline_services.challenge_extend_deadline,
                    actor=request.user,
                    challenge=challenge,
                    which="proposals",
                    **extend_form.cleaned_data,
                )
                if status == 200:
                    return _done(
                        request,
                        _("La date limite des propositions est prolongée."),
                        "portal:answers",
                        pk,
                    )
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


def _require_buyer_or_chambre(user, challenge) -> None:
    if not (
        queries.is_buyer_staff(user, challenge)
        or queries.is_member(user, challenge.chambre, queries.CHAMBRE_ROLES)
    ):
        raise Forbidden(_("Réservé à l'acheteur et à la Chambre des communs."))


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
    ):
        posted = request.method == "POST" and request.POST.get("action") == "extend"
        extend_form = DeadlineExtensionForm(
            request.POST if posted else None, challenge=challenge, prefix="extend"
        )
        if posted:
            status = 400
            if extend_form.is_valid():
                _result, status = call_service(
                    extend_form,
                    deadline_services.challenge_extend_deadline,
                    actor=request.user,
                    challenge=challenge,
                    **extend_form.cleaned_data,
                )
                if status == 200:
                    return _done(
                        request,
                        _("L'échéance est prolongée et l'avis publié."),
                        "portal:process",
                        pk,
                    )
    return render(
        request,
        "portal/space/process.html",
        {
            "extend_form": extend_form,
            "challenge": challenge,
            "process": process,
            "chart": process_chart(ChallengeFlow, process),
            "history": process_history(process),
            "events": challenge.audit_events.select_related("actor").order_by("seq"),
            "verification": audit_verify(challenge=challenge),
        },
        status=status,
    )


def _documents_context(request, pk) -> dict:
    challenge = queries.access_challenge(user=request.user, pk=pk)
    if not queries.is_buyer_staff(request.user, challenge):
        raise Forbidden(_("Le dossier de consultation est réservé aux agents de l'acheteur."))
    job = challenge.document_jobs.order_by("-created_at", "-id").first()
    return {
        "challenge": challenge,
        "job": job,
        "documents": queries.latest_documents(challenge),
        "can_request": challenge.status in document_services.DOCUMENT_STAGES,
    }


@portal_login_required
@portal_errors
def documents(request, pk):
    """The tender pack: the latest generation's progress (updated in the page by
    ``portal.js`` from ``documents_status``) and the newest version of each piece."""
    context = _documents_context(request, pk)
    form = PortalForm()
    status = 200
    if request.method == "POST":
        _result, status = call_service(
            form,
            document_services.documents_request,
            challenge=context["challenge"],
            actor=request.user,
        )
        if status == 200:
            return _done(request, _("La génération du dossier est lancée."), "portal:documents", pk)
    context["form"] = form
    context["labels"] = {
        "job": _("Génération n° %(n)s"),
        "empty": _("Aucune pièce pour l'instant."),
        "uploaded": _("déposée"),
        "size": _("%(kb)s ko"),
    }
    return render(request, "portal/space/documents.html", context, status=status)


def _job_data(job) -> dict | None:
    if job is None:
        return None
    return {
        "id": job.pk,
        "status": job.status,
        "status_label": str(DocumentStatus(job.status).label),
        "done": job.done,
        "total": job.total,
        # The plural form is the server's to choose, in the page's language.
        "progress_label": ngettext(
            "%(done)s pièce sur %(total)s", "%(done)s pièces sur %(total)s", job.done
        )
        % {"done": job.done, "total": job.total},
        "error": job.error,
        "finished": job.status != DocumentStatus.PENDING,
    }


@portal_login_required
@portal_errors
def documents_status(request, pk):
    """The documents page's polling: the latest job and the newest pieces, as JSON."""
    context = _documents_context(request, pk)
    challenge = context["challenge"]
    return JsonResponse(
        {
            "job": _job_data(context["job"]),
            "documents": [
                {
                    "id": document.pk,
                    "title": document.title,
                    "version": document.version,
                    "size": document.size,
                    "uploaded": document.uploaded,
                    "url": reverse("document-download", args=[challenge.pk, document.pk]),
                }
                for document in context["documents"]
            ],
        }
    )

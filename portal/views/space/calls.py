"""The buyer's call editor: « Nouvel appel » creates a draft and starts its process; the
draft (or the call under revision after the Chambre's opinion) is then written here —
text, lots and resources, licences, grid, estimate and planned dates — and saved by the
button, or every few seconds by ``portal.js`` (the same form, posted with ``autosave``,
answered in JSON). Only the buyer's staff sees the editor: 404 for anyone else."""

from datetime import timedelta

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kernel.errors import ApplicationError, Forbidden, NotFound
from portal.errors import REFUSALS, apply_refusal, portal_errors, refusal_pairs
from portal.forms.calls import LICENCES, CallEditor, NewCallForm
from portal.views.common import portal_login_required
from procurement import calculations, queries
from procurement.models import ChallengeStatus, Organisation
from procurement.models import OrganisationKind as Kind
from procurement.services.award_rules import lots_problems, offer_window_of
from procurement.services.challenges import EDITABLE
from scoring.models import Criterion
from scoring.services import grid_check
from workflows.operations import call_draft_save
from workflows.queries import open_task_of
from workflows.services import process_start
from workflows.snapshots import call_changes


def _buyers_of(user):
    return Organisation.objects.filter(
        kind=Kind.BUYER, pk__in=queries.org_ids(user, queries.STAFF_ROLES)
    ).order_by("name")


@portal_login_required
@portal_errors
def call_new(request):
    """« Nouvel appel »: a title, a context and a first resource make a draft (with the
    default grid) whose process starts; the editor opens on it."""
    buyers = _buyers_of(request.user)
    if not buyers.exists():
        raise Forbidden(_("Seuls les agents d'un acheteur public créent un appel."))
    form = NewCallForm(
        request.POST if request.method == "POST" else None,
        buyers=buyers,
        initial={"buyer": buyers.first()},
    )
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            try:
                process = process_start(actor=request.user, **form.service_kwargs())
            except REFUSALS as exc:
                status = apply_refusal(form, exc)
            else:
                messages.success(
                    request, _("Le brouillon de l'appel est créé : complétez-le ci-dessous.")
                )
                return redirect("portal:call_edit", pk=process.challenge_id)
    return render(
        request,
        "portal/space/call_new.html",
        {"form": form, "title": _("Nouvel appel")},
        status=status,
    )


def _preview(challenge) -> dict:
    """The procedure the saved estimate gives if the call is published today, its
    minimum offers' window, and what the planned dates leave."""
    window = offer_window_of(challenge)
    now = timezone.now()
    preview = {"window": window, "planned": None}
    if window is None:
        return preview
    earliest = now + timedelta(days=window.minimum_days)
    preview["earliest"] = earliest
    planned = challenge.planned_proposal_deadline
    if planned is not None:
        preview["planned"] = planned
        preview["planned_holds"] = calculations.offer_window_holds(
            now, planned, window.minimum_days
        )
        preview["planned_days"] = max((planned - now).days, 0)
    return preview


def _rules(challenge) -> dict[str, list[str]]:
    """What the Chambre's referral and the publication will still refuse, as they
    stand saved (``grid_check`` and ``lots_problems``, the services' own rules)."""
    problems: dict[str, list[str]] = {}
    try:
        grid_check(challenge=challenge)
    except ApplicationError as exc:
        problems.update(exc.extra.get("fields") or {})
    for name, items in lots_problems(challenge).items():
        problems.setdefault(name, []).extend(items)
    return problems


def _context(challenge, editor) -> dict:
    task = open_task_of(challenge, ("draft", "revise"))
    revision = challenge.status == ChallengeStatus.REVISION
    referral, changes = call_changes(challenge) if revision else (None, None)
    return {
        "challenge": challenge,
        "editor": editor,
        "title": _("Rédiger l'appel"),
        "task": task,
        "totals": editor.totals(),
        "min_share": challenge.buyer.commons_min_share,
        "preview": _preview(challenge),
        "problems": _rules(challenge),
        "licences": LICENCES,
        "revision": revision,
        "referral": referral,
        "changes": changes,
    }


def _access_draft(user, pk):
    """The call, for its buyer's staff only (404 for anyone else, as if absent)."""
    challenge = queries.access_challenge(user=user, pk=pk)
    if not queries.is_buyer_staff(user, challenge):
        raise NotFound(_("Appel à communs introuvable."))
    return challenge


@portal_login_required
@portal_errors
def call_edit(request, pk):
    """The draft's editor. Saved as a whole (call, lots, resources, grid) in one
    transaction; the rules of the referral are shown, not required, until then."""
    challenge = _access_draft(request.user, pk)
    autosave = request.method == "POST" and request.POST.get("autosave") == "1"
    if challenge.status not in EDITABLE:
        if autosave:
            return JsonResponse(
                {"saved": False, "message": _("L'appel ne peut plus être modifié à cette étape.")},
                status=409,
            )
        messages.info(
            request,
            _("L'appel n'est plus modifiable : il est entre les mains de la Chambre ou publié."),
        )
        return redirect("portal:challenge", pk=challenge.pk)
    criteria = list(Criterion.objects.filter(grid__challenge=challenge).order_by("order", "pk"))
    editor = CallEditor(
        request.POST if request.method == "POST" else None, challenge=challenge, criteria=criteria
    )
    status = 200
    if request.method == "POST":
        status = 400
        if editor.is_valid():
            try:
                call_draft_save(challenge=challenge, actor=request.user, **editor.service_kwargs())
            except REFUSALS as exc:
                pairs, message, status = refusal_pairs(exc)
                editor.add_refusal(pairs, message)
            else:
                status = 200
        if autosave:
            return _autosave_answer(request, challenge, editor, status)
        if status == 200:
            messages.success(request, _("L'appel est enregistré."))
            return redirect("portal:call_edit", pk=challenge.pk)
    return render(
        request, "portal/space/call_edit.html", _context(challenge, editor), status=status
    )


def _autosave_answer(request, challenge, editor, status: int) -> JsonResponse:
    if status != 200:
        return JsonResponse(
            {
                "saved": False,
                "message": _(
                    "Brouillon non enregistré : %(count)s erreur(s) à corriger, "
                    "enregistrez avec le bouton pour les voir."
                )
                % {"count": max(editor.error_count(), 1)},
            },
            status=status,
        )
    challenge.refresh_from_db()
    context = _context(challenge, editor)
    return JsonResponse(
        {
            "saved": True,
            "message": _("Brouillon enregistré à %(time)s.")
            % {"time": date_format(timezone.localtime(), "H:i:s")},
            "preview": render_to_string(
                "portal/space/includes/call_preview.html", context, request=request
            ),
        }
    )

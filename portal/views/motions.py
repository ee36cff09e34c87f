"""The Chambre's motions and action plan: public once adopted; its contributors' group
files them, its modérateur decides them and follows the plan."""

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from kernel.errors import Forbidden, NotFound
from portal.errors import portal_errors
from portal.forms.community import ActionAddForm, ActionUpdateForm, DecisionForm, MotionForm
from portal.views.common import cleaned_data, submit
from procurement import queries
from procurement.models import Commons, MotionStatus, Organisation, OrganisationKind
from procurement.models.challenges import PUBLIC_STATUSES
from procurement.services import community


def _chambre(pk) -> Organisation:
    chambre = Organisation.objects.filter(kind=OrganisationKind.CHAMBRE, pk=pk).first()
    if chambre is None:
        raise NotFound(_("Chambre introuvable."), code="chambre_not_found")
    return chambre


@portal_errors
def motions(request, pk):
    """The Chambre's motions: the adopted ones and their plans for everyone, all of them
    for its members; the contributors' group files one here."""
    chambre = _chambre(pk)
    user = request.user
    contributor = queries.may_file_motion(user, chambre)
    form = None
    status = 200
    if contributor:
        form = MotionForm(
            request.POST if request.method == "POST" else None,
            commons=Commons.objects.order_by("name"),
            challenges=queries.challenges_visible_to(user).filter(
                chambre=chambre, status__in=PUBLIC_STATUSES
            ),
        )
    if request.method == "POST":
        if form is None:
            raise Forbidden(
                _("Seul le groupe des contributeurs de la Chambre dépose une motion."),
                code="not_allowed",
            )
        done, status = submit(
            request,
            form,
            community.motion_file,
            success_message=_("La motion est déposée ; le modérateur est prévenu."),
            success_url=reverse("portal:motions", args=[pk]),
            data=lambda f: f.service_kwargs(),
            actor=user,
            chambre=chambre,
        )
        if done:
            return done
    return render(
        request,
        "portal/chambre/motions.html",
        {
            "chambre": chambre,
            "motions": queries.motions_visible_to(user, chambre),
            "form": form,
        },
        status=status,
    )


@portal_errors
def motion(request, pk, motion_pk):
    """One motion: its text, the decision and its reason, the action plan and where each
    action stands. The modérateur decides a filed motion, then follows the plan."""
    chambre = _chambre(pk)
    motion = queries.access_motion(user=request.user, pk=motion_pk)
    if motion.chambre_id != chambre.pk:
        raise NotFound(_("Motion introuvable."), code="motion_not_found")
    user = request.user
    moderator = queries.may_moderate(user, chambre)
    action = request.POST.get("action") if request.method == "POST" else None
    url = reverse("portal:motion", args=[pk, motion.pk])
    if action and not moderator:
        raise Forbidden(
            _("Seul le modérateur de la Chambre statue sur les motions et suit le plan."),
            code="not_allowed",
        )
    decision_form = add_form = None
    update_forms = {}
    if moderator and motion.status == MotionStatus.FILED:
        decision_form = DecisionForm(
            request.POST if action == "decide" else None, prefix="decision"
        )
    if moderator and motion.status == MotionStatus.ADOPTED:
        add_form = ActionAddForm(request.POST if action == "add" else None, prefix="ajout")
        for row in motion.actions.all():
            posted = action == "update" and request.POST.get("row") == str(row.pk)
            update_forms[row.pk] = ActionUpdateForm(
                request.POST if posted else None,
                initial={"status": row.status, "due_date": row.due_date, "note": row.note},
                prefix=f"action-{row.pk}",
            )
    status = 200
    done = None
    if action == "decide" and decision_form is not None:
        done, status = submit(
            request,
            decision_form,
            community.motion_decide,
            success_message=_("La décision est enregistrée ; l'auteur de la motion est prévenu."),
            success_url=url,
            data=lambda f: f.service_kwargs(),
            actor=user,
            motion=motion,
        )
    elif action == "add" and add_form is not None:
        done, status = submit(
            request,
            add_form,
            community.motion_action_add,
            success_message=_("L'action est ajoutée au plan."),
            success_url=url,
            data=cleaned_data,
            actor=user,
            motion=motion,
        )
    elif action == "update":
        row = next((r for r in motion.actions.all() if str(r.pk) == request.POST.get("row")), None)
        if row is None or row.pk not in update_forms:
            raise NotFound(_("Action introuvable."), code="action_not_found")
        done, status = submit(
            request,
            update_forms[row.pk],
            community.motion_action_update,
            success_message=_("L'action est mise à jour."),
            success_url=url,
            data=cleaned_data,
            actor=user,
            action=row,
        )
    if done:
        return done
    return render(
        request,
        "portal/chambre/motion.html",
        {
            "chambre": chambre,
            "motion": motion,
            "decision_form": decision_form,
            "add_form": add_form,
            "rows": [(row, update_forms.get(row.pk)) for row in motion.actions.all()],
        },
        status=status,
    )

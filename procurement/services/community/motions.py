"""The Chambre's motions and action plan (seed 000): « le fonctionnement régulier de la
Chambre est organisé selon son plan d'action […]. Le suivi du plan d'action est assuré
par le Modérateur sur la base des motions issues du groupe contributeur »."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.errors import ApplicationError, WrongState
from kernel.guards import field_error, validated_save
from procurement.models import (
    ActionStatus,
    Challenge,
    Motion,
    MotionAction,
    MotionStatus,
    Role,
)
from procurement.queries import actions_overdue
from procurement.services.audit import audit_record
from procurement.services.common import require_member
from procurement.services.notifications.events import (
    notify_action_overdue,
    notify_motion_decided,
    notify_motion_filed,
)
from procurement.services.notifications.sending import PARIS


def _require_moderator(actor, motion: Motion) -> None:
    require_member(
        actor,
        motion.chambre,
        [Role.MODERATOR],
        message=_("Seul le modérateur de la Chambre statue sur les motions et suit le plan."),
    )


def _today() -> date:
    return timezone.now().astimezone(PARIS).date()


def _action_errors(item: dict, today: date) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not (item.get("title") or "").strip():
        errors["title"] = [_("Dites ce qu'il faut faire.")]
    if not (item.get("owner") or "").strip():
        errors["owner"] = [_("Nommez qui porte l'action.")]
    due = item.get("due_date")
    if due is None:
        errors["due_date"] = [_("Donnez une échéance.")]
    elif due < today:
        errors["due_date"] = [_("L'échéance d'une nouvelle action ne peut pas être passée.")]
    return errors


def _actions(items: list[dict]) -> list[MotionAction]:
    today = _today()
    errors = {str(i): e for i, item in enumerate(items) if (e := _action_errors(item, today))}
    if errors:
        raise ApplicationError(
            _("Certaines actions du plan ne sont pas valables."),
            code="invalid_action",
            extra={"fields": {"actions": errors}},
        )
    return [
        MotionAction(
            title=item["title"].strip(), owner=item["owner"].strip(), due_date=item["due_date"]
        )
        for item in items
    ]


def _audit(verb: str, actor, motion: Motion, obj, data: dict) -> None:
    # A motion about a call is chained with the call's trail; about a commons only, in
    # the global chain.
    audit_record(verb=verb, actor=actor, challenge=motion.challenge, obj=obj, data=data)


@transaction.atomic
def motion_file(*, actor, chambre, title: str, text: str, commons=None, challenge=None) -> Motion:
    """A member of the Chambre's contributors' group files a motion about a commons or
    a published call the Chambre follows (one of them at least). The modérateurs are told
    (``notify_motion_filed``). Audited (``motion.filed``)."""
    require_member(
        actor,
        chambre,
        [Role.CONTRIBUTEURS],
        message=_("Seul le groupe des contributeurs de la Chambre dépose une motion."),
    )
    if commons is None and challenge is None:
        message = _("Dites sur quel commun ou quel appel porte la motion.")
        raise ApplicationError(
            message,
            code="motion_about_nothing",
            extra={"fields": {"commons": [message], "challenge": [message]}},
        )
    if challenge is not None:
        challenge = Challenge.objects.get(pk=challenge.pk)  # its stage as it stands now
    if challenge is not None and challenge.chambre_id != chambre.pk:
        raise field_error(
            "challenge", _("Cet appel n'est pas suivi par cette Chambre."), "not_this_chambre"
        )
    if challenge is not None and not challenge.is_public:
        # An adopted motion is public: it may not name a call still unpublished (the
        # Chambre speaks on a draft through its referral and opinion).
        raise field_error(
            "challenge", _("Une motion porte sur un appel publié."), "challenge_not_public"
        )
    title, text = title.strip(), text.strip()
    if not title:
        raise field_error("title", _("Donnez un intitulé à la motion."), "required")
    if not text:
        raise field_error("text", _("Rédigez le texte de la motion."), "required")
    motion = Motion(
        chambre=chambre,
        commons=commons,
        challenge=challenge,
        title=title,
        text=text,
        filed_by=actor,
        filed_at=timezone.now(),
    )
    validated_save(motion)
    _audit(
        "motion.filed",
        actor,
        motion,
        motion,
        {
            "chambre": chambre.pk,
            "commons": commons.pk if commons else None,
            "challenge": challenge.pk if challenge else None,
            "title": title,
        },
    )
    notify_motion_filed(motion)
    return motion


@transaction.atomic
def motion_decide(
    *, actor, motion: Motion, adopted: bool, reason: str, actions: list[dict] | None = None
) -> Motion:
    """The modérateur adopts a filed motion, with its action plan (one action at least:
    what, who, by when), or rejects it; either way with a reason. A motion is decided
    once (409 after). Its author is told (``notify_motion_decided``); an adopted motion
    and its plan are public. Audited (``motion.decided``)."""
    _require_moderator(actor, motion)
    motion = Motion.objects.select_for_update().get(pk=motion.pk)
    if motion.status != MotionStatus.FILED:
        raise WrongState(_("Cette motion a déjà été examinée."), code="motion_decided")
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", _("Motivez la décision."), "required")
    actions = actions or []
    if adopted and not actions:
        raise field_error(
            "actions",
            _("Une motion adoptée porte un plan d'action : indiquez au moins une action."),
            "plan_required",
        )
    if not adopted and actions:
        raise field_error(
            "actions", _("Une motion rejetée n'a pas de plan d'action."), "no_plan_when_rejected"
        )
    rows = _actions(actions)
    motion.status = MotionStatus.ADOPTED if adopted else MotionStatus.REJECTED
    motion.decided_by = actor
    motion.decided_at = timezone.now()
    motion.decision_reason = reason
    validated_save(motion)
    for row in rows:
        row.motion = motion
        validated_save(row)
    _audit(
        "motion.decided",
        actor,
        motion,
        motion,
        {
            "status": motion.status,
            "reason": reason,
            "actions": [{"title": r.title, "owner": r.owner, "due_date": r.due_date} for r in rows],
        },
    )
    notify_motion_decided(motion)
    return motion


@transaction.atomic
def motion_action_add(*, actor, motion: Motion, title: str, owner: str, due_date) -> MotionAction:
    """The modérateur adds an action to an adopted motion's plan. Audited
    (``motion.action_added``)."""
    _require_moderator(actor, motion)
    motion = Motion.objects.select_for_update().get(pk=motion.pk)
    if motion.status != MotionStatus.ADOPTED:
        raise WrongState(
            _("Seule une motion adoptée a un plan d'action."), code="motion_not_adopted"
        )
    (row,) = _actions([{"title": title, "owner": owner, "due_date": due_date}])
    row.motion = motion
    validated_save(row)
    _audit(
        "motion.action_added",
        actor,
        motion,
        row,
        {"title": row.title, "owner": row.owner, "due_date": row.due_date},
    )
    return row


@transaction.atomic
def motion_action_update(
    *,
    actor,
    action: MotionAction,
    status: str | None = None,
    note: str | None = None,
    due_date=None,
    owner: str | None = None,
) -> MotionAction:
    """The modérateur follows the plan: where an action stands (planned, in progress,
    done, abandoned), a note, a new due date or owner. Audited
    (``motion.action_updated``)."""
    _require_moderator(actor, action.motion)
    action = MotionAction.objects.select_for_update().select_related("motion").get(pk=action.pk)
    if status is not None:
        if status not in ActionStatus.values:
            raise field_error("status", _("État d'action inconnu."), "invalid_choice")
        action.status = status
    if note is not None:
        action.note = note.strip()
    if due_date is not None:
        action.due_date = due_date
    if owner is not None:
        if not owner.strip():
            raise field_error("owner", _("Nommez qui porte l'action."), "required")
        action.owner = owner.strip()
    validated_save(action)
    _audit(
        "motion.action_updated",
        actor,
        action.motion,
        action,
        {
            "status": action.status,
            "due_date": action.due_date,
            "owner": action.owner,
            "note": action.note,
        },
    )
    return action


def motion_actions_overdue_notify(now=None) -> int:
    """Called by the periodic sweep: each action of an adopted motion still planned or
    in progress past its due date (Paris time) is signalled to the Chambre's
    modérateurs, once per due date (a new due date, once overdue, is signalled again).
    Returns the number of new notifications."""
    today = (now or timezone.now()).astimezone(PARIS).date()
    return sum(notify_action_overdue(action) for action in actions_overdue(today))

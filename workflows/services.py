"""Process-level writes: start a challenge's process, claim, unclaim, release and
complete its human tasks, cancel it. viewflow's transitions check no permission: these do.

Each human step is a ``Step`` node (``workflows/flows.py``) that validates the task's
data and makes its one call; the call and the viewflow transition run under the
process lock in one transaction, so a refused completion leaves nothing behind.
"""

import logging
from contextlib import contextmanager

from django.db import transaction
from django.utils.translation import gettext as _
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.status import STATUS

from kernel.errors import ApplicationError, Forbidden, WrongState
from procurement.models import (
    Amendment,
    Challenge,
    DeadlineKind,
    DeadlineNotice,
    OpinionSubject,
    Role,
)
from procurement.queries import OPINION_ROLES, STAFF_ROLES, is_member, referrals_due
from procurement.services.amendments import challenge_amend, require_amendable
from procurement.services.audit import audit_record
from procurement.services.challenges import challenge_cancel, challenge_create
from procurement.services.deadlines import challenge_extend_deadline
from procurement.services.opinions import referral_expire
from scoring.services import DEFAULT_GRID, grid_set
from workflows.documents import dce_request
from workflows.flows import ChallengeFlow
from workflows.models import ChallengeProcess
from workflows.nodes import Actor

logger = logging.getLogger(__name__)

OPEN_STATUSES = [STATUS.NEW, STATUS.ASSIGNED]


def node_name(task) -> str:
    return task.flow_task.name


def _claimable(task) -> bool:
    """A step of an organisation's role, that any of its members may take and give back
    (not a task the flow assigned to one person)."""
    acts = getattr(task.flow_task, "acts", None)
    return acts is not None and acts.claimable


def can_act(user, task) -> bool:
    """May ``user`` complete ``task`` (ignoring who holds it)?"""
    if user is None or not user.is_authenticated:
        return False
    acts = getattr(task.flow_task, "acts", None)
    challenge = task.process.challengeprocess.challenge
    if acts == Actor.BUYER:
        return is_member(user, challenge.buyer, STAFF_ROLES)
    if acts == Actor.CHAMBRE:
        return is_member(user, challenge.chambre, OPINION_ROLES)
    return task.owner_id == user.pk


@transaction.atomic
def process_start(
    *, actor, criteria: list[dict] | None = None, **challenge_fields
) -> ChallengeProcess:
    """Create a challenge (with the default grid unless ``criteria`` is given) and start
    its process: the buyer's drafting task is the first step."""
    challenge = challenge_create(actor=actor, **challenge_fields)
    grid_set(challenge=challenge, actor=actor, criteria=criteria or DEFAULT_GRID)
    ChallengeFlow.start.run(challenge=challenge)
    return ChallengeProcess.objects.get(challenge=challenge)


def _run_locked(task, func):
    try:
        with ChallengeFlow.lock(task.process_id):
            task.refresh_from_db()
            return func(task.flow_task.activation_class(task))
    except FlowLockFailed:
        raise WrongState(_("Le processus est occupé, réessayez."), code="locked") from None


@contextmanager
def process_locked(challenge):
    """Hold the challenge's process lock (yields the process, or None without one)."""
    process = ChallengeProcess.objects.filter(challenge=challenge).first()
    if process is None:
        yield None
        return
    try:
        with ChallengeFlow.lock(process.pk):
            yield process
    except FlowLockFailed:
        raise WrongState(_("Le processus est occupé, réessayez."), code="locked") from None


def timer_reschedule(process, step: str, when) -> int | None:
    """Move the waiting timer of ``step`` to ``when`` (call under the process lock); the
    pk of the task moved, or None when that timer is not waiting yet (it will read the
    challenge's deadline when it starts)."""
    task = process.task_set.filter(
        flow_task=getattr(ChallengeFlow, step), status=STATUS.SCHEDULED
    ).first()
    if task is None:
        return None
    type(task).objects.filter(pk=task.pk).update(scheduled=when)
    return task.pk


# The timer node that waits for each deadline the buyer may extend.
DEADLINE_TIMERS = {
    DeadlineKind.POSITIONING: "positioning",
    DeadlineKind.PROPOSALS: "proposals",
    DeadlineKind.EXPLORATION: "exploration",
}


@transaction.atomic
def deadline_extend(
    *, actor, challenge: Challenge, which: str, new_deadline, notice: str
) -> DeadlineNotice:
    """Extend a published deadline (procurement's rules:
    ``procurement.services.deadlines.challenge_extend_deadline``) and move the process's
    timer of that stage to it, both under the process lock: a sweep running at the same
    moment either fires at the old deadline before the extension, or at the new one."""
    with process_locked(challenge) as process:
        challenge.refresh_from_db()
        published = challenge_extend_deadline(
            actor=actor, challenge=challenge, which=which, new_deadline=new_deadline, notice=notice
        )
        if process is not None and which in DEADLINE_TIMERS:
            moved = timer_reschedule(process, DEADLINE_TIMERS[which], published.new_deadline)
            if moved is not None:
                audit_record(
                    verb="process.timer_moved",
                    actor=actor,
                    challenge=challenge,
                    obj=published,
                    data={
                        "step": DEADLINE_TIMERS[which],
                        "task": moved,
                        "to": published.new_deadline,
                    },
                )
    return published


@transaction.atomic
def call_amend(
    *,
    actor,
    challenge: Challenge,
    summary: str,
    substantial: bool = False,
    new_proposal_deadline=None,
    context: str | None = None,
    lot_estimates: dict | None = None,
) -> Amendment:
    """The buyer changes its published call (``procurement.services.amendments``): the
    consultation documents are generated again in Celery once committed (new versions,
    the old ones kept), every positioned partner and subscriber is told, and a
    substantial change requires a later proposal deadline, extended through
    ``deadline_extend`` (which moves the timer) with the summary as its notice.
    Nothing is written if any part is refused; who may change the call, and when, is
    checked before what is asked (``require_amendable``)."""
    require_amendable(challenge=challenge, actor=actor)
    if substantial and new_proposal_deadline is None:
        raise ApplicationError(
            _("Une modification substantielle reporte la date limite des propositions."),
            code="deadline_required",
            extra={
                "fields": {
                    "new_proposal_deadline": [
                        _("Fixez une nouvelle date limite des propositions, plus tardive.")
                    ]
                }
            },
        )
    amendment = challenge_amend(
        challenge=challenge,
        actor=actor,
        summary=summary,
        substantial=substantial,
        context=context,
        lot_estimates=lot_estimates,
    )
    if substantial:
        deadline_extend(
            actor=actor,
            challenge=challenge,
            which=DeadlineKind.PROPOSALS,
            new_deadline=new_proposal_deadline,
            notice=_("Modification substantielle du dossier de consultation : %(summary)s")
            % {"summary": amendment.summary},
        )
    dce_request(challenge=challenge, actor=actor)
    return amendment


def _challenge_of(task) -> Challenge:
    return Challenge.objects.select_related("buyer", "chambre").get(process__pk=task.process_id)


def task_claim(*, actor, task):
    """Take a claimable task: 403 if the actor may not act on it, 409 if it is held."""

    def claim(activation):
        if not can_act(actor, activation.task):
            raise Forbidden(_("Cette tâche ne relève pas de votre rôle."), code="not_your_task")
        if activation.task.status not in OPEN_STATUSES:
            raise WrongState(_("Cette tâche n'est plus ouverte."), code="task_closed")
        if activation.task.owner_id not in (None, actor.pk):
            raise WrongState(_("Une autre personne a déjà pris cette tâche."), code="task_held")
        if activation.task.owner_id is None:
            activation.assign(actor)
            audit_record(
                verb="task.claimed",
                actor=actor,
                challenge=_challenge_of(activation.task),
                data={"task": activation.task.pk, "step": node_name(activation.task)},
            )
        return activation.task

    return _run_locked(task, claim)


def task_unclaim(*, actor, task):
    """Give a claimed task back to the pool (not a task assigned by the flow itself)."""

    def unclaim(activation):
        if activation.task.status != STATUS.ASSIGNED:
            raise WrongState(_("Cette tâche n'est pas prise."), code="task_not_held")
        if activation.task.owner_id != actor.pk:
            raise Forbidden(
                _("Seule la personne qui a pris la tâche peut la rendre."), code="not_holder"
            )
        if not _claimable(activation.task):
            raise WrongState(
                _("Cette tâche vous est attribuée nominativement."), code="personal_task"
            )
        activation.unassign()
        audit_record(
            verb="task.unclaimed",
            actor=actor,
            challenge=_challenge_of(activation.task),
            data={"task": activation.task.pk, "step": node_name(activation.task)},
        )
        return activation.task

    return _run_locked(task, unclaim)


def task_release(*, actor, task, reason: str):
    """An administrator of the organisation a step belongs to gives back to the pool a
    task someone else holds — when its holder is away or has left — with a reason."""

    def release(activation):
        current = activation.task
        name = node_name(current)
        if not _claimable(current):
            raise WrongState(
                _("Cette tâche est attribuée nominativement par le processus."),
                code="personal_task",
            )
        challenge = _challenge_of(current)
        organisation = (
            challenge.buyer if current.flow_task.acts == Actor.BUYER else challenge.chambre
        )
        if not is_member(actor, organisation, [Role.ADMIN]):
            raise Forbidden(
                _("Seul un administrateur de l'organisation libère une tâche prise par un autre."),
                code="not_admin",
            )
        if current.status != STATUS.ASSIGNED:
            raise WrongState(_("Cette tâche n'est pas prise."), code="task_not_held")
        if not reason.strip():
            raise ApplicationError(
                _("Indiquez pourquoi la tâche est libérée."),
                code="reason_required",
                extra={"fields": {"reason": [_("Ce champ est obligatoire.")]}},
            )
        holder = current.owner_id
        activation.unassign()
        audit_record(
            verb="task.released",
            actor=actor,
            challenge=challenge,
            data={"task": current.pk, "step": name, "holder": holder, "reason": reason.strip()},
        )
        return current

    return _run_locked(task, release)


def task_complete(*, actor, task, data: dict):
    """Complete a human task with its data, through its handler's service.

    403 if the actor may not act on it, 409 if it is no longer open or someone else
    holds it, 400 (from the handler) if the data is wrong — and then nothing changed.
    """

    def complete(activation):
        current = activation.task
        if not can_act(actor, current):
            raise Forbidden(_("Cette tâche ne relève pas de votre rôle."), code="not_your_task")
        if current.status not in OPEN_STATUSES:
            raise WrongState(_("Cette tâche n'est plus ouverte."), code="task_closed")
        if current.owner_id not in (None, actor.pk):
            raise WrongState(_("Une autre personne a pris cette tâche."), code="task_held")
        challenge = _challenge_of(current)
        with transaction.atomic():
            if current.owner_id is None:
                activation.assign(actor)
            activation.start(None)
            current.flow_task.run(challenge=challenge, actor=actor, data=data)
            activation.execute()
            audit_record(
                verb="task.completed",
                actor=actor,
                challenge=challenge,
                data={"task": current.pk, "step": node_name(current)},
            )
        return current

    return _run_locked(task, complete)


def referrals_expire_due() -> int:
    """Past the Chambre's delay, the process goes on without its opinion: the referral
    records that none was given in time and the Chambre's open step is completed (by
    nobody). Run by the sweep; safe to run twice."""
    expired = 0
    for referral in referrals_due():
        node = "call_opinion" if referral.subject == OpinionSubject.CALL else "selection_opinion"
        process = ChallengeProcess.objects.filter(challenge=referral.challenge_id).first()
        task = (
            process.task_set.filter(
                flow_task=getattr(ChallengeFlow, node), status__in=OPEN_STATUSES
            ).first()
            if process is not None
            else None
        )
        if task is None:
            continue

        def expire(activation, referral=referral):
            if activation.task.status not in OPEN_STATUSES:
                return None
            with transaction.atomic():
                if referral_expire(referral=referral) is None:
                    return None
                if activation.task.status == STATUS.NEW:
                    activation.assign(None)
                activation.start(None)
                activation.execute()
                audit_record(
                    verb="task.expired",
                    challenge=referral.challenge,
                    data={"task": activation.task.pk, "step": node_name(activation.task)},
                )
            return activation.task

        try:
            if _run_locked(task, expire) is not None:
                expired += 1
        except ApplicationError:  # one stuck referral must not stop the sweep
            logger.exception("Referral %s could not expire", referral.pk)
    return expired


@transaction.atomic
def process_cancel(*, actor, challenge: Challenge, reason: str) -> Challenge:
    """Cancel a challenge before award: its open tasks and timers are cancelled, the
    reason is published."""
    challenge_cancel(challenge=challenge, actor=actor, reason=reason)
    process = ChallengeProcess.objects.filter(challenge=challenge).first()
    if process is not None:
        ChallengeFlow.instance.cancel(process)
    return challenge

"""Reads of processes and tasks, scoped by the caller in the query itself."""

from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from kernel.errors import NotFound
from procurement.models import Position, Referral
from procurement.models.opinions import OPEN_REFERRAL
from procurement.queries import (
    OPINION_ROLES,
    STAFF_ROLES,
    next_deadline,
    org_ids,
    referred_to_chambre_of,
)
from scoring.services.votes import vote_planned
from workflows.flows import ChallengeFlow
from workflows.models import ChallengeProcess
from workflows.nodes import Actor
from workflows.services import OPEN_STATUSES


def _nodes(acts: Actor) -> list:
    """The human steps of the flow on which ``acts`` acts, as declared on their nodes."""
    return [node for node in ChallengeFlow.instance.nodes() if getattr(node, "acts", None) == acts]


def _eligible_q(user, prefix: str = "") -> Q:
    """Tasks the user's role entitles it to (whoever holds them)."""
    challenge = f"{prefix}process__challengeprocess__challenge__"
    return (
        Q(**{f"{prefix}owner": user})
        | Q(
            **{
                f"{prefix}flow_task__in": _nodes(Actor.BUYER),
                f"{challenge}buyer__in": org_ids(user, STAFF_ROLES),
            }
        )
        | Q(
            **{
                f"{prefix}flow_task__in": _nodes(Actor.CHAMBRE),
                f"{challenge}chambre__in": org_ids(user, OPINION_ROLES),
            }
        )
    )


def _open_referral_deadline() -> Subquery:
    """The deadline of the challenge's open referral (at most one is open at a time)."""
    return Subquery(
        Referral.objects.filter(
            challenge_id=OuterRef("process__challengeprocess__challenge_id"),
            status__in=OPEN_REFERRAL,
        )
        .order_by("-opened_at")
        .values("deadline")[:1]
    )


def tasks_visible_to(user) -> QuerySet[Task]:
    if user is None or not user.is_authenticated:
        return Task.objects.none()
    return (
        Task.objects.filter(flow_task_type="HUMAN")
        .filter(_eligible_q(user))
        .select_related("owner", "process__challengeprocess__challenge")
        .annotate(referral_deadline=_open_referral_deadline())
        .order_by("-created", "-id")
    )


def task_deadline(task):
    """The one deadline of a task, wherever it is shown (its page, the inbox, the API):
    on the Chambre's steps, the open referral's (``Referral.deadline``, the delay the
    sweep enforces); on the others, the call's next deadline."""
    if getattr(task.flow_task, "acts", None) == Actor.CHAMBRE:
        if hasattr(task, "referral_deadline"):
            return task.referral_deadline
        challenge = task.process.challengeprocess.challenge
        return (
            Referral.objects.filter(challenge=challenge, status__in=OPEN_REFERRAL)
            .order_by("-opened_at")
            .values_list("deadline", flat=True)
            .first()
        )
    return next_deadline(task.process.challengeprocess.challenge)


def _open_q() -> Q:
    """An open task: NEW or ASSIGNED, hence unfinished. ``finished IS NULL`` says the
    same of an open task and lets the database read the open tasks in order through
    their own index (``task_open_created``, migration workflows/0002) rather than sort
    them all."""
    return Q(status__in=OPEN_STATUSES, finished__isnull=True)


def tasks_actionable_by(user) -> QuerySet[Task]:
    """What the user can act on now: open, and held by nobody or by the user."""
    return tasks_visible_to(user).filter(_open_q()).filter(Q(owner__isnull=True) | Q(owner=user))


def tasks_actionable_scope(user) -> QuerySet[Task]:
    """``tasks_actionable_by`` bare: the same tasks in the same order, with nothing
    joined for display. What a list counts and cuts into pages: the count and the page's
    ids read the task and the links that scope it, never the call's wide row, so the
    work that grows with the user's tasks stays narrow (``tasks_rows`` then loads the
    page's twenty)."""
    if user is None or not user.is_authenticated:
        return Task.objects.none()
    # one filter() of one Q: each chained filter() copies the query, and the scope is
    # built on every request
    return Task.objects.filter(
        Q(flow_task_type="HUMAN")
        & _open_q()
        & _eligible_q(user)
        & (Q(owner__isnull=True) | Q(owner=user))
    ).order_by("-created", "-id")


@dataclass(frozen=True, slots=True)
class TaskRow:
    """A task as a list shows it (``api.processes.TaskRowSerializer``): read as values,
    no model instance for the task, its process, its call nor its owner."""

    id: int
    flow_task: Any
    status: str
    process_id: int
    challenge_id: int | None
    challenge_title: str | None
    owner: str | None
    created: datetime
    finished: datetime | None
    data: Any
    deadline: datetime | None


# What ``next_deadline`` reads of a task's call, read with the task's row.
_CALL_DEADLINES = (
    "positioning_deadline",
    "proposal_deadline",
    "exploration_planned",
    "exploration_end",
    "cofunding_deadline",
)


def tasks_rows(ids: list[int]) -> list[TaskRow]:
    """The tasks ``ids`` (already scoped by the caller's query) in that order, each
    with its call, its owner and its deadline as ``task_deadline`` gives it: one query
    for a page."""
    challenge = "process__challengeprocess__challenge__"
    rows = (
        Task.objects.filter(pk__in=ids)
        .annotate(referral_deadline=_open_referral_deadline())
        .values(
            "id",
            "flow_task",
            "status",
            "process_id",
            "created",
            "finished",
            "data",
            "referral_deadline",
            "owner__username",
            f"{challenge}id",
            f"{challenge}title",
            *(challenge + name for name in _CALL_DEADLINES),
        )
    )
    by_id = {}
    for row in rows:
        if getattr(row["flow_task"], "acts", None) == Actor.CHAMBRE:
            deadline = row["referral_deadline"]
        else:
            deadline = next_deadline(
                SimpleNamespace(**{name: row[challenge + name] for name in _CALL_DEADLINES})
            )
        by_id[row["id"]] = TaskRow(
            id=row["id"],
            flow_task=row["flow_task"],
            status=row["status"],
            process_id=row["process_id"],
            challenge_id=row[f"{challenge}id"],
            challenge_title=row[f"{challenge}title"],
            owner=row["owner__username"],
            created=row["created"],
            finished=row["finished"],
            data=row["data"],
            deadline=deadline,
        )
    return [by_id[pk] for pk in ids if pk in by_id]


def open_task_of(challenge, steps: tuple[str, ...]) -> Task | None:
    """The challenge's open task on one of the human ``steps`` (by node name), if any."""
    nodes = [getattr(ChallengeFlow, name) for name in steps]
    return (
        Task.objects.filter(
            process__challengeprocess__challenge=challenge,
            flow_task__in=nodes,
            status__in=OPEN_STATUSES,
        )
        .order_by("-created", "-id")
        .first()
    )


def access_task(*, user, pk) -> Task:
    try:
        return tasks_visible_to(user).get(pk=pk)
    except (Task.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(_("Tâche introuvable."), code="task_not_found") from None


def processes_visible_to(user) -> QuerySet[ChallengeProcess]:
    """The buyer's staff see their challenges' processes, the Chambre's members those of
    the calls referred to it (not a draft before its referral); evaluators and
    positioned partners see the processes they take part in."""
    if user is None or not user.is_authenticated:
        return ChallengeProcess.objects.none()
    takes_part = Exists(Task.objects.filter(process_id=OuterRef("pk"), owner=user))
    positioned = Exists(
        Position.objects.filter(
            resource__challenge_id=OuterRef("challenge_id"), organisation__in=org_ids(user)
        )
    )
    return (
        ChallengeProcess.objects.filter(
            Q(challenge__buyer__in=org_ids(user, STAFF_ROLES))
            | referred_to_chambre_of(user, "challenge_id")
            | takes_part
            | positioned
        )
        .select_related("challenge")
        .order_by("-created", "-id")
    )


def access_process(*, user, pk) -> ChallengeProcess:
    try:
        return processes_visible_to(user).get(pk=pk)
    except (ChallengeProcess.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound("Processus introuvable.", code="process_not_found") from None


def process_history(process) -> QuerySet[Task]:
    return process.task_set.select_related("owner").order_by("created", "id")


def timers_waiting(process) -> QuerySet[Task]:
    """The process's deadlines still to come (its scheduled timers: the end of the
    positions, of the proposals, of the cofunding, of the standstill), soonest first."""
    return process.task_set.filter(flow_task_type="TIMER", status=STATUS.SCHEDULED).order_by(
        "scheduled", "id"
    )


__all__ = [
    "STATUS",
    "TaskRow",
    "access_process",
    "access_task",
    "open_task_of",
    "processes_visible_to",
    "task_deadline",
    "tasks_actionable_by",
    "tasks_actionable_scope",
    "tasks_rows",
    "timers_waiting",
]


# The optional phases of the process, by the node names they add to the flow: a call
# that does not plan one never runs them, and its process chart leaves them out.
EXPLORATION_STEPS = frozenset(
    {"check_exploration", "start_exploration", "exploration", "decide_exploration", "check_proven"}
)
VOTE_STEPS = frozenset({"check_vote", "open_vote", "vote", "close_vote"})


def steps_not_planned(challenge) -> frozenset[str]:
    """The steps of the optional phases ``challenge`` does not plan: the exploration
    before cofunding and the collective vote (issue 21, seed 003)."""
    omitted: frozenset[str] = frozenset()
    if not challenge.exploration_planned:
        omitted |= EXPLORATION_STEPS
    if not vote_planned(challenge):
        omitted |= VOTE_STEPS
    return omitted

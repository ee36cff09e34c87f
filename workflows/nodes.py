"""Our own flow nodes, on top of viewflow's free edition.

- ``Step``: a human step declared once, on its node: its title, who acts, the data it
  takes, the one call it makes, and its portal page (template and form). The task API,
  the portal, the inbox and the process chart all read the step from its node.
- ``DynamicSplit``: a parallel split that creates one task per item of a data source
  (one scoring task per evaluator), each with ``task.data`` set to its item.
- ``CeleryJob``: a ``Handle`` that, once created, is run by a Celery worker after the
  transaction commits (in the embedded default, by the process's local worker threads,
  never in the request that created it: ``config/local_worker.py``). It stays NEW until
  the job succeeds, so a lost message or a killed worker is retried by the periodic
  sweep (``workflows.tasks.sweep``).
"""

from collections.abc import Callable
from enum import StrEnum
from typing import Any

from django.db import transaction
from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.activation import Activation
from viewflow.workflow.nodes.handle import HandleActivation
from viewflow.workflow.nodes.split import SplitActivation

from workflows.views import task_redirect


class Actor(StrEnum):
    """Who may act on a human step."""

    BUYER = "buyer"  # any agent of the call's buyer (STAFF_ROLES); claimable
    CHAMBRE = "chambre"  # the Chambre's members who issue opinions (OPINION_ROLES); claimable
    ASSIGNED = "assigned"  # only the person the flow assigned the task to

    @property
    def claimable(self) -> bool:
        return self is not Actor.ASSIGNED


class Step(flow.View):
    """A human step of the process, declared once.

    ``title``: what the inbox, the task page and the chart call it; ``acts``: who may act
    (``Actor``); ``data``: the DRF serializer of the data that completes it; ``call``: the
    one operation it runs with that data (``this.method`` of the flow, called with
    ``challenge``, ``actor`` and the validated fields); ``template`` and ``form``: the
    portal's page for it (the form by dotted path, so the process does not import the
    portal that sits above it). Tasks are done in the portal or through the task API,
    never in viewflow's own views (``task_redirect``).
    """

    def __init__(
        self,
        *,
        title,
        acts: Actor,
        data,
        call,
        template: str,
        form: str,
        description: str = "",
    ):
        super().__init__(task_redirect)
        self.Annotation(title=title, description=description)
        self.acts = acts
        self.data = data
        self.template = template
        self.form = form
        self._call: Callable[..., Any] | Any = call

    def _resolve(self, instance):
        super()._resolve(instance)
        self._call = this.resolve(instance, self._call)

    def validate(self, data) -> dict:
        """The step's data, validated by its serializer (400 naming the field)."""
        serializer = self.data(data=data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def run(self, *, challenge, actor, data) -> None:
        """Validate ``data`` and make the step's call with it."""
        self._call(challenge=challenge, actor=actor, **self.validate(data))


class DynamicSplitActivation(SplitActivation):
    @Activation.status.super()
    def activate(self):
        for node, data_source in self.flow_task._sources:
            for item in data_source(self):
                self.next_tasks.append((node, item))
        if not self.next_tasks:
            for node, _ in self.flow_task._sources:
                self.next_tasks.append((node, {}))


class DynamicSplit(flow.Split):
    activation_class = DynamicSplitActivation

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._sources = []

    def Each(self, node, data_source):
        """Create one ``node`` task per item returned by ``data_source(activation)``."""
        self._activate_next.append((node, None, None))
        self._sources.append((node, data_source))
        return self

    def _resolve(self, instance):
        super()._resolve(instance)
        self._sources = [
            (this.resolve(instance, node), this.resolve(instance, source))
            for node, source in self._sources
        ]


class CeleryJobActivation(HandleActivation):
    @Activation.status.super()
    def activate(self):
        if self.flow_task._queued is not None:
            self.flow_task._queued(self)
        task_pk = self.task.pk
        transaction.on_commit(lambda: _enqueue(task_pk))


def _enqueue(task_pk: int) -> None:
    # Imported here: the Celery task module imports these nodes (the sweep re-enqueues
    # lost CeleryJob tasks), so a module-level import would be a cycle.
    from workflows.tasks import run_job

    run_job.delay(task_pk)


class CeleryJob(flow.Handle):
    """A step done in the background by a Celery worker (see module docstring).

    ``queued(activation)``, if given, runs when the step is created, in the transaction
    that created it (the request or the sweep that moved the process here): what shows
    the job as waiting before any worker takes it. ``work(task)`` runs first in the
    worker, outside the process lock, and may commit as it goes (progress shows, a killed
    worker loses at most the piece under way); it must be idempotent. Then
    ``func(activation)`` runs under the lock and the flow moves on.
    """

    activation_class = CeleryJobActivation

    def __init__(self, func=None, work=None, queued=None, **kwargs):
        super().__init__(func, **kwargs)
        self._work = work
        self._queued = queued

    def _resolve(self, instance):
        super()._resolve(instance)
        self._work = this.resolve(instance, self._work)
        if self._queued is not None:
            self._queued = this.resolve(instance, self._queued)

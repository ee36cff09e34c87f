"""Our own flow nodes, on top of viewflow's free edition.

- ``DynamicSplit``: a parallel split that creates one task per item of a data source
  (one scoring task per evaluator), each with ``task.data`` set to its item.
- ``CeleryJob``: a ``Handle`` that, once created, is run by a Celery worker after the
  transaction commits. It stays NEW until the job succeeds, so a lost message or a
  killed worker is retried by the periodic sweep (``workflows.tasks.sweep``).
"""

from django.db import transaction
from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.activation import Activation
from viewflow.workflow.nodes.handle import HandleActivation
from viewflow.workflow.nodes.split import SplitActivation


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
        task_pk = self.task.pk
        transaction.on_commit(lambda: _enqueue(task_pk))


def _enqueue(task_pk: int) -> None:
    from workflows.tasks import run_job

    run_job.delay(task_pk)


class CeleryJob(flow.Handle):
    """A step done in the background by a Celery worker (see module docstring).

    ``work(task)`` runs first, outside the process lock, and may commit as it goes
    (progress shows, a killed worker loses at most the piece under way); it must be
    idempotent. Then ``func(activation)`` runs under the lock and the flow moves on.
    """

    activation_class = CeleryJobActivation

    def __init__(self, func=None, work=None, **kwargs):
        super().__init__(func, **kwargs)
        self._work = work

    def _resolve(self, instance):
        super()._resolve(instance)
        self._work = this.resolve(instance, self._work)

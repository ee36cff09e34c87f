"""Celery application.

Embedded default (no ``CELERY_BROKER_URL``): tasks run eagerly, in the caller's
process, with errors propagated — except the ``background`` ones (the document jobs),
which a local pool of threads runs once the caller committed, so that no web request
renders a pack (``config/local_worker.py``). Production: a Redis (or RabbitMQ) broker
and workers; deadlines are *not* Celery countdowns — the periodic ``sweep`` task
advances whatever is due from the database.
"""

import os

from celery import Celery
from celery import Task as CeleryTask
from celery.result import EagerResult
from celery.utils import uuid

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


class Task(CeleryTask):
    """Our tasks' base. ``background = True`` (``@shared_task(background=True)``): in the
    embedded default, run by the local worker rather than inside the caller."""

    background = False

    def apply_async(self, args=None, kwargs=None, task_id=None, *rest, **options):
        from django.conf import settings

        threads = getattr(settings, "LOCAL_WORKER_THREADS", 0)
        if self.background and self.app.conf.task_always_eager and threads > 0:
            from config.local_worker import local_worker

            local_worker.submit(self, args or (), kwargs or {}, threads=threads)
            # Nothing reads a result (no result backend): a pending one says "handed over".
            return EagerResult(task_id or uuid(), None, "PENDING", name=self.name)
        return super().apply_async(args, kwargs, task_id, *rest, **options)


app = Celery("communs", task_cls=Task)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

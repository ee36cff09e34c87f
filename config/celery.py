"""Celery application.

Embedded default (no ``CELERY_BROKER_URL``): tasks run eagerly, in the caller's
process, with errors propagated. Production: a Redis (or RabbitMQ) broker and
workers; deadlines are *not* Celery countdowns — the periodic ``sweep`` task
advances whatever is due from the database.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("communs")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

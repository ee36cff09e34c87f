"""The one way a bench starts Django on a database of its own: production settings on a
SQLite file in the bench's temporary directory, DEBUG off (DEBUG keeps every query in
memory), no broker (Celery runs in the process, the document jobs too: inline, not in
the local worker's threads, so a bench's set-up is done when it measures). A bench never
touches a database it did not create."""

from __future__ import annotations

import os
from pathlib import Path


def configure_django(workdir: Path, **environment: str) -> None:
    """Point the settings at ``workdir`` (its ``bench.sqlite3`` and ``media``), add the
    bench's own ``environment``, then set Django up."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
            "MEDIA_ROOT": str(workdir / "media"),
            "SECRET_KEY": "bench-only-not-a-secret",
            "DEBUG": "0",
            "CELERY_BROKER_URL": "",
            "LOCAL_WORKER_THREADS": "0",
            "SITE_URL": "https://communs.example.fr",
            **environment,
        }
    )
    import django

    django.setup()

"""The one way a bench starts Django on a database of its own: production settings on a
SQLite file in the bench's temporary directory, DEBUG off (DEBUG keeps every query in
memory), no broker (Celery runs in the process). A bench never touches a database it did
not create."""

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
            "SITE_URL": "https://communs.example.fr",
            **environment,
        }
    )
    import django

    django.setup()

"""Run the service as production runs it: ``config.settings`` in a child process, with
the environment an operator sets (and none of the test settings' relaxations)."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
# What the test runner's environment may hold that production's would not.
# What the test process's environment may carry that a production process would not: the
# browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for the whole session once they have run.
DROPPED = (
    "DEBUG",
    "TESTING",
    "SECURE_",
    "SESSION_COOKIE_",
    "CSRF_COOKIE_",
    "STORAGE_",
    "S3_",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


def production_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(DROPPED)}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "DEBUG": "0",
            "ALLOWED_HOSTS": "communs.example.org",
            "CELERY_BROKER_URL": "",
        }
    )
    env.update(extra)
    return env


def manage(*args: str, env: dict[str, str], timeout: int = 180) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 — our own interpreter and manage.py, fixed arguments
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def python(code: str, *, env: dict[str, str], timeout: int = 60) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 — our own interpreter, code written by the test
        [PYTHON, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )

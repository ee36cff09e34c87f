"""Test settings: the real settings with a throwaway secret, a fast hasher, locmem e-mail,
eager Celery (errors propagate; the document jobs inline too, not in the embedded
default's local worker, so a test sees them done), plain HTTP and static files read in
place.
``DATABASE_URL``/``CELERY_BROKER_URL`` still choose the database and broker, so the same
suite runs on PostgreSQL and Redis."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret")

from .settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# A worker process started by a test shares the test's media folder through MEDIA_ROOT.
MEDIA_ROOT = os.environ.get("MEDIA_ROOT") or tempfile.mkdtemp(prefix="communs-media-")
# The document jobs run inline, in the test, rather than in the local worker's threads;
# tests/workflows/test_local_worker.py turns the worker on.
LOCAL_WORKER_THREADS = 0
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}  # noqa: F405
# Plain HTTP between Django and the test client or the browser tests' live server; the
# production values are checked by tests/config (check --deploy, gunicorn).
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = False
# Static files read where they lie, as in DEBUG: no collectstatic before the tests.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The journeys jump days and weeks between two requests of one person: their sessions and
# tokens outlive the jump. The production lifetimes (10 h, 8 h) are tested on their own
# (tests/config/test_lockout.py, tests/api/test_tokens.py), which set them back.
SESSION_COOKIE_AGE = 366 * 24 * 3600
API_TOKEN_TTL_HOURS = 366 * 24.0

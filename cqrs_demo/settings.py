"""Settings read from the environment (twelve-factor); safe defaults for local use."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent.parent

# Development: a local, git-ignored .env (`make run` writes one) fills in what the environment does not set;
# real environment variables always win. ENV_FILE names another file, or none when empty (the test suite).
# The Docker image has no .env (.dockerignore), so production reads only its real environment.
ENV_FILE = os.environ.get("ENV_FILE", ".env")
if ENV_FILE:
    load_dotenv(BASE_DIR / ENV_FILE, override=False)


def env_bool(name: str, default: bool = False) -> bool:
    """Read a yes/no flag the way people write them in .env files."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated list, ignoring blanks."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. In production set SECRET_KEY in the environment; "
            "for local development run `make run` once (it writes .env with DEBUG=1 and a local key)."
        )
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
PORT = int(os.environ.get("PORT", "9000"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tables2",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks_db",
    "axes",
    "products",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything that uses the database (the session too): what this request saved, for honest 503s.
    "cqrs_demo.outcome.RequestWritesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "cqrs_demo.middleware.ReadYourWritesMiddleware",
    # After the session and the user: a read waits (bounded) for the projectors to pass the caller's own event.
    "cqrs_demo.freshness.ReadYourOwnWritesMiddleware",
    "cqrs_demo.middleware.RequestLogMiddleware",
    "cqrs_demo.security.AxesMiddleware",
    "cqrs_demo.resilience.RequestSizeLimitMiddleware",
    "cqrs_demo.resilience.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "cqrs_demo.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # The template tags live with the web UI (products/web/templatetags), not in an app's
            # top-level templatetags package, so they are named here; templates {% load %} them as before.
            "libraries": {
                "inventory": "products.web.templatetags.inventory",
                "row_fragments": "products.web.templatetags.row_fragments",
            },
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
            ],
        },
    },
]

WSGI_APPLICATION = "cqrs_demo.wsgi.application"

# Database: DATABASE_URL, or an embedded SQLite file when absent.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")), conn_health_checks=True
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            "OPTIONS": {
                # Take the write lock at BEGIN so concurrent writers queue instead of failing.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }

# Scale-out: a read replica takes the read-model queries (see cqrs_demo/db_router.py).
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **dj_database_url.parse(
            DATABASE_REPLICA_URL, conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")), conn_health_checks=True
        ),
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["cqrs_demo.db_router.ReplicaRouter"]
# After a command, that user's requests read the primary for this long (covers replication lag).
REPLICA_PIN_SECONDS = int(os.environ.get("REPLICA_PIN_SECONDS", "5"))


DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
# The currency prices and stock values are in (an ISO 4217 code, shown beside amounts).
CURRENCY = os.environ.get("CURRENCY", "EUR")
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
            if env_bool("STATIC_MANIFEST", not DEBUG)  # needs collectstatic; tests and DEBUG skip it
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# The ledger and stock per location are fed by checkpointed projectors (products/read/projectors/).
# In process (the default: tests, `runserver` alone) the bus runs their catch-up right after each command
# commits; set PROJECTORS_IN_PROCESS=0 where `manage.py run_projectors` runs them (make run, compose).
PROJECTORS_IN_PROCESS = env_bool("PROJECTORS_IN_PROCESS", True)
# /healthz answers 503 when a projector is stopped or further behind than this (positions, or the oldest
# unapplied event's age in seconds).
PROJECTOR_MAX_LAG_EVENTS = int(os.environ.get("PROJECTOR_MAX_LAG_EVENTS", "100000"))
PROJECTOR_MAX_LAG_SECONDS = float(os.environ.get("PROJECTOR_MAX_LAG_SECONDS", "60"))
# A page after your own command (or an API read with ?min_position=) waits at most this long for the projectors.
READ_YOUR_WRITES_WAIT = float(os.environ.get("READ_YOUR_WRITES_WAIT", "2"))
# Tell the projector workers at once when events are appended (PostgreSQL NOTIFY; SQLite workers poll).
NOTIFY_NEW_EVENTS = env_bool("NOTIFY_NEW_EVENTS", not PROJECTORS_IN_PROCESS)

# "fragments" holds rendered table rows (products/web/fragments.py). Keys carry each row's version and a digest
# of what it shows, so a per-process memory cache is never stale; old versions age out of the bound.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "row-fragments",
        "TIMEOUT": None,
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("FRAGMENT_CACHE_ENTRIES", "10000"))},
    },
}

# CSV imports commit (and report progress) every this many rows; small chunks keep clerks' commands
# from waiting long on the stats rows an import chunk holds.
IMPORT_CHUNK_ROWS = int(os.environ.get("IMPORT_CHUNK_ROWS", "50"))

# Production hardening: on unless DEBUG; TLS-specific parts need SECURE_SSL to be set.
SECURE_SSL = env_bool("SECURE_SSL", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_SSL
CSRF_COOKIE_SECURE = SECURE_SSL
SECURE_SSL_REDIRECT = SECURE_SSL and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # container and load-balancer probes speak plain HTTP
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if SECURE_SSL else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_SSL
SECURE_HSTS_PRELOAD = SECURE_SSL
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", False) else None
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# Bodies: forms and JSON up to MAX_REQUEST_BYTES, file uploads up to MAX_UPLOAD_BYTES; more is a 413
# (cqrs_demo.resilience).
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("MAX_REQUEST_BYTES", str(2_621_440)))
MAX_UPLOAD_BYTES = int(os.environ.get("MAX_UPLOAD_BYTES", str(20 * 1024 * 1024)))

# Login throttling (django-axes): a username+address pair is locked after repeated failures, for a cool-off.
# cqrs_demo.auth loads the session user with groups and permissions in one query (sessions from before it
# named django.contrib.auth's ModelBackend: those users log in again once).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "cqrs_demo.auth.OneQueryModelBackend"]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = int(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "cqrs_demo.security.lockout_response"
# Our AxesMiddleware is axes' own, subclassed to see lockouts on DRF requests; its check wants the name.
SILENCED_SYSTEM_CHECKS = ["axes.W002"]
# Behind PROXY_COUNT reverse proxies that each append to X-Forwarded-For, the client is that many places from
# the right; anything further left was written by the client and is ignored. No proxy: REMOTE_ADDR only.
PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "1" if env_bool("BEHIND_PROXY", False) else "0"))
if PROXY_COUNT:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    AXES_IPWARE_PROXY_ORDER = "right-most"
    AXES_IPWARE_PROXY_COUNT = PROXY_COUNT - 1 or None  # python-ipware counts only the proxies in the header
    IPWARE_STRICT = False
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

# Built-in Content Security Policy: no inline scripts, nothing from other origins.
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
    "base-uri": ["'self'"],
    "object-src": ["'none'"],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# REST API (/api/): token first, so a request without credentials gets 401 + WWW-Authenticate, not 403.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "products.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Inventory API",
    "DESCRIPTION": (
        "Products and stock, CQRS-shaped: GET endpoints answer from read models; POST/PUT/PATCH/DELETE run "
        "commands that answer with no data (201 + Location for a create, 204 otherwise). Log in with "
        "`Authorization: Token <token>` (POST /api/auth/token/ or `manage.py drf_create_token <user>`) or a "
        "session. Every error is JSON: {code, message, errors}. Send an Idempotency-Key to make retries safe."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SCHEMA_PATH_PREFIX": "/api/",
    # Separate request components, so they carry input rules (minLength...) the responses do not.
    "COMPONENT_SPLIT_REQUEST": True,
    # Import kinds and movement kinds are both called `kind`: name the import one explicitly.
    "ENUM_NAME_OVERRIDES": {
        "ImportKindEnum": "products.imports.models.ImportKind",
        "StatusEnum": "products.read.tables.StockStatus",
        "ReservationStatusEnum": "products.read.tables.ReservationState",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "products.api.schema.allow_empty_optional_query_values",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No validator badge: it would call validator.swagger.io.
    # No deep links: Swagger UI puts them inside the operation buttons (axe-core: nested-interactive).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False, "validatorUrl": None, "displayOperationId": False},
}

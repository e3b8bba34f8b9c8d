"""Settings for Stats Service, read from the environment (see README and .env.example)."""

from __future__ import annotations

import ipaddress
import re
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from statsservice import envfile
from statsservice.env import env_bool, env_float, env_int, env_list, env_str, use_file

BASE_DIR = Path(__file__).resolve().parent.parent
# The local configuration file (ENV_FILE, default .env; written by the first dev run): read for
# what the environment does not set, so manage.py works in a plain shell and from cron.
ENV_FILE = envfile.path()
use_file(envfile.read(ENV_FILE))
VAR_DIR = Path(env_str("VAR_DIR") or str(BASE_DIR / "var"))

# --- Core -----------------------------------------------------------------------------------
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off: export it, or write SECRET_KEY=… in "
            f"{ENV_FILE or 'the file named by ENV_FILE'}. For development, `scripts/dev.sh run` "
            "writes that file (DEBUG=1 and a generated SECRET_KEY)."
        )
    # DEBUG without a configuration file: a fresh key per process (remote tokens stored by one
    # process are unreadable by the next; the file written by `scripts/dev.sh run` avoids it).
    SECRET_KEY = secrets.token_urlsafe(50)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
FORCE_SCRIPT_NAME = env_str("FORCE_SCRIPT_NAME") or None
USE_X_FORWARDED_HOST = env_bool("USE_X_FORWARDED_HOST", False)

# --- TLS-related switches, off by default so plain HTTP on 127.0.0.1 works -------------------
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# The API is never redirected (MONARC drops bodies on 301/302), whatever SECURE_SSL_REDIRECT says.
SECURE_REDIRECT_EXEMPT = [r"^api/"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Applications ---------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "statsservice",
    "clients",
    "stats",
    "sharing",
    "dashboard",
    # After sharing, whose `crontab` command (failing loudly without cron) replaces this one's.
    "django_crontab",
]

MIDDLEWARE = [
    "statsservice.middleware.CollapseSlashesMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "statsservice.middleware.MonarcVersionMiddleware",
    "statsservice.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its 429.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "statsservice.urls"
WSGI_APPLICATION = "statsservice.wsgi.application"

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
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
# Connections are kept (one per gunicorn worker): a new PostgreSQL connection forks a backend
# whose caches start cold, which cost every request several milliseconds. Health checks drop a
# connection the server closed (restart, idle timeout) before it is reused.
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DB_CONN_MAX_AGE", 600, minimum=0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # WAL and IMMEDIATE transactions let gunicorn workers write without "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
# Streaming replicas of the PostgreSQL primary (hot standbys): the public dashboard reads its
# figures from them, everything else stays on the primary (statsservice/routers.py).
DATABASE_REPLICA_URLS = env_list("DATABASE_REPLICA_URLS")
for _index, _url in enumerate(DATABASE_REPLICA_URLS):
    _replica = dj_database_url.parse(
        _url, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"], conn_health_checks=True
    )
    if {_replica["ENGINE"], DATABASES["default"]["ENGINE"]} != {"django.db.backends.postgresql"}:
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URLS are PostgreSQL streaming replicas of a PostgreSQL DATABASE_URL."
        )
    # Belt and braces: even a URL that points at the primary by mistake gets no write from here.
    _options = dict(_replica.get("OPTIONS") or {})
    _options["options"] = f"{_options.get('options', '')} -c default_transaction_read_only=on"
    _replica["OPTIONS"] = _options
    # Tests run against the primary's test database: a replica is a copy of it.
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica_{_index}"] = _replica
DATABASE_ROUTERS = ["statsservice.routers.PublicReadRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Admin login: throttling (django-axes), password rules, one-time tokens -----------------
# django-axes counts failed admin logins in the database (every worker and host alike) per
# client address (statsservice.proxies: X-Forwarded-For only from trusted proxies); an address
# that failed ADMIN_LOGIN_FAILURE_LIMIT times is refused (429) for ADMIN_LOGIN_COOLOFF_MINUTES.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("ADMIN_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("ADMIN_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_CLIENT_IP_CALLABLE = "statsservice.proxies.request_address"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sessions live in the database, and so do messages: the admin shows a client's new token once
# in a message, which must never travel in a cookie (the cookie storage is signed, not
# encrypted). A message is deleted from the session once shown.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
# Only needed for `collectstatic` (e.g. to serve files from the reverse proxy instead).
STATIC_ROOT = env_str("STATIC_ROOT") or None
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").is_dir() else []
# Serve straight from installed packages, so production needs no collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- Request limits -------------------------------------------------------------------------
# A MONARC instance sends one POST a day with ~45 KB per analysis: 32 MiB fits ~700 analyses.
API_MAX_BODY_SIZE = env_int("API_MAX_BODY_SIZE", 32 * 1024 * 1024, minimum=1024)
API_MAX_JSON_DEPTH = env_int("API_MAX_JSON_DEPTH", 32, minimum=8)
API_MAX_BATCH_RECORDS = env_int("API_MAX_BATCH_RECORDS", 10_000, minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = API_MAX_BODY_SIZE

# --- REST framework -------------------------------------------------------------------------
REST_FRAMEWORK: dict[str, Any] = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["clients.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["statsservice.api.FastJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["statsservice.api.BoundedJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "statsservice.api.exception_handler",
    "UNAUTHENTICATED_USER": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Stats Service API",
    "DESCRIPTION": "Collects, aggregates and shares statistics about MONARC risk analyses.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- The service's own settings (names as in the original where they exist) -----------------
CLIENT_REGISTRATION_OPEN = env_bool("CLIENT_REGISTRATION_OPEN", True)
CLIENT_TOKEN_MIN_LENGTH = env_int("CLIENT_TOKEN_MIN_LENGTH", 16, minimum=8)
CLIENT_TOKEN_MAX_LENGTH = 256
ADMIN_EMAIL = env_str("ADMIN_EMAIL", "")
ADMIN_URL = env_str("ADMIN_URL", "")
INSTANCE_URL = env_str("INSTANCE_URL", "")
REMOTE_STATS_SERVER = env_str("REMOTE_STATS_SERVER", "https://dashboard.monarc.lu")
REMOTE_STATS_TOKEN = env_str("REMOTE_STATS_TOKEN", "")
MOSP_URL = env_str("MOSP_URL", "https://objects.monarc.lu")
MOSP_TOKEN = env_str("MOSP_TOKEN", "")
# MONARC releases older than this send payloads we do not understand; they get 426.
MONARC_MIN_VERSION = (2, 10, 2)
# Raw reads without dates cover this many months back from date_to (as the original).
STATS_DEFAULT_WINDOW_MONTHS = env_int("STATS_DEFAULT_WINDOW_MONTHS", 3, minimum=1)
# Clients' last_seen is written at most this often, to keep reads free of writes.
CLIENT_LAST_SEEN_INTERVAL = env_int("CLIENT_LAST_SEEN_INTERVAL", 60, minimum=0)

# --- Logging --------------------------------------------------------------------------------
LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# --- Sharing between instances (sharing app: push, pull, export/import, cron) ----------------
# Outbound HTTP (statsservice/http.py, for sharing and MOSP): timeouts in seconds, retry policy.
SHARING_HTTP_CONNECT_TIMEOUT = env_int("SHARING_HTTP_CONNECT_TIMEOUT", 5, minimum=1)
SHARING_HTTP_READ_TIMEOUT = env_int("SHARING_HTTP_READ_TIMEOUT", 60, minimum=1)
SHARING_HTTP_RETRIES = env_int("SHARING_HTTP_RETRIES", 4, minimum=0)
SHARING_HTTP_BACKOFF = env_int("SHARING_HTTP_BACKOFF", 1, minimum=0)
SHARING_HTTP_MAX_RETRY_AFTER = env_int("SHARING_HTTP_MAX_RETRY_AFTER", 60, minimum=0)
# The largest answer read from a remote (after gzip inflation); a pull page must fit.
SHARING_HTTP_MAX_ANSWER_BYTES = env_int(
    "SHARING_HTTP_MAX_ANSWER_BYTES", 64 * 1024 * 1024, minimum=1024
)
# How long a push, pull or withdrawal may run in all (then it stops, recorded failed).
SHARING_RUN_DEADLINE = env_int("SHARING_RUN_DEADLINE", 3600, minimum=1)
# Push: chunk bounds (keep them under the receiver's API_MAX_BATCH_RECORDS/API_MAX_BODY_SIZE),
# and how far before its cursor each push looks again (rows committed late, clock skew).
SHARING_PUSH_CHUNK_RECORDS = env_int("SHARING_PUSH_CHUNK_RECORDS", 500, minimum=1)
SHARING_PUSH_CHUNK_BYTES = env_int("SHARING_PUSH_CHUNK_BYTES", 4 * 1024 * 1024, minimum=1024)
SHARING_PUSH_OVERLAP = env_int("SHARING_PUSH_OVERLAP", 300, minimum=0)
SHARING_PULL_PAGE_SIZE = env_int("SHARING_PULL_PAGE_SIZE", 1000, minimum=1)
SHARING_PULL_MAX_PAGES = env_int("SHARING_PULL_MAX_PAGES", 1000, minimum=1)
# An import file is read whole into memory (a few times its uncompressed size): split big
# exports by dates.
SHARING_IMPORT_MAX_RECORDS = env_int("SHARING_IMPORT_MAX_RECORDS", 200_000, minimum=1)
# The largest import file, after gzip inflation.
SHARING_IMPORT_MAX_BYTES = env_int("SHARING_IMPORT_MAX_BYTES", 256 * 1024 * 1024, minimum=1024)
# A run's lock expires this long after its last sign of life (a killed run's lock on the same
# host is taken over at once).
SHARING_LOCK_TTL = env_int("SHARING_LOCK_TTL", 900, minimum=30)
# Key for the per-client remote tokens stored encrypted (default: derived from SECRET_KEY).
SHARING_TOKEN_KEY = env_str("SHARING_TOKEN_KEY", "")
# Cron (django-crontab: `manage.py crontab add|show|remove`). An empty schedule disables a job.
SHARING_PUSH_SCHEDULE = env_str("SHARING_PUSH_SCHEDULE", "30 2 * * *")
STATS_PURGE_CRON_ENABLED = env_bool("STATS_PURGE_CRON_ENABLED", False)
STATS_PURGE_SCHEDULE = env_str("STATS_PURGE_SCHEDULE", "0 4 1 * *")
CRONTAB_COMMAND_PREFIX = env_str("CRONTAB_COMMAND_PREFIX", "")
CRONTAB_COMMAND_SUFFIX = env_str("CRONTAB_COMMAND_SUFFIX", f">> {VAR_DIR / 'cron.log'} 2>&1")
CRONTAB_COMMENT = env_str("CRONTAB_COMMENT", "statsservice")
CRONTAB_LOCK_JOBS = True
# The crontab program (looked up on PATH); without one, `crontab add|show` fail and explain.
CRONTAB_EXECUTABLE = env_str("CRONTAB_EXECUTABLE", "crontab")
CRONJOBS = []
if SHARING_PUSH_SCHEDULE:
    CRONJOBS.append((SHARING_PUSH_SCHEDULE, "django.core.management.call_command", ["stats_push"]))
if STATS_PURGE_CRON_ENABLED and STATS_PURGE_SCHEDULE:
    # stats_purge comes from the retention feature; only referenced here, by name.
    CRONJOBS.append((STATS_PURGE_SCHEDULE, "django.core.management.call_command", ["stats_purge"]))

# --- Production readiness: maintenance, hardening, request logging (ops) --------------------
# `stats_purge` deletes records older than this many months unless --months is given.
STATS_PURGE_MONTHS = env_int("STATS_PURGE_MONTHS", 36, minimum=1)
# Failed X-API-KEY attempts allowed per client address, and per key prefix, before further
# failures get 429 (N/s, N/m, N/h or N/d; empty disables). A valid key always passes. Counted in
# the database (clients.AuthFailure), so every worker and host shares the count.
AUTH_FAILURE_RATE = env_str("AUTH_FAILURE_RATE", "20/m")
# Reverse proxies in front of the service: X-Forwarded-For is then read right to left, at most
# NUM_PROXIES hops, and only from the addresses (or networks) in TRUSTED_PROXIES
# (statsservice/proxies.py). 0: the socket address only, never a client-supplied header.
NUM_PROXIES = env_int("NUM_PROXIES", 0, minimum=0)
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", ["127.0.0.1", "::1"])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_proxy!r} is not an address.") from None
REST_FRAMEWORK["NUM_PROXIES"] = NUM_PROXIES
# Extra image sources allowed by the Content-Security-Policy of pages: by default the origin of
# the map tiles (MAP_TILE_URL, e.g. https://{s}.tile.example.org/{z}/{x}/{y}.png), if any.
_tiles = urlsplit(env_str("MAP_TILE_URL", "").replace("{s}", "*"))
CSP_IMG_HOSTS = env_list(
    "CSP_IMG_HOSTS", [f"{_tiles.scheme}://{_tiles.netloc}"] if _tiles.netloc else []
)
MIDDLEWARE.insert(0, "statsservice.request_log.RequestLogMiddleware")
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "statsservice.security.ContentSecurityPolicyMiddleware",
)
# The API's shared JSON errors (auth, parser, throttle, version gate) in the OpenAPI schema.
SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"] = [
    "drf_spectacular.hooks.postprocess_schema_enums",
    "statsservice.schema.add_error_responses",
    "dashboard.openapi.add_public_endpoints",
]
# PATCH bodies use the same component as PUT would: `is_sharing_enabled` is required there.
SPECTACULAR_SETTINGS["COMPONENT_SPLIT_PATCH"] = False
if FORCE_SCRIPT_NAME:
    _prefix = FORCE_SCRIPT_NAME.strip("/")
    # SecurityMiddleware matches request.path, which includes the prefix: without this the API
    # would be redirected to HTTPS under a prefix (and MONARC would drop the body).
    SECURE_REDIRECT_EXEMPT = [*SECURE_REDIRECT_EXEMPT, rf"^{re.escape(_prefix)}/api/"]
    # Django prefixes a relative STATIC_URL only once a request has set the script prefix, but
    # WhiteNoise and storages read it at start-up: spell the prefix out.
    STATIC_URL = f"/{_prefix}/static/"
# --- Public dashboard (dashboard app) -------------------------------------------------------
# A public figure is shown only when at least this many sharing clients contribute to it.
PUBLIC_MIN_CONTRIBUTORS = env_int("PUBLIC_MIN_CONTRIBUTORS", 3, minimum=1)
# ... and only when no single one of them makes up more than this share of its sum.
PUBLIC_MAX_DOMINANCE = env_float("PUBLIC_MAX_DOMINANCE", 0.8, minimum=0.01, maximum=1.0)
# Public results are cached per endpoint and parameters under a key that changes when stats or
# clients change (read from the database, so every worker sees it); this TTL is the backstop.
PUBLIC_CACHE_TTL = env_int("PUBLIC_CACHE_TTL", 600, minimum=1)
# Largest `days` accepted by the public JSON endpoints.
PUBLIC_MAX_DAYS = env_int("PUBLIC_MAX_DAYS", 1830, minimum=1)
# Map tiles (e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png); empty: markers without tiles.
MAP_TILE_URL = env_str("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = env_str("MAP_TILE_ATTRIBUTION", "")
# Threats and vulnerabilities link to their page on MOSP, MONARC's object sharing platform.
MOSP_URL = env_str("MOSP_URL", "https://objects.monarc.lu").rstrip("/")
# AGPL-3.0 section 13: every page offers the source of the running service from here.
SOURCE_URL = env_str("SOURCE_URL", "https://github.com/monarc-project/stats-service").rstrip("/")
# Risk map bands, as MONARC's default thresholds of an analysis: a risk value (impact x
# likelihood) up to the first is low, up to the second medium, above it high.
RISK_THRESHOLDS_INFORMATIONAL = [
    int(v) for v in env_list("RISK_THRESHOLDS_INFORMATIONAL", ["4", "20"])
]
RISK_THRESHOLDS_OPERATIONAL = [int(v) for v in env_list("RISK_THRESHOLDS_OPERATIONAL", ["4", "8"])]
# plotly.min.js and Leaflet ship inside pip packages: served from there, no CDN, no npm.
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "dashboard.finders.PackageDataFinder",
]

"""Settings for the fact-checking desk, read from environment variables.

With nothing set the app runs "embedded": a SQLite file beside the code, Celery tasks executed
in-process, mail printed to the console. Set DATABASE_URL and REDIS_URL to run on PostgreSQL
with a real Celery worker, as CI and production do. Every variable is documented in README.md.
A bad value stops the process at start with a message naming the variable.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from factcheck.env import env_bool, env_choice, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=True)

# A development key is only acceptable while DEBUG is on; production must provide its own.
_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY", default=_DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
if not DEBUG and (SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "SECRET_KEY must be a random string of at least 50 characters when DEBUG is off."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])


def _served_address() -> str:
    """The address `make run` serves, from the HOST and PORT it passes (127.0.0.1:8000)."""
    port = env_int("PORT", default=8000, minimum=1)
    host = env_str("HOST", default="") or "127.0.0.1"
    if any(ch.isspace() or ch in "/?#@" for ch in host) or port > 65535:
        raise ImproperlyConfigured(
            f"HOST and PORT must be a host name or address and a port; got {host!r}:{port}."
        )
    # Listening on every interface: a browser on this machine reaches it on the loopback.
    host = {"0.0.0.0": "127.0.0.1", "::": "::1", "[::]": "::1"}.get(host, host)  # noqa: S104
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address in a URL
    return f"http://{host}:{port}"


# The address links in e-mails, invitations and ClaimReview point at; unset, the address
# `make run` serves, so those links work out of the box on a development machine.
SITE_URL = (env_str("SITE_URL", default="") or _served_address()).rstrip("/")

INSTALLED_APPS = [
    "claims.apps.OperatorAdminConfig",  # django.contrib.admin, for superusers only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "axes",
    "csp",
    # Two-factor sign-in: authenticator-app codes (TOTP) and single-use recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "claims",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before anything reads a request body: 413 from its declared length (claims/middleware.py).
    "claims.middleware.RequestBodyLimitMiddleware",
    # request.user.is_verified(): did this session give a second factor?
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "claims.middleware.HtmxMessagesMiddleware",
    # Sends sessions that still owe a second factor to enrolment or to the code step.
    "claims.two_factor.TwoFactorMiddleware",
    # Last, as django-axes asks, so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "factcheck.urls"
WSGI_APPLICATION = "factcheck.wsgi.application"

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
                "claims.context_processors.workspaces",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
_database_url = env_str("DATABASE_URL", default="")
if _database_url:
    try:
        _db = dj_database_url.parse(_database_url, conn_max_age=60, conn_health_checks=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from exc
    if _db["ENGINE"] not in (
        "django.db.backends.postgresql",
        "django.db.backends.sqlite3",
    ):
        raise ImproperlyConfigured(
            "DATABASE_URL must point to PostgreSQL (postgres://...) or SQLite (sqlite:///...)."
        )
    DATABASES = {"default": _db}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", default=str(BASE_DIR / "db.sqlite3")),
            # Wait for a concurrent writer (web + in-process tasks) instead of failing at once.
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
USING_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Celery ---------------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", default="")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured("REDIS_URL must start with redis://, rediss:// or unix://.")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
# Without a broker, tasks run in the calling process: the embedded default.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
# Tests use their own queue so a development worker on the same Redis never takes their tasks.
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", default="celery")
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", default=300, minimum=10)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 5
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A lost worker must not leave a task invisible for the default hour.
# A task whose worker died unacknowledged is redelivered after this many seconds; it must be
# longer than the longest task, or a slow task would run twice (harmless, but wasteful).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int(
        "CELERY_VISIBILITY_TIMEOUT", default=CELERY_TASK_TIME_LIMIT + 60, minimum=1
    ),
    # How often a worker looks for such abandoned tasks (kombu's default is ~100 s).
    "unacked_restore_interval": env_int("CELERY_RESTORE_INTERVAL", default=30, minimum=1),
    "unacked_restore_throttle": 1,
    # A broker that vanishes must not hang a publish (and so a web request) forever.
    "socket_connect_timeout": 2,
    "socket_timeout": 10,
}
# Publishing must fail fast when Redis is down: the article is saved either way and the
# sweep below sends it once the broker is back.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# The sweep re-sends articles stuck in "queued" (the broker was down when they were saved)
# or in "running" longer than a task may run (their worker died). Beat runs it.
EXTRACTION_SWEEP_SECONDS = env_int("EXTRACTION_SWEEP_SECONDS", default=60, minimum=1)
EXTRACTION_STUCK_AFTER_SECONDS = env_int("EXTRACTION_STUCK_AFTER_SECONDS", default=120, minimum=1)
CELERY_BEAT_SCHEDULE = {
    "sweep-stuck-articles": {
        "task": "claims.tasks.sweep_stuck_articles",
        "schedule": float(EXTRACTION_SWEEP_SECONDS),
    }
}

# --- Cache ----------------------------------------------------------------------------------
# With Redis, one cache for every web and worker process: the health probe's last worker
# check, per-address rate limits, per-workspace fetch slots. Without it, per-process memory.
# Keys carry the queue name, so test runs (CELERY_QUEUE=factcheck-tests) and a development
# instance on the same Redis never share counters.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CELERY_TASK_DEFAULT_QUEUE,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "claims.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "claims.passwords.MaximumLengthValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Brute-force protection: lock a username+IP pair after repeated failures.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", default=5, minimum=1)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", default=15, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Behind reverse proxies, the client address is the X-Forwarded-For entry our own nearest
# proxy wrote (claims/client_ip.py); entries further left are the client's to invent.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", default=0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "claims.client_ip.client_ip"
AXES_USERNAME_CALLABLE = "claims.client_ip.client_username"
# Wrong second-factor codes are failed log-ins too (claims/two_factor.py); never store them.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code"]

# Two-factor sign-in (django-otp). A password step is good for this many seconds: after it,
# the code must come within that time or the user logs in again.
TWO_FACTOR_LOGIN_SECONDS = env_int("TWO_FACTOR_LOGIN_SECONDS", default=300, minimum=30)
# Wrong codes one log-in may try before its password step is thrown away (django-axes counts
# them as well, per user name and address, towards AXES_FAILURE_LIMIT).
TWO_FACTOR_CODE_ATTEMPTS = env_int("TWO_FACTOR_CODE_ATTEMPTS", default=3, minimum=1)
# The name authenticator apps show beside the account.
OTP_TOTP_ISSUER = env_str("TWO_FACTOR_ISSUER", default="Fact-check desk")
# The admin never shows a device's secret or QR code, not even to a superuser.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# --- Email ----------------------------------------------------------------------------------
EMAIL_HOST = env_str("EMAIL_HOST", default="")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", default=587, minimum=1)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", default="factcheck@localhost")

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Product limits -------------------------------------------------------------------------
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_MB", default=10, minimum=1) * 1024 * 1024
# Request bodies; claims/middleware.py answers 413 before anything reads a longer one. A
# signed-in member may send an upload and the form around it; anyone else a log-in form's
# worth, so a public page never spools megabytes to disk only to refuse them.
REQUEST_MAX_BYTES = UPLOAD_MAX_BYTES + 1024 * 1024
ANONYMOUS_REQUEST_MAX_BYTES = env_int("ANONYMOUS_REQUEST_MAX_KB", default=64, minimum=1) * 1024
# Form fields other than files: a pasted million characters, percent-encoded, fits.
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_MAX_BYTES
# A bigger upload goes to a temporary file while the request is read, not to memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Our forms have one file field.
DATA_UPLOAD_MAX_NUMBER_FILES = 1
# Uploads are parsed in the worker, in a child process with these hard limits
# (claims/ingest/sandbox.py); a file that needs more fails with a message saying so.
UPLOAD_PARSE_MEMORY_BYTES = env_int("UPLOAD_PARSE_MEMORY_MB", default=768, minimum=128) * 1024**2
UPLOAD_PARSE_SECONDS = env_int("UPLOAD_PARSE_SECONDS", default=60, minimum=1)
# Fetching an article by URL happens in the worker, never in a request.
FETCH_MAX_BYTES = env_int("FETCH_MAX_MB", default=5, minimum=1) * 1024 * 1024
FETCH_CONNECT_TIMEOUT = env_int("FETCH_CONNECT_TIMEOUT", default=5, minimum=1)
FETCH_TOTAL_TIMEOUT = env_int("FETCH_TOTAL_TIMEOUT", default=30, minimum=1)
# Never configurable from the environment: only tests that fetch from 127.0.0.1 turn it on.
FETCH_ALLOW_PRIVATE_ADDRESSES = False
# URL fetches one workspace may run at once; more wait in the queue (claims/ingest/fetch.py).
FETCH_CONCURRENCY_PER_WORKSPACE = env_int("FETCH_CONCURRENCY_PER_WORKSPACE", default=2, minimum=1)
# /healthz: requests per minute from one client address, and how long a worker check counts.
HEALTHZ_RATE_PER_MINUTE = env_int("HEALTHZ_RATE_PER_MINUTE", default=60, minimum=0)
HEALTH_WORKER_CHECK_SECONDS = env_int("HEALTH_WORKER_CHECK_SECONDS", default=10, minimum=1)

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", default=31_536_000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # The TLS-terminating proxy tells us the original scheme.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Scripts and styles come only from our own static files: no inline code, no eval (htmx is
# configured for that in base.html), no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    # django-axes logs every successful login at INFO; keep its warnings (lock-outs).
    "loggers": {"axes": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}},
    "root": {
        "handlers": ["console"],
        "level": env_choice(
            "LOG_LEVEL", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"]
        ),
    },
}

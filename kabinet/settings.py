"""Kabinet settings.

Every value comes from the environment through the typed helpers below; each variable
is documented in docs/configuration.md. With ``KABINET_DEBUG`` unset the portal runs
in production mode and refuses to start without its secrets.
"""

import os
import re
import sys
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envstr(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value in (None, "") else value


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean, got {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def envlist(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def required(name: str, value: str | None) -> str:
    if not value:
        raise ImproperlyConfigured(
            f"{name} is required in production mode (set KABINET_DEBUG=1 for the demo)"
        )
    return value


DEBUG = envbool("KABINET_DEBUG", False)
# Under pytest the settings are those of the tests (fast hashing, no secrets needed).
TESTING = envbool("KABINET_TESTING", "pytest" in sys.modules)
PRODUCTION = not DEBUG and not TESTING

if PRODUCTION:
    SECRET_KEY = required("KABINET_SECRET_KEY", envstr("KABINET_SECRET_KEY"))
    ALLOWED_HOSTS = envlist("KABINET_ALLOWED_HOSTS", [])
    required("KABINET_ALLOWED_HOSTS", ",".join(ALLOWED_HOSTS))
    DATABASE_URL = required("KABINET_DATABASE_URL", envstr("KABINET_DATABASE_URL"))
else:
    # Only the demo and the tests run without a secret: the key below is public.
    SECRET_KEY = envstr("KABINET_SECRET_KEY", "demo-only-insecure-key-never-use-in-production")
    ALLOWED_HOSTS = envlist("KABINET_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
    DATABASE_URL = envstr(
        "KABINET_DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'kabinet.sqlite3'}"
    )

VAR_DIR = Path(envstr("KABINET_VAR_DIR", str(BASE_DIR / "var")))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "ninja",  # serves the API docs' Swagger files itself (no CDN)
    "kabinet.core",
    "kabinet.identity",
    "kabinet.notifications",
    "kabinet.premises",
    "kabinet.customer_accounts",
    "kabinet.billing",
    "kabinet.payments",
    "kabinet.outages",
    "kabinet.news",
    "kabinet.appeals",
    "kabinet.metering",
    "kabinet.contracts",
    "kabinet.applications",
    "kabinet.integration",
    "kabinet.backoffice",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Production serves static files through WhiteNoise; the demo's runserver and the
    # tests' live server serve them from the apps' folders.
    *(["whitenoise.middleware.WhiteNoiseMiddleware"] if PRODUCTION else []),
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the messages: an ended session says why on the login page.
    "kabinet.identity.middleware.SessionPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "kabinet.urls"
# Form fields render through kabinet/templates/django/forms/, labelled and with their
# errors next to them.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
WSGI_APPLICATION = "kabinet.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "kabinet" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "kabinet.core.context_processors.utility",
                "kabinet.news.context_processors.news",
                "kabinet.notifications.context_processors.notices",
                "kabinet.appeals.context_processors.appeals",
                "kabinet.contracts.context_processors.contracts",
                "kabinet.applications.context_processors.applications",
            ],
        },
    },
]

DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one writer commits; IMMEDIATE takes the write lock
    # at BEGIN so two writers queue instead of failing half-way.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "identity.User"
AUTHENTICATION_BACKENDS = ["kabinet.identity.backends.KabinetBackend"]
LOGIN_URL = "identity:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "identity:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Hashing speed is not under test; keep the suite fast.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Sessions live in the database so that "sign out everywhere" can end them.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = envint("KABINET_REMEMBER_DAYS", 30) * 24 * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = envbool("KABINET_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = envint("KABINET_HSTS_SECONDS", 31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if envbool("KABINET_BEHIND_PROXY", False) else None
)
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = envlist("KABINET_CSRF_TRUSTED_ORIGINS", [])

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", "Русский"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "kabinet" / "locale"]
TIME_ZONE = envstr("KABINET_TIME_ZONE", "Europe/Moscow")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "kabinet" / "static"]
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
MEDIA_ROOT = VAR_DIR / "media"

CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": envstr("KABINET_CACHE_URL"),
        }
        if envstr("KABINET_CACHE_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# E-mail: the demo writes messages to files under var/mail; production uses SMTP.
EMAIL_BACKEND = envstr(
    "KABINET_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = envstr("KABINET_EMAIL_HOST", "localhost")
EMAIL_PORT = envint("KABINET_EMAIL_PORT", 25)
EMAIL_HOST_USER = envstr("KABINET_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envstr("KABINET_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("KABINET_EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = envint("KABINET_EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = envstr("KABINET_FROM_EMAIL", "Личный кабинет <no-reply@kabinet.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# SMS: the demo sender writes to var/sms; production names a real gateway.
KABINET_SMS_BACKEND = envstr("KABINET_SMS_BACKEND", "kabinet.notifications.sms.OutboxSmsSender")
KABINET_SMS_OUTBOX_DIR = envstr("KABINET_SMS_OUTBOX_DIR", str(VAR_DIR / "sms"))
KABINET_SMS_RU_API_ID = envstr("KABINET_SMS_RU_API_ID", "")
KABINET_SMS_SENDER_NAME = envstr("KABINET_SMS_SENDER_NAME", "")

# Электронная подпись актов сверки и счетов-фактур (docs/signing.md). Without the
# files the demo makes a self-signed test key under VAR_DIR/signing; production refuses.
KABINET_SIGNING_KEY_FILE = envstr("KABINET_SIGNING_KEY_FILE", None)
KABINET_SIGNING_CERT_FILE = envstr("KABINET_SIGNING_CERT_FILE", None)
KABINET_SIGNING_KEY_PASSPHRASE = envstr("KABINET_SIGNING_KEY_PASSPHRASE", None)

# Online payment: "test" (the demo's clearly marked test provider) or "yookassa".
KABINET_PAYMENT_PROVIDER = envstr("KABINET_PAYMENT_PROVIDER", "test")
KABINET_YOOKASSA_SHOP_ID = envstr("KABINET_YOOKASSA_SHOP_ID", "")
KABINET_YOOKASSA_SECRET_KEY = envstr("KABINET_YOOKASSA_SECRET_KEY", "")
# Refuse one payment above this (a typo like 4 123 456,00 instead of 4 123,45).
KABINET_PAYMENT_MAX_KOPECKS = envint("KABINET_PAYMENT_MAX_KOPECKS", 50_000_000)

# Обращения: files attached to appeals, kept outside the web root and served only
# through the portal's own view to the appeal's owner and staff.
KABINET_APPEAL_MAX_BYTES = envint("KABINET_APPEAL_MAX_BYTES", 10 * 1024 * 1024)
KABINET_APPEAL_UPLOADS_DIR = envstr(
    "KABINET_APPEAL_UPLOADS_DIR", str(VAR_DIR / "uploads" / "appeals")
)
# Files of the billing system uploaded for import, kept for the batch's re-runs.
KABINET_INTEGRATION_UPLOADS_DIR = envstr(
    "KABINET_INTEGRATION_UPLOADS_DIR", str(VAR_DIR / "uploads" / "integration")
)
# Files exported for the billing system (downloaded by staff through the portal).
KABINET_INTEGRATION_EXPORTS_DIR = envstr(
    "KABINET_INTEGRATION_EXPORTS_DIR", str(VAR_DIR / "exports" / "integration")
)
# Where the billing system drops its files for the daily refresh (003 §3.1), and the
# hour (local time) the refresh runs.
KABINET_INTEGRATION_INBOX_DIR = envstr(
    "KABINET_INTEGRATION_INBOX_DIR", str(VAR_DIR / "integration" / "inbox")
)
KABINET_INTEGRATION_REFRESH_HOUR = envint("KABINET_INTEGRATION_REFRESH_HOUR", 19)
if not 0 <= KABINET_INTEGRATION_REFRESH_HOUR <= 23:
    raise ImproperlyConfigured("KABINET_INTEGRATION_REFRESH_HOUR must be an hour, 0 to 23")
# Bearer tokens of the billing system for /api/integration/ (comma-separated); none: 404.
KABINET_INTEGRATION_TOKENS = envlist("KABINET_INTEGRATION_TOKENS", [])
# The largest file the billing system may send to that API, in megabytes (413 above it).
KABINET_INTEGRATION_MAX_FILE_MB = envint("KABINET_INTEGRATION_MAX_FILE_MB", 512)

# Rate limits of the HTTP API (/api/v1/), "<count>/<s|m|h|d>": per token (or per signed-in
# user), reads and writes apart; calls with no auth at all by IP address.
KABINET_API_RATE_READ = envstr("KABINET_API_RATE_READ", "600/m")
KABINET_API_RATE_WRITE = envstr("KABINET_API_RATE_WRITE", "60/m")
KABINET_API_RATE_ANON = envstr("KABINET_API_RATE_ANON", "30/m")
# API lists: at most this many items per page, and no offset past this (a 422 beyond).
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500
NINJA_PAGINATION_MAX_OFFSET = 1_000_000
for _name in ("KABINET_API_RATE_READ", "KABINET_API_RATE_WRITE", "KABINET_API_RATE_ANON"):
    if not re.fullmatch(r"[1-9]\d*/\d*(s|sec|m|min|h|hour|d|day)", globals()[_name] or ""):
        raise ImproperlyConfigured(f"{_name} must look like 600/m (count/s, m, h or d)")

# The utility this deployment serves: one of kabinet.core.utility_profiles.PROFILES.
KABINET_UTILITY = envstr("KABINET_UTILITY", "tek_spb")
# Comma-separated overrides of the profile's sign-up modes (e.g. "email,phone").
KABINET_SIGNUP_MODES = envlist("KABINET_SIGNUP_MODES", [])
# None keeps the profile's kinds of application; a list (even empty) replaces them.
KABINET_APPLICATION_KINDS = (
    envlist("KABINET_APPLICATION_KINDS", []) if "KABINET_APPLICATION_KINDS" in os.environ else None
)
KABINET_PUBLIC_URL = envstr("KABINET_PUBLIC_URL", "http://127.0.0.1:8000")

# Lock-out and throttling (see docs/configuration.md).
KABINET_LOCKOUT_ACCOUNT_FAILURES = envint("KABINET_LOCKOUT_ACCOUNT_FAILURES", 5)
KABINET_LOCKOUT_ADDRESS_FAILURES = envint("KABINET_LOCKOUT_ADDRESS_FAILURES", 20)
KABINET_LOCKOUT_MINUTES = envint("KABINET_LOCKOUT_MINUTES", 15)
KABINET_CODE_TTL_MINUTES = envint("KABINET_CODE_TTL_MINUTES", 15)
KABINET_CODE_MAX_ATTEMPTS = envint("KABINET_CODE_MAX_ATTEMPTS", 5)
KABINET_CODE_RESEND_SECONDS = envint("KABINET_CODE_RESEND_SECONDS", 60)
KABINET_CODES_PER_TARGET_PER_DAY = envint("KABINET_CODES_PER_TARGET_PER_DAY", 10)
KABINET_CODES_PER_ADDRESS_PER_HOUR = envint("KABINET_CODES_PER_ADDRESS_PER_HOUR", 30)
KABINET_EMAIL_LINK_DAYS = envint("KABINET_EMAIL_LINK_DAYS", 3)

# Celery: with no broker the embedded default runs every task in-process.
CELERY_BROKER_URL = envstr("KABINET_CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = envstr("KABINET_CELERY_RESULT_BACKEND", None)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_DEFAULT_QUEUE = envstr("KABINET_CELERY_QUEUE", "kabinet")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TIMEZONE = TIME_ZONE

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("KABINET_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.server": {"level": "WARNING" if TESTING else "INFO"},
        # In-process (eager) tasks would report every run on the demo's console.
        "celery.app.trace": {"level": "WARNING" if CELERY_TASK_ALWAYS_EAGER else "INFO"},
        "kombu.connection": {"level": "ERROR" if CELERY_TASK_ALWAYS_EAGER else "WARNING"},
    },
}

CELERY_BEAT_SCHEDULE = {
    "expire-issued-access": {"task": "identity.expire_issued_access", "schedule": 3600.0},
    "prune-throttle": {"task": "identity.prune_throttle", "schedule": 6 * 3600.0},
    "payments-reconcile": {"task": "payments.reconcile", "schedule": 600.0},
    "autopays": {"task": "payments.autopays", "schedule": crontab(hour=9, minute=0)},
    "readings-reminders": {
        "task": "metering.readings_window_remind",
        "schedule": crontab(hour=10, minute=0),
    },
    "news-notify-due": {"task": "kabinet.news.tasks.notify_due", "schedule": 600.0},
    "integration-refresh": {
        "task": "integration.refresh",
        "schedule": crontab(hour=KABINET_INTEGRATION_REFRESH_HOUR, minute=0),
    },
    "consumption-alerts": {
        "task": "metering.consumption_alerts",
        "schedule": crontab(hour=6, minute=0),
    },
    # Interval data: the monthly partitions three months ahead (PostgreSQL; a no-op on SQLite).
    "intervals-partitions": {
        "task": "metering.intervals_ensure_partitions",
        "schedule": crontab(day_of_month="1", hour=3, minute=0),
    },
}

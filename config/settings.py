"""Settings for ibc-portal, driven by environment variables only.

Development and production run the same code; production differs by
``DJANGO_ENV=production`` plus the variables it requires. See docs/deploy.md.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DJANGO_ENV = os.environ.get("DJANGO_ENV", "development")
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("DJANGO_ENV must be 'development' or 'production'.")
PRODUCTION = DJANGO_ENV == "production"
DEBUG = env_bool("DEBUG", default=False)


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. In production it must come from the environment "
            "(DJANGO_ENV=production); see docs/deploy.md."
        )
    # One key for every development process (web, worker, tests), kept out of git.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,[::1],testserver"
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production.")

SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", SITE_URL if PRODUCTION else "")

# Side apps ("plugins"). All are installed so their data and migrations always
# exist; PORTAL_PLUGINS decides which ones contribute URLs, navigation, pages
# and the rest of the plugin contract (see core/plugins.py).
ALL_PLUGINS = ["lms", "catalogue", "monitoring"]
PORTAL_PLUGINS = env_list("PORTAL_PLUGINS", ",".join(ALL_PLUGINS))
_unknown_plugins = set(PORTAL_PLUGINS) - set(ALL_PLUGINS)
if _unknown_plugins:
    raise ImproperlyConfigured(f"Unknown PORTAL_PLUGINS: {', '.join(sorted(_unknown_plugins))}")

INSTALLED_APPS = [
    "daphne",
    "core.apps.CoreConfig",
    "cms.apps.CmsConfig",
    "cms.consultations.apps.ConsultationsConfig",
    "cms.association.apps.AssociationConfig",
    "lms.apps.LmsConfig",
    "lms.courses.apps.CoursesConfig",
    "lms.quizzes.apps.QuizzesConfig",
    "lms.assignments.apps.AssignmentsConfig",
    "lms.certificates.apps.CertificatesConfig",
    "catalogue.apps.CatalogueConfig",
    "monitoring.apps.MonitoringConfig",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.settings",
    "wagtail.contrib.table_block",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "channels",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "core.context_processors.portal",
            ],
        },
    },
]

# Databases: SQLite under var/ by default, anything dj-database-url reads otherwise.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        # Persistent connections are unsafe under ASGI (one per request thread); opt in only
        # behind a pooler.
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
DATABASE_IS_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
FORMS_URLFIELD_ASSUME_HTTPS = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: cache, sessions and the channel layer when REDIS_URL is set.
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "ibc")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # redis-py 8 defaults to a 5 s socket timeout, which kills the
                # layer's blocking 5 s pop (channels_redis #422): disable it.
                "hosts": [{"address": REDIS_URL, "socket_timeout": None, "max_connections": 1000}],
                "prefix": f"{CACHE_KEY_PREFIX}:asgi",
                "capacity": 1000,
                "expiry": 60,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Background work. Immediate in the embedded default; the database backend
# with `manage.py db_worker` in production (TASKS_BACKEND=database).
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "database" if PRODUCTION else "immediate")
TASKS = {
    "default": {
        "BACKEND": {
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
            "database": "django_tasks_db.DatabaseBackend",
            "dummy": "django_tasks.backends.dummy.DummyBackend",
        }[TASKS_BACKEND]
    }
}

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:cabinet"
LOGOUT_REDIRECT_URL = "/"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3

# Login throttling (django-axes): a username+IP pair is locked after repeated failures.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Our login form posts the email as "username"; lower-case it so case variants of one
# address share a counter.
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "core.utils.axes_username"
AXES_LOCKOUT_TEMPLATE = "core/account/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "1" if PRODUCTION else "0")) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

# Internationalisation: Russian first, English complete.
LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "ru")
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Moscow")
USE_I18N = True
USE_TZ = True
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAIL_CONTENT_LANGUAGES = [("ru", _("Russian"))]

# Files.
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# The embedded default serves public media itself; behind nginx it does not.
# Files only permission-checked views hand out (submissions, consultation attachments).
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", VAR_DIR / "private"))
SERVE_MEDIA = env_bool("SERVE_MEDIA", default=not PRODUCTION)
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
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
PORTAL_CSV_MAX_BYTES = 5 * 1024 * 1024

# Email: console in development unless EMAIL_URL says otherwise.
EMAIL_URL = os.environ.get("EMAIL_URL", "")
if EMAIL_URL.startswith("smtp"):
    from urllib.parse import unquote, urlparse

    _mail = urlparse(EMAIL_URL)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _mail.hostname or "localhost"
    EMAIL_PORT = _mail.port or 25
    EMAIL_HOST_USER = unquote(_mail.username or "")
    EMAIL_HOST_PASSWORD = unquote(_mail.password or "")
    EMAIL_USE_TLS = EMAIL_URL.startswith("smtp+tls")
    EMAIL_USE_SSL = EMAIL_URL.startswith("smtps")
elif EMAIL_URL.startswith("file"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = EMAIL_URL.split("://", 1)[1] or str(VAR_DIR / "mail")
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ibc-portal <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security. Production runs behind a TLS-terminating reverse proxy.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Wagtail sets SAMEORIGIN itself on its preview responses; everything else is DENY.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
# W021: HSTS preload is the domain owner's irreversible decision (SECURE_HSTS_PRELOAD=1).
SILENCED_SYSTEM_CHECKS = env_list("SILENCED_SYSTEM_CHECKS", "security.W021")

# Wagtail.
WAGTAIL_SITE_NAME = "ИБЦ-портал"
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAIL_I18N_ENABLED = False
WAGTAILDOCS_EXTENSIONS = [
    "csv",
    "doc",
    "docx",
    "odt",
    "pdf",
    "ppt",
    "pptx",
    "rtf",
    "txt",
    "xls",
    "xlsx",
    "zip",
]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILSEARCH_BACKENDS = {
    "default": {
        # Picks the PostgreSQL full-text backend on PostgreSQL, the SQLite FTS
        # backend (or a fallback) elsewhere.
        "BACKEND": "wagtail.search.backends.database",
        "SEARCH_CONFIG": "russian" if DATABASE_IS_POSTGRES else None,
        "AUTO_UPDATE": True,
    }
}
WAGTAIL_PASSWORD_RESET_ENABLED = True
WAGTAILUSERS_PASSWORD_ENABLED = True

# Portal knobs.
# Files users upload (practices, consultation questions): bytes per file.
PORTAL_UPLOAD_MAX_SIZE = int(os.environ.get("PORTAL_UPLOAD_MAX_SIZE", 10 * 1024 * 1024))
PORTAL_UPLOAD_MAX_FILES = 5
# Days a consultation question may wait before the queue marks it overdue.
PORTAL_CONSULTATION_SLA_DAYS = int(os.environ.get("PORTAL_CONSULTATION_SLA_DAYS", "5"))
PORTAL_CONSENT_PURPOSES = ["personal_data", "mailing", "publish_name"]
PORTAL_EMAIL_CONFIRMATION_DAYS = 3

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
    },
}

# Live seminar room (lms.realtime); see CONTRACTS.md for the protocol.
PORTAL_SEMINAR_MESSAGE_MAX = int(os.environ.get("PORTAL_SEMINAR_MESSAGE_MAX", "1000"))
# A participant may post this many messages (and questions) per window; moderators are not limited.
PORTAL_SEMINAR_RATE_COUNT = int(os.environ.get("PORTAL_SEMINAR_RATE_COUNT", "5"))
PORTAL_SEMINAR_RATE_WINDOW = int(os.environ.get("PORTAL_SEMINAR_RATE_WINDOW", "10"))
# Participants may enter this many minutes before the start; staff at any time.
PORTAL_SEMINAR_OPENS_BEFORE = int(os.environ.get("PORTAL_SEMINAR_OPENS_BEFORE", "30"))
PORTAL_SEMINAR_HISTORY = 100
# Reconnects within this many seconds count as one continuous attendance.
PORTAL_SEMINAR_ATTENDANCE_GAP = 120

# Certificates (lms.certificates). Registration numbers: one sequence per kind and
# year; {year} and {seq} are filled in (e.g. ПК-2026-000123).
PORTAL_CERTIFICATE_NUMBER_PATTERNS = {
    "qualification": os.environ.get(
        "PORTAL_CERTIFICATE_PATTERN_QUALIFICATION", "ПК-{year}-{seq:06d}"
    ),
    "diploma": os.environ.get("PORTAL_CERTIFICATE_PATTERN_DIPLOMA", "ПП-{year}-{seq:06d}"),
    "study_record": os.environ.get(
        "PORTAL_CERTIFICATE_PATTERN_STUDY_RECORD", "СО-{year}-{seq:06d}"
    ),
    "participation": os.environ.get(
        "PORTAL_CERTIFICATE_PATTERN_PARTICIPATION", "СУ-{year}-{seq:06d}"
    ),
}
# Public verification (/verify/): lookups per client address and window (seconds).
PORTAL_VERIFY_RATE_LIMIT = int(os.environ.get("PORTAL_VERIFY_RATE_LIMIT", "30"))
PORTAL_VERIFY_RATE_WINDOW = int(os.environ.get("PORTAL_VERIFY_RATE_WINDOW", "60"))

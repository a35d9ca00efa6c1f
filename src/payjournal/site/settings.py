"""Django settings: a projection of :func:`payjournal.config.get_settings` (the one source)."""

from __future__ import annotations

import django_stubs_ext
from csp.constants import NONE, SELF

from payjournal.config import get_settings
from payjournal.private_files import private_dir
from payjournal.site.databases import database_settings
from payjournal.site.mail import mail_settings

# Django's generic classes take their type arguments at run time too (``ModelAdmin[Master]``).
django_stubs_ext.monkeypatch()

_s = get_settings()
private_dir(_s.data_dir)  # 0700: databases, secrets.env, mail files (payjournal/private_files.py)
(_s.data_dir / "static").mkdir(exist_ok=True)
assert _s.secret_key is not None

SECRET_KEY = _s.secret_key.get_secret_value()
PAYJOURNAL_TOKEN_KEYS = [key.get_secret_value() for key in _s.token_keys]
DEBUG = _s.debug
ALLOWED_HOSTS = _s.allowed_hosts

INSTALLED_APPS = [
    "payjournal.web",  # first: its registration/ templates win over the admin's
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "csp",
    "payjournal.tenancy",
    "payjournal.integrations",
    "payjournal.payroll",
    "payjournal.sending",
    "payjournal.api",
    "payjournal.catalog",
    "payjournal.preflight",
    "payjournal.notifications",
    "payjournal.live",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files: cached, above no-store
    "payjournal.site.middleware.NoStoreMiddleware",
    # a tab's question "did it change?", every second: answered before sessions and languages
    "payjournal.live.question.LiveQuestionMiddleware",
    "payjournal.api.errors.ApiProblemMiddleware",  # every /api/ error JSON (and not stored)
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "payjournal.catalog.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "payjournal.site.urls"
ASGI_APPLICATION = "payjournal.site.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "payjournal.tenancy.context.membership",
            ]
        },
    }
]

DATABASES = {
    "default": database_settings(
        _s.database(), conn_max_age=_s.db_conn_max_age, pool_size=_s.db_pool_size
    )
}
# One cache for every process (web, workers): the pre-flight's day-long reads of each Visma
# company live in the app database, so a month-end batch reads a company once, whichever
# worker sends its runs. ``createcachetable`` runs with the migrations.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "payjournal_cache",
        "OPTIONS": {"MAX_ENTRIES": 100_000, "CULL_FREQUENCY": 10},
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
CSRF_FAILURE_VIEW = "payjournal.site.errors.csrf_failure"
PAYJOURNAL_LOGIN_ATTEMPTS = _s.login_attempts
PAYJOURNAL_LOGIN_WINDOW_S = _s.login_window_s

# Cookies: our own names, so a Visma login on the same host (the demo emulator) cannot clash.
SESSION_COOKIE_NAME = "payjournal_session"
CSRF_COOKIE_NAME = "payjournal_csrftoken"
SESSION_COOKIE_SECURE = _s.secure_cookies
CSRF_COOKIE_SECURE = _s.secure_cookies
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"  # the OAuth callback is a top-level GET from Visma
SESSION_COOKIE_AGE = 8 * 3600
# HTTPS only from the first visit on, once a browser saw payjournal over HTTPS: on with secure
# cookies (production), off for plain HTTP (the demo). Django sends it on HTTPS answers only.
SECURE_HSTS_SECONDS = _s.hsts_seconds if _s.secure_cookies else 0
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if _s.public_url:
    CSRF_TRUSTED_ORIGINS = [_s.public_url.rstrip("/")]
PAYJOURNAL_PUBLIC_URL = _s.public_url
PAYJOURNAL_VISMA_PER_MINUTE = _s.visma_per_minute
# The one limit on an imported file: an upload, an API body, `runs import` (payroll/limits.py).
# Django's DATA_UPLOAD_MAX_MEMORY_SIZE stays its 2.5 MB cap on form fields: files and the API
# body do not count against it.
PAYJOURNAL_MAX_UPLOAD_BYTES = _s.max_upload_bytes
PAYJOURNAL_WORKER_CONCURRENCY = _s.worker_concurrency

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

# Mail: SMTP, the demo's mail directory, or nothing (then no password reset by e-mail); never
# the console, which would put reset links in the log (payjournal/site/mail.py).
_mail = mail_settings(_s)
globals().update(_mail.django_settings())  # EMAIL_BACKEND, EMAIL_HOST … by their Django names
PAYJOURNAL_PASSWORD_RESET_BY_MAIL = _mail.can_reset_by_mail
DEFAULT_FROM_EMAIL = _s.default_from_email
PAYJOURNAL_SUPPORT_CONTACT = _s.support_contact
PAYJOURNAL_RESET_REQUESTS_PER_ACCOUNT = _s.reset_requests_per_account
PAYJOURNAL_RESET_REQUESTS_PER_ADDRESS = _s.reset_requests_per_address
PAYJOURNAL_RESET_WINDOW_S = _s.reset_window_s
PAYJOURNAL_DEMO_MAILBOX = _s.demo_mailbox
PAYJOURNAL_WEBHOOK_BACKOFF_S = _s.webhook_backoff_s
PAYJOURNAL_WEBHOOK_BACKOFF_MAX_S = _s.webhook_backoff_max_s
PAYJOURNAL_WEBHOOK_ATTEMPTS = _s.webhook_attempts
PAYJOURNAL_WEBHOOK_DISABLE_AFTER = _s.webhook_disable_after
PAYJOURNAL_WEBHOOK_ALLOWED_NETWORKS = _s.webhook_allowed_networks
PAYJOURNAL_NOTIFICATIONS_KEEP_DAYS = _s.notifications_keep_days

STATIC_URL = "/static/"
STATIC_ROOT = str(_s.data_dir / "static")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # serve from the package: no collectstatic step for `serve`/`demo`

LANGUAGE_CODE = "en"
# The error catalog (payjournal/catalog/locale) is translated into these; a user picks one on
# their membership, else the browser's Accept-Language decides (LocaleMiddleware).
LANGUAGES = [("en", "English"), ("nl", "Nederlands"), ("sv", "Svenska")]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
# Dates and amounts per language (nl 26-11-2026 and 1.234,56; sv 2026-11-26 and 1 234,56).
FORMAT_MODULE_PATH = ["payjournal.catalog.formats"]
USE_TZ = True

VISMA_IDENTITY_URL = _s.visma_identity_url
VISMA_API_URL = _s.visma_api_url
VISMA_CLIENT_ID = _s.visma_client_id
VISMA_CLIENT_SECRET = _s.visma_client_secret.get_secret_value()
VISMA_FORCE_SELECT_COMPANY = _s.visma_force_select_company

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"fields": {"()": "payjournal.site.logformat.FieldsFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "fields"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"django.request": {"level": "ERROR"}, "httpx2": {"level": "WARNING"}},
}

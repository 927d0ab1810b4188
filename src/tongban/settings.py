"""Django settings. Everything a deployment changes comes from TONGBAN_* environment variables.

TONGBAN_MODE=embedded (default): SQLite in WAL mode, local-memory cache, Celery on an SQLite broker,
secrets generated into the data directory. TONGBAN_MODE=production: secrets must come from the
environment; point TONGBAN_DATABASE_URL at PostgreSQL and TONGBAN_REDIS_URL at Redis.
"""

import json
import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from tongban.config import (
    embedded_secrets,
    env,
    env_bool,
    env_int,
    env_list,
    production_secret,
)

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
DATA_DIR = Path(env("DATA_DIR", str(PROJECT_DIR / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

MODE = env("MODE", "embedded")
PRODUCTION = MODE == "production"
DEBUG = env_bool("DEBUG", False)

if PRODUCTION:
    SECRET_KEY = production_secret("SECRET_KEY", min_length=50)
    PII_KEYS = production_secret("PII_KEYS", min_length=40)
    PII_INDEX_KEY = production_secret("PII_INDEX_KEY", min_length=40)
    SMS_WEBHOOK_SECRET = production_secret("SMS_WEBHOOK_SECRET", min_length=16)
else:
    _generated = embedded_secrets(DATA_DIR)
    SECRET_KEY = env("SECRET_KEY") or _generated["secret_key"]
    PII_KEYS = env("PII_KEYS") or _generated["pii_keys"]
    PII_INDEX_KEY = env("PII_INDEX_KEY") or _generated["pii_index_key"]
    SMS_WEBHOOK_SECRET = env("SMS_WEBHOOK_SECRET") or _generated["sms_webhook_secret"]

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "oauth2_provider",
    "tongban.core",
    "tongban.accounts",
    "tongban.identity",
    "tongban.catalog",
    "tongban.exchange",
    "tongban.rules",
    "tongban.seals",
    "tongban.ocr",
    "tongban.notify",
    "tongban.applications",
    "tongban.workflow",
    "tongban.cases",
    "tongban.credit",
    "tongban.ratings",
    "tongban.bundles",
    "tongban.policies",
    "tongban.workorders",
    "tongban.hall",
    "tongban.supervision",
    "tongban.licences",
    "tongban.portal",
    "tongban.workbench",
    "tongban.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tongban.core.middleware.IdleExpirySessionMiddleware",
    "tongban.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tongban.core.middleware.RequestContextMiddleware",
    "tongban.core.middleware.OutOfRangeMiddleware",
]

ROOT_URLCONF = "tongban.urls"
WSGI_APPLICATION = "tongban.wsgi.application"

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
                "tongban.core.context_processors.platform",
                "tongban.notify.context_processors.inbox",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'tongban.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Connections are kept (TONGBAN_DB_CONN_MAX_AGE) as on PostgreSQL: opening one per request
    # and setting WAL on it cost the identity provider three quarters of its throughput.
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers and one writer work at once; IMMEDIATE takes the write lock up front, so
        # two writers queue instead of failing half-way with "database is locked".
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
IS_POSTGRES = DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql")
if IS_POSTGRES and env_bool("DB_PREPARED_STATEMENTS", True):
    # Server-side binding lets psycopg prepare a statement the second time a connection runs it,
    # so PostgreSQL parses and plans it once per connection instead of on every request. Planning
    # was half of PostgreSQL's CPU in the capacity benchmark (docs/sizing.md). Turn this off behind
    # PgBouncer in transaction mode without max_prepared_statements (PgBouncer < 1.21).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=2
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions, broker ----------------------------------------------------------------------
REDIS_URL = env("REDIS_URL")
if REDIS_URL and os.environ.get("PYTEST_XDIST_WORKER", "").startswith("gw"):
    # Parallel test processes (`make test` runs pytest-xdist) each have their own SQL test database
    # and flush the cache between tests: each gets its own Redis database too, worker gwN the
    # configured number minus N.
    _parts = urlsplit(REDIS_URL)
    _number = int(_parts.path.strip("/") or 0) - int(os.environ["PYTEST_XDIST_WORKER"][2:])
    REDIS_URL = _parts._replace(path=f"/{_number % 16}").geturl()
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "tongban.core.rediscache.RedisCache", "LOCATION": REDIS_URL}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "tongban_cache",
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Template fragments that depend only on the release and a few request facts (the portal's
# masthead and navigation): kept in each process's memory, which a new release starts afresh.
CACHES["fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "tongban-fragments",
    "TIMEOUT": None,
    "OPTIONS": {"MAX_ENTRIES": 1000},
}
SESSION_COOKIE_AGE = env_int("SESSION_MINUTES", 30) * 60
# Idle expiry: a request extends the session, written at most once a minute
# (core.middleware.IdleExpirySessionMiddleware).
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION and env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

BROKER_URL = (
    env("BROKER_URL") or REDIS_URL or f"sqla+sqlite:///{DATA_DIR / 'celery-broker.sqlite3'}"
)
CELERY_BROKER_URL = BROKER_URL
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True  # a task is only gone once it finished: a killed worker loses nothing
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_EAGER", False)
CELERY_BEAT_SCHEDULE = {
    "policies-incremental-run-nightly": {  # re-match whoever's shared data changed
        "task": "tongban.policies.incremental_run",
        "schedule": crontab(hour=2, minute=10),
    },
    "policies-expire-daily": {
        "task": "tongban.policies.expire_due",
        "schedule": crontab(hour=0, minute=5),
    },
    "cases-deemed-acceptance-daily": {
        "task": "tongban.cases.apply_deemed_acceptance",
        "schedule": crontab(hour=0, minute=30),
    },
    "cases-deferred-materials-daily": {
        "task": "tongban.cases.enforce_deferred_materials",
        "schedule": crontab(hour=0, minute=40),
    },
    "cases-follow-calendar-nightly": {  # safety net for a recount that could not be queued
        "task": "tongban.cases.follow_calendar",
        "schedule": crontab(hour=0, minute=20),
    },
    "cases-unanswered-corrections-daily": {
        "task": "tongban.cases.close_unanswered_corrections",
        "schedule": crontab(hour=0, minute=45),
    },
    "cases-deadline-warnings": {
        "task": "tongban.cases.raise_warnings",
        "schedule": crontab(minute=15),
    },
    "bundles-deadline-warnings": {
        "task": "tongban.bundles.raise_warnings",
        "schedule": crontab(minute=20),
    },
    "cases-instant-approval-sweep": {  # 智能秒批 checks whose queued message was lost
        "task": "tongban.cases.sweep_instant_approvals",
        "schedule": 60,
    },
    "intake-orphan-files-daily": {
        "task": "tongban.applications.sweep_orphan_files",
        "schedule": crontab(hour=3, minute=30),
    },
    "intake-pipeline-sweep": {
        "task": "tongban.applications.sweep_pipeline",
        "schedule": 60,
    },
    "catalog-flush-view-counts": {
        "task": "tongban.catalog.flush_view_counts",
        "schedule": 60,
    },
    "audit-chain-verify-nightly": {
        "task": "tongban.core.tasks.verify_audit_chain",
        "schedule": 24 * 3600,
    },
    "notify-retry-due-deliveries": {
        "task": "tongban.notify.tasks.retry_due_deliveries",
        "schedule": 60,
    },
    "ratings-rectification-warnings": {
        "task": "tongban.ratings.raise_rectification_warnings",
        "schedule": crontab(minute=20),
    },
    "licences-expire-daily": {
        "task": "tongban.licences.expire_due",
        "schedule": crontab(hour=0, minute=10),
    },
    "supervision-fold": {  # summary tables of the dashboards and the big screen
        "task": "tongban.supervision.fold",
        "schedule": 60,
    },
    "supervision-monitor-hourly": {  # 办件流程智能监测
        "task": "tongban.supervision.monitor",
        "schedule": crontab(minute=35),
    },
    "supervision-monthly-reports": {  # last month's reports, sealed and kept
        "task": "tongban.supervision.monthly_reports",
        "schedule": crontab(day_of_month=1, hour=4, minute=0),
    },
    "hall-booking-reminders-daily": {
        "task": "tongban.hall.send_reminders",
        "schedule": crontab(hour=16, minute=0),
    },
    "hall-booking-no-shows": {
        "task": "tongban.hall.mark_no_shows",
        "schedule": crontab(minute="*/15"),
    },
    "licences-expiry-reminders-daily": {
        "task": "tongban.licences.send_expiry_reminders",
        "schedule": crontab(hour=9, minute=0),
    },
    "exchange-seal-call-log": {
        "task": "tongban.exchange.seal_call_log",
        "schedule": env_int("EXCHANGE_SEAL_SECONDS", 60),
    },
    "exchange-bulk-deliveries-nightly": {  # full and incremental extracts for subscribers
        "task": "tongban.exchange.deliver_subscriptions",
        "schedule": crontab(hour=1, minute=30),
    },
    "workorders-deadline-warnings": {
        "task": "tongban.workorders.refresh_warnings",
        "schedule": 600,
    },
}
# 亮证: how long the QR code a holder shows stays valid (seconds).
LICENCE_SHOW_TOKEN_SECONDS = env_int("LICENCE_SHOW_TOKEN_SECONDS", 300)

# --- Auth -----------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["tongban.accounts.backends.IdentifierBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "tongban.accounts.passwords.CharacterClassValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5)
LOGIN_LOCK_MINUTES = env_int("LOGIN_LOCK_MINUTES", 15)

# --- I18N -----------------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Case handling (local rules: configurable) ------------------------------------------------------
CASE_YELLOW_WORKING_DAYS = env_int("CASE_YELLOW_WORKING_DAYS", 3)
CASE_EXTENSION_WORKING_DAYS = env_int("CASE_EXTENSION_WORKING_DAYS", 10)  # 行政许可法 art. 42
# 容缺受理: working days after acceptance to supply a deferred material (capped at the promised
# due date), and how many working days before that deadline the applicant is reminded.
CASE_DEFERRED_MATERIAL_WORKING_DAYS = env_int("CASE_DEFERRED_MATERIAL_WORKING_DAYS", 5)
CASE_DEFERRED_REMINDER_WORKING_DAYS = env_int("CASE_DEFERRED_REMINDER_WORKING_DAYS", 2)
# 告知承诺: how long a false-commitment record bars the subject from committing instead of proving.
CREDIT_FALSE_COMMITMENT_YEARS = env_int("CREDIT_FALSE_COMMITMENT_YEARS", 3)
CASE_CORRECTION_WORKING_DAYS = env_int("CASE_CORRECTION_WORKING_DAYS", 10)
# 补假 of a holiday on a weekend, for years without a confirmed schedule: "following" (the working
# day after it, as practised) or "preceding" (core.holidays).
CALENDAR_MAKE_UP_RULE = env("CALENDAR_MAKE_UP_RULE", "following")

# --- 好差评 (local rules: configurable) -------------------------------------------------------------
RATING_RECTIFY_WORKING_DAYS = env_int("RATING_RECTIFY_WORKING_DAYS", 10)  # 5, 7, 10 or 15 locally
RATING_FOLLOW_UP_DAYS = env_int("RATING_FOLLOW_UP_DAYS", 15)  # 追评 and SMS reply window

# --- 智慧大厅 (docs/hall.md) -------------------------------------------------------------------------
# No-show rule: this many no-shows within the look-back period bar booking for the ban period.
HALL_NO_SHOW_LIMIT = env_int("HALL_NO_SHOW_LIMIT", 3)
HALL_NO_SHOW_BAN_DAYS = env_int("HALL_NO_SHOW_BAN_DAYS", 30)
HALL_NO_SHOW_LOOKBACK_DAYS = env_int("HALL_NO_SHOW_LOOKBACK_DAYS", 90)
# Live pages: each open stream holds one of the web server's threads (TONGBAN_WEB_THREADS); at
# most this many per worker process, the rest fall back to reconnecting every second.
HALL_STREAMS_PER_WORKER = env_int("HALL_STREAMS_PER_WORKER", 2)
HALL_STREAM_SECONDS = env_int("HALL_STREAM_SECONDS", 55)
HALL_KIOSK_IDLE_SECONDS = env_int("HALL_KIOSK_IDLE_SECONDS", 90)

# --- Uploads -------------------------------------------------------------------------------------
UPLOAD_MAX_MB = env_int("UPLOAD_MAX_MB", 10)
UPLOAD_MAX_PAGES = env_int("UPLOAD_MAX_PAGES", 50)

# --- Static and private files ---------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]  # the project-wide CSS and JS; apps keep their own
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns at start-up when it is missing
# Uploaded materials and issued documents live outside the web root and are served by views that
# check who may see them; there is deliberately no MEDIA_URL.
PRIVATE_FILES_ROOT = Path(env("FILES_DIR", str(DATA_DIR / "files")))
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_FILES_ROOT), "base_url": None},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_MAX_AGE = 365 * 24 * 3600
# A file missing from the manifest is served under its plain name instead of failing the page.
WHITENOISE_MANIFEST_STRICT = False

# --- Security -------------------------------------------------------------------------------------
# Every item of this block is named, with its test, in docs/security.md (ASVS V14).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = True  # no script reads the token from the cookie: forms carry it
CSRF_COOKIE_SAMESITE = "Lax"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # One year, sub-domains included, once the site is known to be on HTTPS for good (ASVS 14.4.5).
    SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", False)
    SECURE_SSL_REDIRECT = env_bool("SSL_REDIRECT", True)
    # The load balancer's probes speak plain HTTP on the inside.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    if SESSION_COOKIE_SECURE:
        # __Host- cookies: HTTPS only, this host only, path / (ASVS 3.4.4).
        SESSION_COOKIE_NAME = "__Host-sessionid"
        CSRF_COOKIE_NAME = "__Host-csrftoken"

# Content-Security-Policy (django-csp) on every response, pages and API alike: the platform's own
# scripts and styles only, no inline code, no eval, not framed. Violations are reported to
# /csp-report (core.csp), which logs them without personal data.
CSP_REPORT_PATH = "/csp-report"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # data: for the small SVG icons Swagger UI's stylesheet embeds.
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "report-uri": [CSP_REPORT_PATH],
    },
}
if PRODUCTION:
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["upgrade-insecure-requests"] = True
CSP_REPORTS_PER_MINUTE = env_int("CSP_REPORTS_PER_MINUTE", 30)  # per address
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- API ------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "tongban.core.apischema.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_THROTTLE_RATES": {
        "identifier_check": env("THROTTLE_IDENTIFIER_CHECK", "120/min"),
        "anon": env("THROTTLE_ANON", "600/min"),
    },
    "EXCEPTION_HANDLER": "tongban.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Tongban 通办 API",
    "DESCRIPTION": "一体化在线政务服务平台接口 — integrated online government-service platform API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Swagger UI from the pinned drf-spectacular-sidecar package, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "LimitUnitEnum": "tongban.catalog.codes.LimitUnit",
        "ApplicationStatusEnum": "tongban.applications.states.Status",
        "ItemVersionStatusEnum": "tongban.catalog.models.ItemVersion.Status",
    },
}

# --- Platform -------------------------------------------------------------------------------------
PLATFORM_NAME = env("PLATFORM_NAME", "许昌市政务服务网")
PLATFORM_REGION_CODE = env("REGION_CODE", "411000")
PLATFORM_REGION_NAME = env("REGION_NAME", "许昌市")

# --- Logging: personal data is redacted from every record, whatever logged it ----------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_pii": {"()": "tongban.core.logging.RedactPersonalData"},
        "error_reference": {"()": "tongban.core.logging.ErrorReference"},
    },
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["error_reference", "redact_pii"],
            "formatter": "plain",
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Integration plugins (tongban.core.plugins) ----------------------------------------------------
# The active plugin per kind. TONGBAN_PLUGINS_JSON replaces entries kind by kind, e.g.
# '{"sms": {"name": "my-gateway", "options": {"url": "https://…", "api_key": "…"}}}'.
PLUGINS = {
    "sms": {"name": "log", "options": {}},
    # Unified identity (docs/identity.md): how a registration proves the phone, how a code is
    # texted, and which check reaches each real-name level.
    "phone_proof": {"name": "sms_code", "options": {}},
    "code_sms": {"name": "notify", "options": {}},
    "realname_1": {"name": "population", "options": {}},
    "realname_2": {"name": "demo_police", "options": {}},
    "realname_3": {"name": "demo_face", "options": {}},
}
try:
    PLUGINS.update(json.loads(env("PLUGINS_JSON") or "{}"))
except (json.JSONDecodeError, TypeError, ValueError) as exc:
    raise ImproperlyConfigured(f"TONGBAN_PLUGINS_JSON 不是有效的 JSON 对象：{exc}") from exc

# --- OAuth 2.0 authorisation server (django-oauth-toolkit, token endpoint /o/token/) ------------
# Department systems reading shared data authenticate with client credentials (docs/exchange.md).
# Extended to an OpenID Connect provider for people signing in to department systems
# (docs/identity.md): authorisation code with PKCE (S256), ID tokens signed by the rotating key
# store (tongban.identity.keys), RP-initiated and back-channel logout.
OIDC_ISSUER = env("OIDC_ISSUER", "")  # empty: derived from the request (…/o)
OIDC_KEY_OVERLAP_HOURS = env_int("OIDC_KEY_OVERLAP_HOURS", 48)
OAUTH2_PROVIDER = {
    "SCOPES": {
        "exchange": "数据共享交换查询",
        "intake": "一次办理收件接口",
        "openid": "确认您的身份（登录）",
        "profile": "姓名、账户类型和遮挡后的证件号码、手机号码",
        "realname": "实名认证等级",
        "idcard": "完整的公民身份号码",
        "enterprise": "企业统一社会信用代码及您的身份和授权范围",
    },
    "DEFAULT_SCOPES": ["exchange"],
    "ACCESS_TOKEN_EXPIRE_SECONDS": env_int("OAUTH_TOKEN_SECONDS", 3600),
    "ID_TOKEN_EXPIRE_SECONDS": env_int("OIDC_ID_TOKEN_SECONDS", 600),
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "OAUTH2_VALIDATOR_CLASS": "tongban.identity.validators.TongbanValidator",
    "OIDC_ENABLED": True,
    "OIDC_ISS_ENDPOINT": OIDC_ISSUER,
    "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
    "OIDC_RP_INITIATED_LOGOUT_STRICT_REDIRECT_URIS": True,
    "PKCE_REQUIRED": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "REQUEST_APPROVAL_PROMPT": "force",  # consent is decided by identity's own Consent records
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https", "http"] if not PRODUCTION else ["https"],
}
# SMS verification codes (tongban.identity.sms)
SMS_CODE_MINUTES = env_int("SMS_CODE_MINUTES", 5)
SMS_CODE_MAX_TRIES = env_int("SMS_CODE_MAX_TRIES", 5)
SMS_CODES_PER_PHONE_HOUR = env_int("SMS_CODES_PER_PHONE_HOUR", 5)
SMS_CODES_PER_ADDRESS_HOUR = env_int("SMS_CODES_PER_ADDRESS_HOUR", 20)
# Named explicitly because other apps' migrations refer to the (swappable) client model.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"

# --- Catalogue (docs/catalog.md) ----------------------------------------------------------------
# 四眼原则: a draft is published by a catalogue administrator who did not create or edit it. On by
# default in production; a department with a single administrator turns it off here.
CATALOG_PUBLISH_BY_SECOND_PERSON = env_bool("CATALOG_PUBLISH_BY_SECOND_PERSON", PRODUCTION)

# --- Data sharing and exchange (docs/exchange.md) -------------------------------------------------
EXCHANGE_MAX_BATCH = env_int("EXCHANGE_MAX_BATCH", 100)
# Seconds a process keeps published resources and live grants for calls (a revocation elsewhere
# takes effect within them); 0 turns the cache off.
EXCHANGE_AUTH_CACHE_SECONDS = env_int("EXCHANGE_AUTH_CACHE_SECONDS", 5)
# How long the exchange API keeps a checked bearer token (keyed by its hash; dropped on revocation).
EXCHANGE_TOKEN_CACHE_SECONDS = env_int("EXCHANGE_TOKEN_CACHE_SECONDS", 30)
# 智能秒批 (docs/rules.md): department systems asked side by side per check, and how long the check
# waits for all of them before a silent one counts as failed (the case then goes to a person).
INSTANT_APPROVAL_QUERY_THREADS = env_int("INSTANT_APPROVAL_QUERY_THREADS", 4)
INSTANT_APPROVAL_QUERY_SECONDS = env_int("INSTANT_APPROVAL_QUERY_SECONDS", 15)
# The demo department system (python -m tongban.exchange.demo.department) that `make run` starts.
EXCHANGE_DEMO_DEPARTMENT_URL = env("EXCHANGE_DEMO_DEPARTMENT_URL", "http://127.0.0.1:8181")

# --- E-mail and notifications (docs/notify.md) ----------------------------------------------------
# TONGBAN_EMAIL_URL=smtp+tls://user:password@host:587 (also smtp://, smtps://, console://), or
# TONGBAN_EMAIL_HOST/PORT/USER/PASSWORD/USE_TLS/USE_SSL. With neither, mail is written to files in
# the data directory (var/mail), so nothing leaves the machine in embedded mode.
_email_url = urlsplit(env("EMAIL_URL"))
EMAIL_HOST = _email_url.hostname or env("EMAIL_HOST")
if _email_url.scheme == "console":
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
elif EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = _email_url.port or env_int("EMAIL_PORT", 25)
    EMAIL_HOST_USER = unquote(_email_url.username or "") or env("EMAIL_USER")
    EMAIL_HOST_PASSWORD = unquote(_email_url.password or "") or env("EMAIL_PASSWORD")
    EMAIL_USE_SSL = _email_url.scheme == "smtps" or env_bool("EMAIL_USE_SSL", False)
    EMAIL_USE_TLS = _email_url.scheme == "smtp+tls" or env_bool("EMAIL_USE_TLS", False)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(DATA_DIR / "mail")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env("EMAIL_FROM", f"{PLATFORM_NAME} <noreply@localhost>")
# Failed deliveries are retried after these many minutes (the last repeats) until the attempt limit.
NOTIFY_RETRY_MINUTES = [int(m) for m in env_list("NOTIFY_RETRY_MINUTES", ["1", "5", "30", "120"])]
NOTIFY_MAX_ATTEMPTS = env_int("NOTIFY_MAX_ATTEMPTS", 6)

# Demo data loaders, in dependency order; each app with demo data appends its own.
DEMO_LOADERS = [
    "tongban.core.demo.load",
    "tongban.accounts.demo.load",
    "tongban.seals.demo.load",
    "tongban.catalog.demo.load",
    "tongban.exchange.demo.load",
    "tongban.applications.demo.load",
    "tongban.licences.demo.load",
    "tongban.cases.instant_demo.load",
    "tongban.bundles.demo.load",
    "tongban.policies.demo.load",
    "tongban.workorders.demo.load",
    "tongban.hall.demo.load",
]
# printed by `tongban demo --logins`, in this order: each domain lists its own demo accounts
DEMO_LOGINS = [
    "tongban.accounts.demo.logins",
    "tongban.workorders.demo.logins",
    "tongban.bundles.demo.logins",
]

# 12345 work orders: below this classifier confidence the dispatcher chooses the category; an MQTT
# broker URL (mqtt://user:pass@host:1883/topic-prefix) turns on `tongban workorders mqtt`.
WORKORDER_CONFIDENCE_THRESHOLD = float(env("WORKORDER_CONFIDENCE_THRESHOLD", "0.6"))
# 回访 is due within this many working days of 办结反馈 (local practice differs: configurable).
WORKORDER_CALLBACK_WORKING_DAYS = int(env("WORKORDER_CALLBACK_WORKING_DAYS", "3"))
MQTT_URL = env("MQTT_URL", "")
# The subscriber's connections in one shared subscription ($share/<group>/<prefix>/#): a broker lets
# ~20 unacknowledged QoS 1 messages be in flight per connection, so more connections carry more.
MQTT_SUBSCRIBERS = int(env("MQTT_SUBSCRIBERS", "8"))
MQTT_GROUP = env("MQTT_GROUP", "tongban-workorders")

"""Settings shared by every environment; everything that differs comes from the environment."""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Field as ModelField
from django.utils.translation import gettext_lazy as _

from policy_portal.storage_url import storage_from_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="insecure-development-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "policy_portal.apps.PortalAdminConfig",  # django.contrib.admin, with the site's own
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "enterprises.login_records.LoginRecordsConfig",  # django-axes
    "rest_framework",
    "django_fsm",
    "django_celery_beat",
    "pgtrigger",
    "pghistory",
    # 身份鉴别: the second factor (security/second_factor.py).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "measures",
    "departments",
    "enterprises",
    "applications",
    "reviews",
    "notifications",
    "disbursements",
    "publicity",
    "ratings",
    "dashboard",
    "security",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Nothing a signed-in person saw stays in a cache; signing out clears the browser's
    # (剩余信息保护, policy_portal/residual_data.py).
    "policy_portal.residual_data.NoStoreMiddleware",
    "enterprises.sessions.OfficialIdleTimeoutMiddleware",
    # Who changes data, and from which address, for the audit trail (安全审计).
    "security.audit.context.AuditContextMiddleware",
    # 身份鉴别: after the password, officials (and enterprises that enrolled) give a code;
    # until then they reach only the second factor's pages (security/gate.py).
    "django_otp.middleware.OTPMiddleware",
    "security.gate.SecondFactorGateMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # An initial or (officials') expired password is changed before anything else.
    "security.passwords.enforcement.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "policy_portal.csp.CSPMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    # Last, so that it sees the outcome of every login attempt (django-axes).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "policy_portal.wsgi.application"

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

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The site, the worker and beat write to one file at once on a first run: write-ahead
    # logging lets readers go on while one writes, and writers wait for each other instead of
    # failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
# Connections are kept between requests (a new one per request cost PostgreSQL a fork and the
# site half its throughput); CONN_MAX_AGE=0 opens one per request again.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
# A kept connection the database has since dropped (a restart, a failover, an idle timeout) is
# tested at the start of the next request and replaced, instead of failing that request.
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", env.bool("CONN_HEALTH_CHECKS", default=True))
# Behind a pooler in transaction pooling (PgBouncer's pool_mode = transaction, README,
# Connections, queues and beat), each transaction may run on another server connection, so
# nothing may outlive one: no server-side prepared statements (psycopg prepares a query it runs
# often, on the connection it happened to have), and no server-side cursors (Django's
# .iterator() declares one WITH HOLD outside a transaction, which the next statement may not
# find). The site keeps no other session state: what it sets is for the transaction
# (SET TRANSACTION, set_config(…, true), pg_advisory_xact_lock), but for the time zone Django
# sets per connection, which PgBouncer tracks and sets again on every server connection a
# client is given.
DATABASE_POOLING = env("DATABASE_POOLING", default="")
if DATABASE_POOLING not in ("", "transaction"):
    raise ImproperlyConfigured(
        f"DATABASE_POOLING={DATABASE_POOLING!r}: leave it unset, or set it to transaction."
    )
if DATABASE_POOLING == "transaction" and DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = None
# The PostgreSQL server itself, when DATABASE_URL names a pooler: pg_dump and pg_restore
# (backups) keep session state (search_path, set for the session) that must not pass to other
# clients of a pooled server connection, so they connect here (host, port, user and password;
# the database stays DATABASE_URL's). Empty: DATABASE_URL's server.
DATABASE_DIRECT_URL = env("DATABASE_DIRECT_URL", default="")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "enterprises.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # The password policy (security/passwords/): officials' passwords at least 12 characters of
    # three of the four kinds; no one repeats one of their last five.
    {
        "NAME": "security.passwords.validators.OfficialPasswordValidator",
        "OPTIONS": {"min_length": 12, "min_classes": 3},
    },
    {"NAME": "security.passwords.validators.PasswordHistoryValidator", "OPTIONS": {"count": 5}},
]
# An official changes their password after this many days; anyone signing in with a password
# someone else set changes it first (security.passwords.enforcement).
OFFICIAL_PASSWORD_MAX_AGE_DAYS = env.int("OFFICIAL_PASSWORD_MAX_AGE_DAYS", default=90)
# Every login (the site's and the admin's) passes django-axes first: after LOGIN_FAILURE_LIMIT
# failures for one username, or from one address, logins from there are refused for
# LOGIN_LOCKOUT_MINUTES, the right password included. Attempts are kept in the database and
# shown to administrators in the admin; a success resets the count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # A superuser's sign-in: refused, or allowed and alarmed (security/superusers.py).
    "security.superusers.SuperuserGateBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Superusers are for the installation (三员分立): their sign-in is refused unless this is on,
# and when it is, every one is recorded and alarmed (mailed to ADMINS). Turn it off again once
# the installation is done.
ALLOW_SUPERUSER_LOGIN = env.bool("ALLOW_SUPERUSER_LOGIN", default=False)
# Who receives the site's alarms by mail (a superuser's sign-in): addresses, comma-separated.
ADMINS = [(address, address) for address in env.list("ADMINS", default=[])]
# Reverse proxies in front of the site that append to X-Forwarded-For (0: none, the site is
# reached directly). The lockout, the rate limits and the API throttle count per client address.
PROXY_COUNT = env.int("PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "policy_portal.client_ip.client_ip"
RATELIMIT_IP_META_KEY = "policy_portal.client_ip.client_ip"
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "enterprises.views.locked_out"
AXES_SENSITIVE_PARAMETERS = ["password"]
AXES_VERBOSE = False
# Successful logins are on the security audit (who, when, from where); axes keeps only the
# failures that lock an account out, not a second copy of every login with its browser.
AXES_DISABLE_ACCESS_LOG = True
# The audit trail (security/): PostgreSQL triggers (django-pgtrigger, for django-pghistory)
# record every change of the data that decides money or access. They are installed after each
# `migrate`, on the tables of every app (Django's and beat's included), rather than by each
# app's migrations; on SQLite there are none (security.audit.fallback records through signals).
PGTRIGGER_MIGRATIONS = False
PGTRIGGER_INSTALL_ON_MIGRATE = True
# Only requests that may write carry who and where to the database (a GET changes nothing
# that is audited, and reading stays as it was).
PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
# The event tables keep each tracked column's type only: what a form offers or checks (choices,
# validators, labels, defaults) stays the tracked model's, which may change it freely (the
# figures' ceilings stay: a system check reads them).
PGHISTORY_EXCLUDE_FIELD_KWARGS = {
    ModelField: [
        "choices",
        "validators",
        "help_text",
        "verbose_name",
        "default",
        "editable",
        "blank",
        "protected",
    ]
}

# Forms that an anonymous visitor can send again and again: per client address, in the cache
# (Redis when configured). Over the rate, the visitor gets a page asking to wait (HTTP 429).
REGISTRATION_RATE = env("REGISTRATION_RATE", default="10/h")
PASSWORD_RESET_RATE = env("PASSWORD_RESET_RATE", default="5/h")
# Objections to a 公示, per client address.
OBJECTION_RATE = env("OBJECTION_RATE", default="5/h")
RATELIMIT_VIEW = "enterprises.views.rate_limited"
# Sessions stay in the database alone: Django's cached_db store raises when Redis is down (its
# existence check and the cache fill after a miss are not guarded), and the site must keep
# working without Redis.
LOGIN_URL = "login"
# Officials' sessions end with the browser and after 30 minutes idle; enterprises' after a
# working day (enterprises/sessions.py).
OFFICIAL_IDLE_SECONDS = env.int("OFFICIAL_IDLE_SECONDS", default=30 * 60)
# How long before that end their pages warn them (static/js/idle_warning.js).
OFFICIAL_IDLE_WARNING_SECONDS = env.int("OFFICIAL_IDLE_WARNING_SECONDS", default=2 * 60)
ENTERPRISE_SESSION_SECONDS = env.int("ENTERPRISE_SESSION_SECONDS", default=8 * 60 * 60)
LOGIN_REDIRECT_URL = "applications:home"
# The second factor (django-otp): the name authenticator apps show beside the code; after each
# wrong code the next is refused for 1, 2, 4, 8… seconds (django-otp's throttling).
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="重庆市工业经济政策申报平台")
OTP_TOTP_THROTTLE_FACTOR = env.int("OTP_TOTP_THROTTLE_FACTOR", default=1)
OTP_STATIC_THROTTLE_FACTOR = env.int("OTP_STATIC_THROTTLE_FACTOR", default=1)
LOGOUT_REDIRECT_URL = "measures:catalogue"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
FORMAT_MODULE_PATH = ["policy_portal.formats"]
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
# Where `manage.py backup` writes its timestamped directories unless given --output.
BACKUP_DIR = env.path("BACKUP_DIR", default=str(VAR_DIR / "backups"))
# Uploaded documents: on this machine's disk under MEDIA_ROOT unless STORAGE_URL names an
# S3-compatible bucket (policy_portal/storage_url.py; README, Object storage).
STORAGES = {
    "default": storage_from_url(env("STORAGE_URL", default="")),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Mail: the console in development; in production EMAIL_URL names the SMTP server, e.g.
# smtp+tls://user:password@smtp.example.cn:587 (django-environ reads it).
if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
# Well under the time a worker holds an email before another may send it (2 minutes).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
NOTIFICATION_EMAIL_CLAIM_SECONDS = env.int("NOTIFICATION_EMAIL_CLAIM_SECONDS", default=120)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="政策申报平台 <noreply@localhost>")
# Where the site is reached: the links in emails.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# Redis, when given, is both the Celery broker and the cache; without it the portal runs
# on a broker that needs no server (kombu's filesystem transport under var/).
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "celery" / "queue"
    # The transport lists its folders at start and does not create them.
    for _folder in (_queue_dir, VAR_DIR / "celery" / "processed", VAR_DIR / "celery" / "control"):
        _folder.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A broker that is down fails a publish quickly: what was published from the outbox is handed
# on again by the periodic task, so a request need not wait for the broker.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# Tasks go to a queue by their kind, so that a worker busy with a long one never holds up
# another kind (README, Connections, queues and beat): a submission's notice (mail) does not
# wait behind an hour of 免申即享 preparations (proposals) or a department's import of 100,000
# rows (exports: the long reads and writes of files). `make run` has one worker consume them
# all; compose runs a worker per queue. Every task is given its queue here, those of the default
# queue (celery) too: tests/test_celery_queues.py fails on a task with none.
TASK_QUEUES = {
    "mail": [
        "notifications.tasks.deliver_events",
        "notifications.tasks.drain_outbox",
        "notifications.tasks.redeliver_outbox",
        "notifications.tasks.email_pending_notifications",
    ],
    "sweeps": [
        "applications.tasks.expire_closed_drafts",
        "applications.tasks.sweep_orphan_documents",
        "enterprises.tasks.clear_expired_sessions",
        "notifications.tasks.remind_window_closing",
        "notifications.tasks.remind_review_deadlines",
        "notifications.tasks.remind_payment_limits",
        "notifications.tasks.announce_opened_windows",
        "notifications.tasks.recount_deadlines",
        "publicity.tasks.close_due_publicities",
    ],
    "exports": [
        "departments.tasks.preview_import_job",
        "departments.tasks.apply_import_job",
    ],
    "proposals": ["applications.tasks.prepare_proposals"],
    # Every minute, and not to wait behind a long sweep: the default queue.
    "celery": ["security.audit.tasks.seal_audit_trail"],
}
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    task: {"queue": queue} for queue, tasks in TASK_QUEUES.items() for task in tasks
}
# Beat reads its schedule from the database (django-celery-beat), so administrators change it
# in the admin; notifications/migrations creates it (PERIODIC_TASKS in notifications/schedule.py).
# One beat across the cluster: the database scheduler, sending only while it holds the beat
# lock (policy_portal/beat.py); a second beat stands by and takes over once the first stops or
# its lock expires (BEAT_LOCK_SECONDS after it died).
CELERY_BEAT_SCHEDULER = "policy_portal.beat:SingleBeatScheduler"
BEAT_LOCK_KEY = env("BEAT_LOCK_KEY", default="policy-portal:beat")
BEAT_LOCK_SECONDS = env.int("BEAT_LOCK_SECONDS", default=30)
DJANGO_CELERY_BEAT_TZ_AWARE = True

if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache, with its redis-py client kept (policy_portal/cache.py).
            "BACKEND": "policy_portal.cache.ClientKeepingRedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    # Room for every cached page of the policy data in both languages (measures/cache.py).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    }

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["measures.parsers.BoundedJSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "COERCE_DECIMAL_TO_STRING": True,
    # The throttle reads the client's address from X-Forwarded-For behind this many proxies.
    "NUM_PROXIES": PROXY_COUNT,
}

# The public API: the largest request body it reads, and quotes per minute per client (IP).
API_MAX_BODY_BYTES = 64 * 1024
QUOTE_RATE = env("QUOTE_RATE", default="60/min")
# 部门数据 by API (departments/api.py): the largest batch, in bytes and rows, and the calls
# per minute per key and per client address.
DEPARTMENT_API_MAX_BODY_BYTES = 20 * 1024 * 1024
DEPARTMENT_API_MAX_ROWS = 100_000
DEPARTMENT_API_RATE = env("DEPARTMENT_API_RATE", default="30/m")
# 部门数据 by file (departments/reading.py): the largest file an administrator imports; 100,000
# rows of a dozen columns make about 15 MB of CSV.
DEPARTMENT_IMPORT_MAX_BYTES = env.int("DEPARTMENT_IMPORT_MAX_BYTES", default=50 * 1024 * 1024)

# The content security policy (django-csp): scripts, styles, images and fonts only from the
# site itself, no inline script or style, no framing, forms post only to the site.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

DEMO_PASSWORD = env("DEMO_PASSWORD", default="demo-pass-2023")
# seed_demo creates the administrators' accounts with a public password: production refuses it
# by default.
DEMO_DATA_ALLOWED = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

# Uploaded documents: at most this many bytes each (20 MB by default).
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=20 * 1024 * 1024)
# And per application: how many documents, and how many bytes in all.
DOCUMENTS_MAX_PER_APPLICATION = env.int("DOCUMENTS_MAX_PER_APPLICATION", default=20)
DOCUMENTS_MAX_TOTAL_BYTES = env.int("DOCUMENTS_MAX_TOTAL_BYTES", default=60 * 1024 * 1024)
# And per enterprise in its library (企业材料库): how many documents, and how many bytes in all.
LIBRARY_MAX_DOCUMENTS = env.int("LIBRARY_MAX_DOCUMENTS", default=50)
LIBRARY_MAX_TOTAL_BYTES = env.int("LIBRARY_MAX_TOTAL_BYTES", default=200 * 1024 * 1024)
# Django keeps uploads above this in a temporary file rather than in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# 制单 / 复核: finance staff confirm a batch's payment, never the person who prepared it. With
# this on, administrators may confirm too (still never their own batch).
DISBURSEMENT_ADMINISTRATORS_MAY_CONFIRM = env.bool(
    "DISBURSEMENT_ADMINISTRATORS_MAY_CONFIRM", default=False
)
# How long the dashboard's and the public page's figures are kept per scope (0: read afresh
# on every request).
DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", default=60)
# Rows fetched per round trip by the streaming exports (a server-side cursor on PostgreSQL).
DISBURSEMENT_EXPORT_CHUNK = 2000

# Personal data encrypted at rest (policy_portal.crypto): "id:base64key,id:base64key", 256-bit
# keys, the first one encrypting, the others kept to read values until `rotate_field_keys`
# has re-encrypted them; and the key of the keyed hash that finds values ("id:base64key").
# Development and the tests use fixed keys of their own (local.py, test.py); production
# refuses to start without them (production.py).
FIELD_ENCRYPTION_KEYS = env("FIELD_ENCRYPTION_KEYS", default="")
FIELD_HASH_KEY = env("FIELD_HASH_KEY", default="")

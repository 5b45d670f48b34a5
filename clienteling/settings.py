"""Settings, all from the environment.

Unset ``DATABASE_URL`` and ``REDIS_URL`` give the embedded demo: a SQLite file, the
in-memory channel layer, a local-memory cache and Celery tasks run eagerly.
"""

import json
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not (DEBUG or env_bool("CODE_ONLY")):
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=1 for a local demo).")
    # Never signs anything real: DEBUG demos, and commands that only read code.
    SECRET_KEY = "insecure-key-for-debug-and-code-only-commands"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# HTTPS hardening is on unless the site is explicitly served over plain HTTP.
HTTPS = env_bool("HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS and env_bool("SECURE_HSTS_PRELOAD", True)
if env_bool("BEHIND_PROXY", HTTPS):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
# The load balancer's probes may speak plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_AGE = 60 * 60 * 12  # one shift
# Database sessions that keep the expiry of the row they read (integrations/sessions.py).
SESSION_ENGINE = "integrations.sessions"

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "channels",
    "django_htmx",
    "django_countries",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Our apps, bottom to top: each imports only those above it in this list.
    "catalog",
    "staff",
    "integrations",
    "inventory",
    "customers",
    "offers",
    "products",
    "orders",
    "floor",
    "messaging",
    "clientbook",
    "dashboard",
    "privacy",
    "clienteling",
]

MIDDLEWARE = [
    "integrations.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # PostgreSQL unreachable: a 503 page (JSON under /api/) with Retry-After, not a 500.
    "integrations.outage.OutageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "staff.tablet.TabletMiddleware",
    "staff.mfa.MfaRequiredMiddleware",
    "staff.middleware.StaffMiddleware",
    "staff.middleware.HtmxSignInMiddleware",
]
# Seconds a client is told to wait while the database is unreachable (503 Retry-After).
OUTAGE_RETRY_AFTER = int(os.environ.get("OUTAGE_RETRY_AFTER", 10))

ROOT_URLCONF = "clienteling.urls"
ASGI_APPLICATION = "clienteling.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clienteling.context_processors.staff",
                "staff.context_processors.tablet",
            ],
            "builtins": [
                "django.templatetags.i18n",
                "clienteling.templatetags.steady",  # i18n's translate and url, remembered
                "django.templatetags.static",
                "catalog.templatetags.formats",  # money, day, day_time on every page
            ],
        },
    },
]

# Database: DATABASE_URL (PostgreSQL in production and tests), else a SQLite file.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=0,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Persistent connections leak under ASGI (one per Daphne thread): use a pool.
    # A pooled connection is checked before it is handed out (the pool's ``check`` is
    # ConnectionPool.check_connection): after a database restart, dead connections are
    # replaced instead of failing requests.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"]["OPTIONS"] = {
        # The hot reads (``catalog.prepared``) bind their values server-side and are kept
        # prepared on each connection (0: from their first use), so PostgreSQL parses and
        # plans them once per connection rather than on every request. Django's own
        # cursors bind client-side and are never prepared. Off (None) behind a pooler that
        # cannot keep prepared statements (PgBouncer in transaction mode before 1.21).
        "prepare_threshold": 0 if env_bool("DB_PREPARED_STATEMENTS", True) else None,
        "pool": {
            "min_size": int(os.environ.get("DB_POOL_MIN", 2)),
            "max_size": int(os.environ.get("DB_POOL_MAX", 20)),
            # A request that waits this long for a connection answers 503 + Retry-After
            # (clienteling.overload): a rush is refused fast, not queued into 500s.
            "timeout": float(os.environ.get("DB_POOL_TIMEOUT", 3)),
            # While the database is down, a connection attempt backs off (1, 2, 4 … s);
            # giving it up after this long lets the next request start a fresh one, so the
            # pool is back within seconds of the database, not after a minute of back-off.
            "reconnect_timeout": int(os.environ.get("DB_POOL_RECONNECT_TIMEOUT", 10)),
        },
    }
else:
    # The demo's SQLite ignores the covering columns of the dashboard's index: that's fine.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: channel layer, cache (shared rate limits) and Celery broker.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # Redis pub/sub layer: a push to a store's group is one PUBLISH, received once by
    # each Daphne process and handed to its tablets there (the core layer's lists cost
    # one Redis round trip per tablet). What is published while a process reconnects is
    # lost: pages resync on every connect, and the database is the truth.
    CHANNEL_LAYERS = {
        "default": {
            # channels_redis's pub/sub layer, telling the live pages to resync when its
            # subscriptions come back after Redis restarted (integrations/layers.py).
            "BACKEND": "integrations.layers.ResyncingPubSubChannelLayer",
            "CONFIG": {
                # redis-py 8 times socket reads out after 5 s by default, which would cut
                # the layer's idle subscriptions: allow longer reads.
                "hosts": [{"address": REDIS_URL, "socket_timeout": 15}],
                "prefix": os.environ.get("CHANNEL_PREFIX", "clienteling"),
            },
        }
    }
    CACHES = {
        "default": {
            # Redis down: answers as an empty cache (rate limits not enforced meanwhile)
            # within a second, rather than failing the request.
            "BACKEND": "integrations.cache.DegradingRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_PREFIX", "clienteling"),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
# A task a killed worker held goes back to the queue after this long: minutes, not hours,
# and longer than the longest countdown we use (retries back off up to 5 min). Tasks
# are idempotent (the outbox claims its rows), so a redelivery never sends twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 15 * 60,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
# A broker down at commit: give up publishing within about a second (the outbox row
# stays queued and the sweep sends it), rather than holding the request.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Europe/Paris"
CELERY_BEAT_SCHEDULE: dict = {
    # The outbox: re-send what was never recorded as sent (integrations/outbox.py).
    "outbox-sweep": {
        "task": "integrations.tasks.outbox_sweep",
        "schedule": float(os.environ.get("OUTBOX_SWEEP_SECONDS", 60)),
    },
    # Tidying only: availability already ignores lapsed holds by their timestamp.
    "orders-release-expired-pickup-holds": {
        "task": "orders.tasks.orders_release_expired_holds",
        "schedule": 300.0,
    },
    # Tidying only: the floor already decides presence by timestamps.
    "visits-tidy": {
        "task": "floor.tasks.visits_tidy",
        "schedule": 300.0,
    },
    # Retention periods (PRIVACY_RETENTION_DAYS), nightly; idempotent and batched.
    "privacy-retention": {
        "task": "privacy.tasks.retention_apply_task",
        "schedule": crontab(hour=3, minute=30),
    },
    # Yesterday's store and associate figures, once the stores are closed (idempotent).
    "figures-rollup": {
        "task": "dashboard.tasks.figures_rollup",
        "schedule": crontab(hour=0, minute=20),
    },
    # The morning's follow-ups "to contact today" (idempotent: once per occasion).
    "follow-ups-daily": {
        "task": "clientbook.tasks.follow_ups_daily",
        "schedule": crontab(hour=6, minute=30),
    },
}

# How long a pickup hold keeps units for the customer once they can collect them.
PICKUP_HOLD = timedelta(hours=int(os.environ.get("PICKUP_HOLD_HOURS", 48)))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Django's and allauth's backends, loading the user with their staff profile (one query).
AUTHENTICATION_BACKENDS = [
    "staff.backends.StaffModelBackend",
    "staff.backends.StaffAuthenticationBackend",
]

# Staff sign-in: email + password, no public sign-up, rate-limited.
ACCOUNT_ADAPTER = "staff.adapters.StaffAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
# Failed sign-ins: per IP, and per account; the owner lifts an account's limit by resetting
# the password by email, which signs them in (staff/adapters.py).
ACCOUNT_LOGIN_ON_PASSWORD_RESET = True
# How many reverse proxies append to X-Forwarded-For in front of Daphne: the client's IP is
# read that far from the right (0: the connection's address; see README, Production).
TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", 0))
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXIES
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
}
# Strong sign-in: managers and head office must use an authenticator app (TOTP, with
# recovery codes); associates may. Django admin needs a session that passed MFA.
MFA_ADAPTER = "staff.adapters.StaffMFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Clienteling"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

# Live sockets re-check their session at least this often (and when it expires); sign-out,
# deactivation and store changes close them at once (integrations/live.py).
LIVE_SESSION_RECHECK_SECONDS = int(os.environ.get("LIVE_SESSION_RECHECK_SECONDS", 60))

# Client data: each person may run this many customer searches a minute; reading more
# than ACCESS_BULK_READ_CLIENTS distinct clients within ACCESS_BULK_READ_MINUTES is flagged.
CUSTOMER_SEARCHES_PER_MINUTE = int(os.environ.get("CUSTOMER_SEARCHES_PER_MINUTE", 60))
ACCESS_BULK_READ_CLIENTS = int(os.environ.get("ACCESS_BULK_READ_CLIENTS", 100))
ACCESS_BULK_READ_MINUTES = int(os.environ.get("ACCESS_BULK_READ_MINUTES", 10))

# The manager's floor dashboard: a VIP waiting unattended longer than this is flagged.
DASHBOARD_WAIT_ALERT_MINUTES = int(os.environ.get("DASHBOARD_WAIT_ALERT_MINUTES", 5))

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "clienteling.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
# Private files (data exports): never served as static media, only through signed links.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Product images are public: they have their own storage, never beside the private files.
# On disk by default (PRODUCT_IMAGES_ROOT), served by the app under MEDIA_URL while
# SERVE_PRODUCT_IMAGES is on; a bucket replaces the disk with PRODUCT_IMAGES_BACKEND (a
# Django storage class) and PRODUCT_IMAGES_OPTIONS (its options, JSON), MEDIA_URL then
# being the bucket's or CDN's address (README, Production).
MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")
PRODUCT_IMAGES_ROOT = Path(os.environ.get("PRODUCT_IMAGES_ROOT", BASE_DIR / "media-public"))
STORAGES["product_images"] = {
    "BACKEND": os.environ.get(
        "PRODUCT_IMAGES_BACKEND", "django.core.files.storage.FileSystemStorage"
    ),
    "OPTIONS": json.loads(os.environ["PRODUCT_IMAGES_OPTIONS"])
    if os.environ.get("PRODUCT_IMAGES_OPTIONS")
    else {"location": str(PRODUCT_IMAGES_ROOT), "base_url": MEDIA_URL},
}
SERVE_PRODUCT_IMAGES = env_bool("SERVE_PRODUCT_IMAGES", MEDIA_URL.startswith("/"))
# Client pages (a product, a shared comparison) one address may open per minute.
PUBLIC_VIEWS_PER_MINUTE = int(os.environ.get("PUBLIC_VIEWS_PER_MINUTE", 120))

# Nothing is loaded from elsewhere: a strict same-origin content security policy.
from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    # 'wasm-unsafe-eval': the barcode decoder where the browser has none is WebAssembly
    # (static/vendor/barcode-detector); it allows compiling wasm, not JavaScript eval.
    "script-src": [CSP.SELF, CSP.NONCE, CSP.WASM_UNSAFE_EVAL],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", *([MEDIA_URL] if "://" in MEDIA_URL else [])],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 587))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
# No send waits on a mail server longer than this (each SMTP step), in seconds.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", 10))
# Outbox: the domain of our stable Message-IDs, how long a claimed email may stay
# "sending" before the sweep sends it again, and how many attempts before giving up.
EMAIL_MESSAGE_ID_DOMAIN = os.environ.get("EMAIL_MESSAGE_ID_DOMAIN", "clienteling")
OUTBOX_LEASE = timedelta(seconds=int(os.environ.get("OUTBOX_LEASE_SECONDS", 300)))
OUTBOX_MAX_ATTEMPTS = int(os.environ.get("OUTBOX_MAX_ATTEMPTS", 10))
# Text messages (integrations/sms.py): the provider backend, and for Twilio's Messages API
# the account, its token, the sender (a number or an alphanumeric sender id) and the API's
# address (a test points it at a local server). Unset: printed to the console.
SMS_BACKEND = os.environ.get(
    "SMS_BACKEND",
    "integrations.sms.TwilioBackend"
    if os.environ.get("SMS_ACCOUNT_SID")
    else "integrations.sms.ConsoleBackend",
)
SMS_ACCOUNT_SID = os.environ.get("SMS_ACCOUNT_SID", "")
SMS_AUTH_TOKEN = os.environ.get("SMS_AUTH_TOKEN", "")
SMS_FROM = os.environ.get("SMS_FROM", "Clienteling")
SMS_API_BASE_URL = os.environ.get("SMS_API_BASE_URL", "https://api.twilio.com")
SMS_TIMEOUT = int(os.environ.get("SMS_TIMEOUT", 10))
# A client's selection of products opens through a signed link for this many days.
SELECTION_LINK_DAYS = int(os.environ.get("SELECTION_LINK_DAYS", 30))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Clienteling <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where shoppers reach the app from outside (links in emails, the privacy poster's QR).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# Every log line carries the request id (X-Request-ID, carried into pushes and tasks);
# one JSON object per line unless LOG_FORMAT=text (the default with DEBUG).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "integrations.request_id.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "integrations.request_id.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": os.environ.get("LOG_FORMAT", "text" if DEBUG else "json"),
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.channels.server": {"level": "WARNING"}},
}
# The worker logs through the configuration above (request ids included).
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# The floor: a visit ends on an exit signal or after this long without any signal, and a
# second entry within the de-duplication window is the same visit (no second push).
VISIT_IDLE_MINUTES = int(os.environ.get("VISIT_IDLE_MINUTES", 20))
VISIT_DEDUP_MINUTES = int(os.environ.get("VISIT_DEDUP_MINUTES", 30))

# Privacy: how long we keep what (days), French defaults (CNIL guidance); each can be set
# in the environment. Inactive clients are erased (anonymised), the rest deleted.
PRIVACY_RETENTION_DAYS = {
    "presence_events": int(os.environ.get("RETENTION_PRESENCE_EVENTS_DAYS", 90)),
    "webhook_events": int(os.environ.get("RETENTION_WEBHOOK_EVENTS_DAYS", 90)),
    "card_views": int(os.environ.get("RETENTION_CARD_VIEWS_DAYS", 365)),
    "interactions": int(os.environ.get("RETENTION_INTERACTIONS_DAYS", 2 * 365)),
    "inactive_customers": int(os.environ.get("RETENTION_INACTIVE_CUSTOMERS_DAYS", 3 * 365)),
}
# A data export's download link works once, for this many days.
PRIVACY_EXPORT_LINK_DAYS = int(os.environ.get("PRIVACY_EXPORT_LINK_DAYS", 7))

# Signed webhooks: an event that happened longer ago than this is refused (held back or
# replayed, it would backdate a visit); a caller (IP) or a source key that fails
# authentication this many times in a minute gets a 429 until the minute is over.
WEBHOOK_EVENT_MAX_AGE = timedelta(hours=int(os.environ.get("WEBHOOK_EVENT_MAX_AGE_HOURS", 24)))
WEBHOOK_AUTH_FAILURES_PER_IP = int(os.environ.get("WEBHOOK_AUTH_FAILURES_PER_IP", 60))
WEBHOOK_AUTH_FAILURES_PER_KEY = int(os.environ.get("WEBHOOK_AUTH_FAILURES_PER_KEY", 20))

# Overload (clienteling.overload): each process serves at most this many HTTP requests at
# once; the next ones get an immediate 503 with Retry-After (seconds), as does a request
# that waited DB_POOL_TIMEOUT for a database connection.
MAX_CONCURRENT_REQUESTS = int(os.environ.get("MAX_CONCURRENT_REQUESTS", 64))
OVERLOAD_RETRY_AFTER = int(os.environ.get("OVERLOAD_RETRY_AFTER", 2))
# Of those, how many run Django at once (the others wait their turn; 0: all at once), and
# how long one waits for its turn before it runs beside them (clienteling.handlers.Turns).
REQUESTS_AT_ONCE = int(os.environ.get("REQUESTS_AT_ONCE", 1))
REQUEST_TURN_PATIENCE = float(os.environ.get("REQUEST_TURN_PATIENCE", 0.5))

# Shared store tablets: a holder idle this long is signed out and the tablet shows its
# lock screen (associates switch back with their PIN).
TABLET_IDLE_LOCK_MINUTES = float(os.environ.get("TABLET_IDLE_LOCK_MINUTES", 3))

"""The one settings module: every deployment difference comes from the environment (12-factor).

Embedded defaults (SQLite, local-memory cache, immediate tasks) make ``make run`` and ``make test``
work on a fresh machine; production sets ``DATABASE_URL``, ``REDIS_URL``, ``SECRET_KEY``,
``ALLOWED_HOSTS`` and storage variables. Nothing secret has a default.
"""

from pathlib import Path

import environ
from csp.constants import NONCE

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env (written by `make run` with a random SECRET_KEY) is read when present; real
# environment variables win over it.
if env.bool("DJANGO_READ_DOT_ENV", default=True):
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY")

# Portals answer at <code>.<PORTAL_DOMAIN>; in development that is <code>.localhost:8000.
PORTAL_DOMAIN = env("PORTAL_DOMAIN", default="localhost")
PORTAL_PORT = env.int("PORTAL_PORT", default=80)
PORTAL_SCHEME = env("PORTAL_SCHEME", default="http")

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["localhost", ".localhost", "127.0.0.1", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "cms",
    "sites.apps.PortalSitesConfig",
    "sensitive_words",
    "media_pipeline",
    "backend_bridge",
    "channels",
    "stats",
    "mini_programs",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.table_block",
    "wagtail.contrib.typed_table_block",
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
    "django_tasks",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "cms.request_limits.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "cms.health.HealthCheckMiddleware",
    "stats.counting.PageViewMiddleware",
    "cms.page_cache.PageCacheMiddleware",
    "cms.chrome.SiteChromeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "sites.middleware.ForcePasswordChangeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "cms.urls"
WSGI_APPLICATION = "cms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "cms" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "cms.context_processors.portal",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="gxxf"),
            "TIMEOUT": 3600,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "gxxf",
            "TIMEOUT": 3600,
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }
# Full-page cache lifetime for anonymous views (0 turns the cache off); publishing invalidates
# earlier (cms.page_cache).
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=600)

SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG and PORTAL_SCHEME == "https")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "SAMEORIGIN"
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_PROXY", default=False) else None
)
# The reverse proxies whose X-Forwarded-For is believed (addresses or CIDR ranges); the client is
# the right-most address that is not one of them (backend_bridge.web.client_ip). A forged header
# from a client is ignored. Default: the local nginx, when BEHIND_PROXY is on.
TRUSTED_PROXIES = env.list(
    "TRUSTED_PROXIES",
    default=["127.0.0.1", "::1"] if env.bool("BEHIND_PROXY", default=False) else [],
)
# django-ratelimit counts per client with the same address.
RATELIMIT_IP_META_KEY = "backend_bridge.web.client_ip"

# With DEBUG off the database backend is the default (workers: `manage.py db_worker`); the
# immediate backend (tasks run inside the web request) is the development default only.
TASKS_BACKEND = env("TASKS_BACKEND", default="immediate" if DEBUG else "database")
TASKS = {
    "default": {
        "BACKEND": {
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
            "database": "django_tasks_db.DatabaseBackend",
            "dummy": "django_tasks.backends.dummy.DummyBackend",
        }[TASKS_BACKEND],
    }
}

# PBKDF2-HMAC-SM3 first (商用密码); Django's own hashers only to verify passwords stored before.
PASSWORD_HASHERS = [
    "sites.hashers.PBKDF2SM3PasswordHasher",
    "sites.hashers.OneTimeSM3PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "sites.passwords.CharacterClassValidator"},
]
LOGIN_URL = "wagtailadmin_login"

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "static_collected")
STATICFILES_DIRS = [BASE_DIR / "cms" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env(
            "STATICFILES_STORAGE",
            default="django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
if env("AWS_STORAGE_BUCKET_NAME", default=""):
    # S3-compatible object storage (e.g. a domestic cloud's OSS/COS/OBS through their S3 API);
    # django-storages[s3] is a dependency (the backups' copies use it too).
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
            "access_key": env("AWS_ACCESS_KEY_ID", default=None),
            "secret_key": env("AWS_SECRET_ACCESS_KEY", default=None),
            "querystring_auth": False,
        },
    }
WHITENOISE_USE_FINDERS = DEBUG

WAGTAIL_SITE_NAME = "广西信访网站群"
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default="http://localhost:8000")
WAGTAIL_I18N_ENABLED = False
WAGTAIL_WORKFLOW_ENABLED = True
WAGTAIL_MODERATION_ENABLED = True
# Draftail with input that is not its contentstate handled as a form value, not a 500.
WAGTAILADMIN_RICH_TEXT_EDITORS = {"default": {"WIDGET": "cms.rich_text.SafeDraftailRichTextArea"}}
WAGTAIL_FINISH_WORKFLOW_ACTION = "cms.workflow_actions.publish_approved"
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
# Bodies above these are refused with 413 before they are read (cms.request_limits).
REQUEST_MAX_BYTES = env.int("REQUEST_MAX_BYTES", default=32 * 1024 * 1024)
REQUEST_MAX_BYTES_ADMIN = env.int("REQUEST_MAX_BYTES_ADMIN", default=1024 * 1024 * 1024)
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 64_000_000
WAGTAILDOCS_EXTENSIONS = [
    "pdf",
    "doc",
    "docx",
    "xls",
    "xlsx",
    "ppt",
    "pptx",
    "wps",
    "ofd",
    "txt",
    "zip",
]
WAGTAILSEARCH_BACKENDS = {
    "default": {
        "BACKEND": "wagtail.search.backends.database",
        # Chinese text is segmented by jieba before it is indexed (cms.search), so PostgreSQL
        # must not stem or drop it: the 'simple' configuration keeps every token.
        "SEARCH_CONFIG": "simple",
    }
}
# Each portal's watermark (its footer settings) reaches media_pipeline as data through this hook.
MEDIA_PIPELINE_WATERMARK_RESOLVER = "sites.media.watermark_for"
WAGTAILEMBEDS_FINDERS = []  # no third-party embeds: government sites carry no external trackers
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        logger: {"level": env("LOG_LEVEL_LIBRARIES", default="WARNING")}
        for logger in ("jieba", "wagtail", "django_tasks", "modelsearch")
    },
}

# --- backend_bridge: citizens' submissions and the bridge to the case system ---------------------
# The core case system (网上信访信息管理系统). With no URL the built-in case inbox in the Wagtail
# admin takes its place. Key and secret authenticate and sign our requests (HMAC-SM3).
CASE_SYSTEM_URL = env("CASE_SYSTEM_URL", default="")
CASE_SYSTEM_KEY = env("CASE_SYSTEM_KEY", default="")
CASE_SYSTEM_SECRET = env("CASE_SYSTEM_SECRET", default="")
CASE_SYSTEM_TIMEOUT = env.float("CASE_SYSTEM_TIMEOUT", default=10.0)
# Status webhooks from the case system are signed with this secret; older than the window = refused.
CASE_WEBHOOK_SECRET = env("CASE_WEBHOOK_SECRET", default="")
CASE_WEBHOOK_WINDOW_SECONDS = env.int("CASE_WEBHOOK_WINDOW_SECONDS", default=300)
# Personal data at rest: SM4 key (32 hex characters) and the HMAC-SM3 key of the blind index.
# No default: `make .env` generates random ones for development; production sets them.
PII_SM4_KEY = env("PII_SM4_KEY", default="")
PII_INDEX_KEY = env("PII_INDEX_KEY", default="")
# Outbox worker: lease of a claimed item, exponential backoff between attempts (seconds).
BRIDGE_LEASE_SECONDS = env.int("BRIDGE_LEASE_SECONDS", default=120)
BRIDGE_BACKOFF_BASE_SECONDS = env.int("BRIDGE_BACKOFF_BASE_SECONDS", default=30)
BRIDGE_BACKOFF_MAX_SECONDS = env.int("BRIDGE_BACKOFF_MAX_SECONDS", default=3600)
# Cases not updated for this long are pulled from the case system (bridge_pull).
BRIDGE_PULL_STALE_MINUTES = env.int("BRIDGE_PULL_STALE_MINUTES", default=60)
# Who receives the daily summary of failing and stuck outbox items (bridge_summary).
BRIDGE_SUMMARY_RECIPIENTS = env.list("BRIDGE_SUMMARY_RECIPIENTS", default=[])

# --- backend_bridge providers: SMS gateway and real-name verification (docs/providers.md) -------
# Dotted paths, like EMAIL_BACKEND. The console providers send nothing (development, tests).
SMS_PROVIDER = env("SMS_PROVIDER", default="backend_bridge.providers.ConsoleSmsProvider")
SMS_SIGN_NAME = env("SMS_SIGN_NAME", default="")  # the approved signature, e.g. 广西信访
SMS_TIMEOUT = env.float("SMS_TIMEOUT", default=5.0)
# The gateway's template code for verification codes and the variables it takes, in order.
SMS_TEMPLATE_VERIFICATION_CODE = env("SMS_TEMPLATE_VERIFICATION_CODE", default="verification_code")
SMS_VERIFICATION_PARAMS = env.list("SMS_VERIFICATION_PARAMS", default=["code", "minutes"])
SMS_ALIYUN_ACCESS_KEY_ID = env("SMS_ALIYUN_ACCESS_KEY_ID", default="")
SMS_ALIYUN_ACCESS_KEY_SECRET = env("SMS_ALIYUN_ACCESS_KEY_SECRET", default="")
SMS_ALIYUN_ENDPOINT = env("SMS_ALIYUN_ENDPOINT", default="https://dysmsapi.aliyuncs.com/")
SMS_ALIYUN_REGION_ID = env("SMS_ALIYUN_REGION_ID", default="cn-hangzhou")
SMS_TENCENT_SECRET_ID = env("SMS_TENCENT_SECRET_ID", default="")
SMS_TENCENT_SECRET_KEY = env("SMS_TENCENT_SECRET_KEY", default="")
SMS_TENCENT_SDK_APP_ID = env("SMS_TENCENT_SDK_APP_ID", default="")
SMS_TENCENT_ENDPOINT = env("SMS_TENCENT_ENDPOINT", default="https://sms.tencentcloudapi.com/")
SMS_TENCENT_REGION = env("SMS_TENCENT_REGION", default="ap-guangzhou")
# SMS codes: lifetime, wrong guesses allowed, and sending limits (0 turns a limit off).
SMS_CODE_TTL = env.int("SMS_CODE_TTL", default=300)
SMS_CODE_MAX_ATTEMPTS = env.int("SMS_CODE_MAX_ATTEMPTS", default=5)
SMS_LIMIT_PHONE_INTERVAL = env.int("SMS_LIMIT_PHONE_INTERVAL", default=60)  # seconds
SMS_LIMIT_PHONE_HOUR = env.int("SMS_LIMIT_PHONE_HOUR", default=5)
SMS_LIMIT_PHONE_DAY = env.int("SMS_LIMIT_PHONE_DAY", default=10)
SMS_LIMIT_IP_HOUR = env.int("SMS_LIMIT_IP_HOUR", default=20)
SMS_LIMIT_IP_DAY = env.int("SMS_LIMIT_IP_DAY", default=100)
SMS_LIMIT_GLOBAL_DAY = env.int("SMS_LIMIT_GLOBAL_DAY", default=20000)
CAPTCHA_TTL = env.int("CAPTCHA_TTL", default=300)
ID_VERIFY_PROVIDER = env("ID_VERIFY_PROVIDER", default="backend_bridge.providers.ConsoleIdVerifier")
ID_VERIFY_ENDPOINT = env("ID_VERIFY_ENDPOINT", default="")
ID_VERIFY_APP_KEY = env("ID_VERIFY_APP_KEY", default="")
ID_VERIFY_APP_SECRET = env("ID_VERIFY_APP_SECRET", default="")
ID_VERIFY_SIGN_METHOD = env("ID_VERIFY_SIGN_METHOD", default="HMAC-SHA256")  # or HMAC-SM3
ID_VERIFY_TIMEOUT = env.float("ID_VERIFY_TIMEOUT", default=5.0)
ID_VERIFY_RETRIES = env.int("ID_VERIFY_RETRIES", default=2)

# --- sensitive_words: the check API for staff and channel services (docs/operations.md) --------
# Services allowed to call POST /api/v1/sensitive-words/check, as comma-separated entries
# name:sha256-hex-of-the-key: the environment holds digests only, never the keys themselves.
SENSITIVE_WORDS_API_KEYS = env.list("SENSITIVE_WORDS_API_KEYS", default=[])
# Requests per caller (each key name, each staff user), e.g. 120/m, 10/s, 5000/h; counted in the
# cache (Redis in production, so that every web node shares the count). Empty turns it off.
SENSITIVE_WORDS_API_RATE = env("SENSITIVE_WORDS_API_RATE", default="120/m")

# --- channels (publish once, reach every channel) ---------------------------------------------
# Channels besides the WeChat accounts: a list of {"class": dotted path, "code", "label", ...}.
CHANNELS = env.json("CHANNELS", default=[])
CHANNELS_LEASE_SECONDS = env.int("CHANNELS_LEASE_SECONDS", default=300)
CHANNELS_BACKOFF_BASE_SECONDS = env.int("CHANNELS_BACKOFF_BASE_SECONDS", default=60)
CHANNELS_BACKOFF_MAX_SECONDS = env.int("CHANNELS_BACKOFF_MAX_SECONDS", default=3600)
CHANNELS_MAX_ATTEMPTS = env.int("CHANNELS_MAX_ATTEMPTS", default=8)
CHANNELS_STUCK_SECONDS = env.int("CHANNELS_STUCK_SECONDS", default=1800)
# Body pictures of one WeChat article uploaded at the same time (media/uploadimg).
WECHAT_UPLOAD_CONCURRENCY = env.int("WECHAT_UPLOAD_CONCURRENCY", default=4)

# --- channels: WeChat official accounts (docs/operations.md "WeChat official accounts") ---------
# Where the API is reached; a forward proxy or the test simulator may stand in for WeChat.
WECHAT_API_BASE = env("WECHAT_API_BASE", default="https://api.weixin.qq.com")
# A JSON list of accounts: [{"code", "name", "kind": "service"|"subscription", "app_id", "secret",
# "token", "aes_key"}]. Parsed and checked by channels.wechat.accounts; no account by default.
WECHAT_ACCOUNTS = env("WECHAT_ACCOUNTS", default="[]")
# Seconds before a call to WeChat gives up; "busy" (-1) answers retried this often, with
# exponential backoff from this many seconds.
WECHAT_TIMEOUT = env.float("WECHAT_TIMEOUT", default=10.0)
WECHAT_BUSY_RETRIES = env.int("WECHAT_BUSY_RETRIES", default=3)
WECHAT_BUSY_BACKOFF_SECONDS = env.float("WECHAT_BUSY_BACKOFF_SECONDS", default=1.0)
# Message callback (/wechat/<code>/): a request whose timestamp is further than this from our
# clock is refused as a replay (keep the hosts on NTP).
WECHAT_CALLBACK_MAX_AGE_SECONDS = env.int("WECHAT_CALLBACK_MAX_AGE_SECONDS", default=300)

# --- channels: WeChat H5 pages and subscribe messages (docs/wechat-h5.md) ----------------------
# Where the citizen's WeChat is sent for web authorisation (snsapi_base); the test simulator
# stands in for it.
WECHAT_OPEN_BASE = env("WECHAT_OPEN_BASE", default="https://open.weixin.qq.com")
# Subscribe-message (订阅通知) templates per account: {"<account code>": [{"template_id",
# "title", "statuses": [...], "data": {"thing1": "{title}", ...}}]}. None: no notice offered.
WECHAT_NOTICE_TEMPLATES = env.json("WECHAT_NOTICE_TEMPLATES", default={})

# --- APP content API (channels/app): HTTP caching of its read endpoints ---
APP_API_MAX_AGE = env.int("APP_API_MAX_AGE", default=60)
APP_API_CACHE_SECONDS = env.int("APP_API_CACHE_SECONDS", default=PAGE_CACHE_SECONDS)
# Its shared-cache hits are answered right after the portal page cache, before sessions.
MIDDLEWARE.insert(
    MIDDLEWARE.index("cms.page_cache.PageCacheMiddleware") + 1,
    "channels.app.caching.AppCacheMiddleware",
)
# --- Statistics (stats/): page views counted by the system itself, no tracker, no address kept ---
STATS_COUNTING = env.bool("STATS_COUNTING", default=True)
# A process writes its counts every STATS_FLUSH_SECONDS or STATS_FLUSH_HITS views, and at exit
# (a flush costs by distinct pages and visitors, not by views).
STATS_FLUSH_SECONDS = env.float("STATS_FLUSH_SECONDS", default=5.0)
STATS_FLUSH_HITS = env.int("STATS_FLUSH_HITS", default=20000)
# --- mini_programs: the canteen's meal-ordering mini-program (docs/mini-program.md) -------------
# {"app_id", "secret", "entity" (主体), "filing_number" (备案号), "name", "previous_app_id" (during
# a change of owning entity), "templates": {"reminder": ..., "meal_cancelled": ...}}; calls go to
# WECHAT_API_BASE like the official accounts'.
WECHAT_MINI_PROGRAM = env.json("WECHAT_MINI_PROGRAM", default={})
# Lifetime of the backend's own session token handed to the mini-program (seconds).
MP_SESSION_TTL = env.int("MP_SESSION_TTL", default=24 * 3600)
MP_NOTICE_LEASE_SECONDS = env.int("MP_NOTICE_LEASE_SECONDS", default=120)
# --- channels: the APP's citizen services, accounts, push and the staff APP (docs/app-api.md)
# Lifetimes of the APP's tokens, in seconds: access tokens are short, refresh tokens rotate.
APP_ACCESS_TOKEN_SECONDS = env.int("APP_ACCESS_TOKEN_SECONDS", default=15 * 60)
APP_REFRESH_TOKEN_SECONDS = env.int("APP_REFRESH_TOKEN_SECONDS", default=30 * 86400)
APP_STAFF_REFRESH_TOKEN_SECONDS = env.int("APP_STAFF_REFRESH_TOKEN_SECONDS", default=12 * 3600)
# Writes allowed per device and per client address (django-ratelimit rates, e.g. 30/m).
APP_WRITE_RATE_DEVICE = env("APP_WRITE_RATE_DEVICE", default="30/m")
APP_WRITE_RATE_IP = env("APP_WRITE_RATE_IP", default="120/m")
# Device attestation instead of the picture captcha for SMS codes: a verifier class (dotted
# path) and, for the HTTP verifier, its URL and shared secret. Empty: the captcha is required.
APP_ATTESTATION_PROVIDER = env("APP_ATTESTATION_PROVIDER", default="")
APP_ATTESTATION_URL = env("APP_ATTESTATION_URL", default="")
APP_ATTESTATION_SECRET = env("APP_ATTESTATION_SECRET", default="")
APP_ATTESTATION_TIMEOUT = env.float("APP_ATTESTATION_TIMEOUT", default=5.0)
# Push of status changes: the provider classes, comma-separated (each serves the devices that
# registered with its code: console for development; channels.app.push.HuaweiPushProvider for
# HUAWEI Push Kit), and the vendors' endpoints and credentials.
APP_PUSH_PROVIDERS = env.list(
    "APP_PUSH_PROVIDERS", default=["channels.app.push.ConsolePushProvider"]
)
APP_PUSH_TIMEOUT = env.float("APP_PUSH_TIMEOUT", default=10.0)
APP_PUSH_MAX_ATTEMPTS = env.int("APP_PUSH_MAX_ATTEMPTS", default=6)
PUSH_HUAWEI_APP_ID = env("PUSH_HUAWEI_APP_ID", default="")
PUSH_HUAWEI_CLIENT_SECRET = env("PUSH_HUAWEI_CLIENT_SECRET", default="")
PUSH_HUAWEI_OAUTH_URL = env(
    "PUSH_HUAWEI_OAUTH_URL", default="https://oauth-login.cloud.huawei.com/oauth2/v3/token"
)
PUSH_HUAWEI_API_BASE = env("PUSH_HUAWEI_API_BASE", default="https://push-api.cloud.huawei.com")
# --- security: sign-in, second factor, passwords, sessions, HTTP hardening (docs/security.md) ---
INSTALLED_APPS += [  # noqa: F405
    "security",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
]
# Headers first (so that cached pages get them too), the second factor right after sign-in, the
# session and second-factor guards once messages work, axes last (its docs ask for that).
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "security.middleware.ContentSecurityPolicyMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
MIDDLEWARE[
    MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1 : (
        MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1
    )
] = [
    "security.middleware.SessionTimeoutMiddleware",
    "security.middleware.SecondFactorMiddleware",
]
MIDDLEWARE.append("axes.middleware.AxesMiddleware")

# Lockout (django-axes): per username and per client address, separately.
AUTHENTICATION_BACKENDS = [
    "security.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# First lockout lasts LOGIN_LOCKOUT_MINUTES, each further one that day twice as long, at most
# LOGIN_LOCKOUT_MAX_MINUTES; then it ends by itself (security.lockout.cool_off).
LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", default=30)
LOGIN_LOCKOUT_MAX_MINUTES = env.int("LOGIN_LOCKOUT_MAX_MINUTES", default=24 * 60)
AXES_COOLOFF_TIME = "security.lockout.cool_off"
AXES_CLIENT_IP_CALLABLE = "backend_bridge.web.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "security.lockout.lockout_response"
AXES_VERBOSE = False
WAGTAILADMIN_USER_LOGIN_FORM = "security.forms.AdminLoginForm"

# Second factor (django-otp): TOTP apps, or SMS codes through SMS_PROVIDER.
OTP_TOTP_ISSUER = "广西信访网站群"
OTP_SMS_TOKEN_SECONDS = env.int("OTP_SMS_TOKEN_SECONDS", default=300)

# Passwords: besides the validators above, the username never inside, no reuse of the last
# PASSWORD_HISTORY_DEPTH, expiry after PASSWORD_MAX_AGE_DAYS (0: never) with a warning before.
for _validator in AUTH_PASSWORD_VALIDATORS:  # noqa: F405
    if _validator["NAME"].endswith(".MinimumLengthValidator"):
        _validator["NAME"] = "security.passwords.MinimumLengthValidator"
AUTH_PASSWORD_VALIDATORS += [  # noqa: F405
    {"NAME": "security.passwords.UsernameNotContainedValidator"},
    {"NAME": "security.passwords.PasswordHistoryValidator"},
]
PASSWORD_HISTORY_DEPTH = env.int("PASSWORD_HISTORY_DEPTH", default=5)
PASSWORD_MAX_AGE_DAYS = env.int("PASSWORD_MAX_AGE_DAYS", default=90)
PASSWORD_EXPIRY_WARNING_DAYS = env.int("PASSWORD_EXPIRY_WARNING_DAYS", default=14)

# Sessions: signed-in staff are signed out after SESSION_IDLE_TIMEOUT seconds without a request,
# and SESSION_COOKIE_AGE after sign-in whatever they do.
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_COOKIE_SAMESITE = "Lax"

# HTTPS: on when the portals are served over https (PORTAL_SCHEME) or HTTPS=1.
HTTPS = env.bool("HTTPS", default=PORTAL_SCHEME == "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]  # the load balancer's probes on plain HTTP
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=HTTPS)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=HTTPS)
if HTTPS:
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
# No page of ours is framed except Wagtail's preview, which sets SAMEORIGIN for itself.
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)

# Content-Security-Policy (django-csp). Public pages: nothing inline, no nonces (pages are cached
# whole); the WeChat JS-SDK for the H5 pages. CSP_EXTRA_SOURCES adds hosts (e.g. the media
# bucket's domain) to img-src and media-src.
_CSP_EXTRA = env.list("CSP_EXTRA_SOURCES", default=[])
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", "https://res.wx.qq.com"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *_CSP_EXTRA],
        "media-src": ["'self'", *_CSP_EXTRA],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
        **({"upgrade-insecure-requests": True} if HTTPS else {}),
    }
}
# The admin's screens (/admin/, /django-admin/) get a policy of their own, as closed otherwise:
# scripts from our files, or inline only with the response's nonce (the few initialisers Wagtail
# still writes inline get it: security.admin_csp); no 'unsafe-inline' for scripts.
# --- admin style-src: why it keeps 'unsafe-inline' (docs/security.md, 后台内容安全策略) -----------
# Wagtail's rich-text editor (Draftail) writes <style> elements at run time (its placeholders and
# list depths, with the editor's random block keys in them): no nonce reaches them and no hash
# stays the same, so <style> elements keep 'unsafe-inline'. Style attributes are closed
# (style-src-attr 'none'): neither our templates nor Wagtail's write any; scripts set styles
# through the CSSOM, which CSP does not govern. Our own screens' CSS is in static files.
# --- end of admin style-src ---------------------------------------------------------------------
CONTENT_SECURITY_POLICY_ADMIN = {
    "DIRECTIVES": {
        **CONTENT_SECURITY_POLICY["DIRECTIVES"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", "'unsafe-inline'"],
        "style-src-attr": ["'none'"],
        "img-src": ["'self'", "data:", "blob:", *_CSP_EXTRA],
        "media-src": ["'self'", "blob:", *_CSP_EXTRA],
    }
}
# Only benchmarks and drills on loopback start the WSGI application with the console providers
# and DEBUG off (security.checks).
ALLOW_DEVELOPMENT_PROVIDERS = env.bool("ALLOW_DEVELOPMENT_PROVIDERS", default=False)
LOGGING["loggers"]["axes"] = {"level": env("LOG_LEVEL_LIBRARIES", default="WARNING")}
# --- cms: public error pages (cms.errors) -------------------------------------------------------
# A refused CSRF token on a public form answers in Chinese in the portal's chrome.
CSRF_FAILURE_VIEW = "cms.errors.csrf_failure"
# --- audit (安全审计, docs/security.md) ------------------------------------------------------------
# The append-only audit log with its HMAC-SM3 chain; the middleware gives receivers the request's
# user, client address and user agent.
INSTALLED_APPS += ["audit"]  # noqa: F405
MIDDLEWARE += [  # noqa: F405
    "audit.context.AuditContextMiddleware",
    # Wagtail's "no permission" redirect to the dashboard becomes a 403 (and an audit record).
    "sites.admin_isolation.AdminForbiddenMiddleware",
]
# Key of the chain's HMAC-SM3 (hex). Unset: derived from SECRET_KEY (set it in production, and
# keep it when SECRET_KEY rotates, or older records no longer verify).
AUDIT_HMAC_KEY = env("AUDIT_HMAC_KEY", default="")
# Days records are kept at least; audit_purge refuses anything younger (never below 183).
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=183)

# --- key versions of personal data (rotate_keys, docs/security.md "密钥轮换") ---------------------
# The version of PII_SM4_KEY / PII_INDEX_KEY, and the earlier keys still readable during and after
# a rotation, as comma-separated "version:hex" entries. Retire an old key only when rotate_keys
# reports that nothing depends on it any more.
PII_SM4_KEY_VERSION = env.int("PII_SM4_KEY_VERSION", default=1)
PII_SM4_OLD_KEYS = env.list("PII_SM4_OLD_KEYS", default=[])
PII_INDEX_KEY_VERSION = env.int("PII_INDEX_KEY_VERSION", default=1)
PII_INDEX_OLD_KEYS = env.list("PII_INDEX_OLD_KEYS", default=[])
# Whose media jobs a user sees in the media pipeline's screens: the staff of the same portal.
MEDIA_PIPELINE_JOB_COLLEAGUES = "sites.media.colleagues"
# --- operations: graceful failure, backup, inspection (docs/operations.md) ---------------------
INSTALLED_APPS += ["operations"]
# A database that is down or read-only answers a static maintenance page (503), not 500s.
MIDDLEWARE.insert(0, "operations.maintenance.MaintenanceMiddleware")
# Captchas and rate limits use the cache alias "limits": with Redis it falls back to the database
# cache (table operations_cache_entry) while Redis is down; "default" then answers as a miss
# (pages served uncached). Both leave Redis alone for CACHE_RETRY_SECONDS after a failure.
RATELIMIT_USE_CACHE = "limits"
if REDIS_URL:
    _redis_options = {
        "socket_connect_timeout": env.float("REDIS_CONNECT_TIMEOUT", default=0.5),
        "socket_timeout": env.float("REDIS_TIMEOUT", default=1.0),
        "RETRY_SECONDS": env.float("CACHE_RETRY_SECONDS", default=30),
    }
    CACHES["default"]["BACKEND"] = "operations.cache.TolerantRedisCache"
    CACHES["default"]["OPTIONS"] = dict(_redis_options)
    CACHES["limits"] = {
        **CACHES["default"],
        "OPTIONS": {**_redis_options, "FALLBACK": "database"},
    }
    CACHES["database"] = {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "operations_cache_entry",
        "KEY_PREFIX": CACHES["default"]["KEY_PREFIX"],
        "TIMEOUT": 3600,
        "OPTIONS": {"MAX_ENTRIES": 100000},
    }
else:
    CACHES["limits"] = dict(CACHES["default"])  # the same local-memory store
# Backups (manage.py backup): SM4 key, 32 hex characters; set, archives are encrypted by default.
BACKUP_SM4_KEY = env("BACKUP_SM4_KEY", default="")
# Copies of the backups in S3-compatible object storage (domestic clouds' OSS/COS/OBS speak the
# S3 API), through django-storages' S3Storage like the media: empty bucket, no copies.
BACKUP_S3_BUCKET = env("BACKUP_S3_BUCKET", default="")
BACKUP_S3_ENDPOINT_URL = env("BACKUP_S3_ENDPOINT_URL", default=None)
BACKUP_S3_REGION = env("BACKUP_S3_REGION", default=None)
BACKUP_S3_ACCESS_KEY_ID = env("BACKUP_S3_ACCESS_KEY_ID", default=None)
BACKUP_S3_SECRET_ACCESS_KEY = env("BACKUP_S3_SECRET_ACCESS_KEY", default=None)
BACKUP_S3_PREFIX = env("BACKUP_S3_PREFIX", default="backups")
# "virtual" for stores that refuse path-style addresses (OSS), "path" for MinIO and the like.
BACKUP_S3_ADDRESSING_STYLE = env("BACKUP_S3_ADDRESSING_STYLE", default="auto")
BACKUP_S3_TIMEOUT = env.float("BACKUP_S3_TIMEOUT", default=60.0)
BACKUP_S3_MAX_ATTEMPTS = env.int("BACKUP_S3_MAX_ATTEMPTS", default=3)
# System health inspection (manage.py inspect_sites): thresholds of the national check indicators.
INSPECTION_NEWS_STALE_DAYS = env.int("INSPECTION_NEWS_STALE_DAYS", default=14)
INSPECTION_NOTICE_STALE_DAYS = env.int("INSPECTION_NOTICE_STALE_DAYS", default=180)
INSPECTION_MESSAGE_WARN_DAYS = env.int("INSPECTION_MESSAGE_WARN_DAYS", default=30)
INSPECTION_MESSAGE_LIMIT_DAYS = env.int("INSPECTION_MESSAGE_LIMIT_DAYS", default=90)
INSPECTION_WECHAT_STALE_DAYS = env.int("INSPECTION_WECHAT_STALE_DAYS", default=14)
INSPECTION_SLOW_MS = env.int("INSPECTION_SLOW_MS", default=3000)
INSPECTION_MAX_PAGES = env.int("INSPECTION_MAX_PAGES", default=500)
INSPECTION_LINK_TIMEOUT = env.float("INSPECTION_LINK_TIMEOUT", default=5.0)
INSPECTION_LINK_CONCURRENCY = env.int("INSPECTION_LINK_CONCURRENCY", default=8)
INSPECTION_LINK_CACHE_SECONDS = env.int("INSPECTION_LINK_CACHE_SECONDS", default=6 * 3600)
INSPECTION_NETWORK_PROBE_URL = env("INSPECTION_NETWORK_PROBE_URL", default="https://www.gov.cn/")
INSPECTION_BACKLOG_MINUTES = env.int("INSPECTION_BACKLOG_MINUTES", default=30)
INSPECTION_DISK_FREE_PERCENT = env.float("INSPECTION_DISK_FREE_PERCENT", default=10.0)
INSPECTION_CERT_WARN_DAYS = env.int("INSPECTION_CERT_WARN_DAYS", default=30)
INSPECTION_BACKUP_DIR = env("INSPECTION_BACKUP_DIR", default="")
INSPECTION_BACKUP_MAX_AGE_HOURS = env.int("INSPECTION_BACKUP_MAX_AGE_HOURS", default=36)
INSPECTION_ACCESS_LOG = env("INSPECTION_ACCESS_LOG", default="")
INSPECTION_ERROR_RATE_PERCENT = env.float("INSPECTION_ERROR_RATE_PERCENT", default=1.0)
# --- citizens' forms (issue 12): the query code texted after a submission -------------------
# The template registered with the SMS gateway for it, and the names of its variables.
SMS_TEMPLATE_QUERY_CODE = env("SMS_TEMPLATE_QUERY_CODE", default="query_code")
SMS_QUERY_CODE_PARAMS = env.list("SMS_QUERY_CODE_PARAMS", default=["code"])

# --- the admin in Chinese, on the intranet (issue 12) ----------------------------------------
# No avatar fetched from Gravatar: staff's addresses never leave the intranet.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# Staff work in Chinese, in Guangxi's time zone: no list of foreign languages and zones.
WAGTAILADMIN_PERMITTED_LANGUAGES = [("zh-hans", "简体中文")]
WAGTAIL_USER_TIME_ZONES = ["Asia/Shanghai"]
# (WAGTAILADMIN_USER_LOGIN_FORM is security.forms.AdminLoginForm, built on cms.admin_forms.PortalLoginForm.)

# Mail: printed on the console in development (no traceback from an unreachable mail server);
# SMTP from the environment in production.
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
# Staff names as one 姓名 field (sites.admin_users): Wagtail's users app with the project's viewset.
INSTALLED_APPS = [
    "sites.users_app.PortalUsersConfig" if app == "wagtail.users" else app for app in INSTALLED_APPS
]
# --- static_publish: static pages and tamper detection (issue 15, docs/static-publishing.md) ---
# Where the published tree is written (read by nginx, written by the task workers). Empty: static
# publishing is off, and the page cache keeps serving anonymous pages (cms.page_cache).
INSTALLED_APPS += ["static_publish"]
STATIC_PUBLISH_ROOT = env("STATIC_PUBLISH_ROOT", default="")
# Brotli quality of the pre-compressed .br files (0-11): 11 is the smallest and the slowest.
STATIC_PUBLISH_BROTLI_QUALITY = env.int("STATIC_PUBLISH_BROTLI_QUALITY", default=11)

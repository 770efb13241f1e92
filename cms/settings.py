"""The one settings module: every deployment difference comes from the environment (12-factor).

Embedded defaults (SQLite, local-memory cache, immediate tasks) make ``make run`` and ``make test``
work on a fresh machine; production sets ``DATABASE_URL``, ``REDIS_URL``, ``SECRET_KEY``,
``ALLOWED_HOSTS`` and storage variables. Nothing secret has a default.
"""

from pathlib import Path

import environ

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

TASKS_BACKEND = env("TASKS_BACKEND", default="immediate")
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
    # needs `pip install django-storages[s3]` on hosts that use it.
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
WAGTAILADMIN_USER_LOGIN_FORM = "cms.admin_forms.PortalLoginForm"

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

"""Settings for the test suite: the one settings module plus what only tests need.

SECRET_KEY is random per run; the password hasher is fast. DATABASE_URL and REDIS_URL are still
read from the environment, so the same suite runs on SQLite/local memory and on PostgreSQL/Redis.
"""

import os
import secrets

# Tests never read a developer's .env: what they see is only this file and the real environment.
os.environ["DJANGO_READ_DOT_ENV"] = "0"
os.environ.setdefault("SECRET_KEY", "test-" + secrets.token_urlsafe(32))
for _name in ("PII_SM4_KEY", "PII_INDEX_KEY", "CASE_WEBHOOK_SECRET", "CASE_SYSTEM_SECRET"):
    os.environ.setdefault(_name, secrets.token_hex(16))

from cms.settings import *  # noqa: E402,F403
from cms.settings import BASE_DIR, CACHES, REDIS_URL  # noqa: E402

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "sites.hashers.OneTimeSM3PasswordHasher",
]
MEDIA_ROOT = BASE_DIR / ".test-media"
STATIC_ROOT = BASE_DIR / ".test-media" / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
if REDIS_URL:
    # Each run uses its own prefix so parallel runs and earlier runs never see each other's keys.
    CACHES["default"]["KEY_PREFIX"] = "test-" + secrets.token_hex(4)
    for _alias in ("limits", "database"):
        if _alias in CACHES:
            CACHES[_alias]["KEY_PREFIX"] = CACHES["default"]["KEY_PREFIX"]
# Counts are written when a test flushes them (stats.counting.flush), never in the middle of one.
STATS_FLUSH_SECONDS = 3600.0
STATS_FLUSH_HITS = 10**9

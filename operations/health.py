"""Readiness of this node for the load balancer (/readyz), as reason codes only.

The public may reach /readyz, so the answer names what failed with a fixed code and never a host
name, port or error text; the details go to the log. The database is required: without it the
node answers 503 and the load balancer takes it out. Redis is not: pages are served uncached and
captchas and rate limits fall back to the database (``operations.cache``), so a cache failure
answers 200 with ``"status": "degraded"`` (every node would otherwise be taken out at once).
"""

from __future__ import annotations

import logging
import uuid

from django.core.cache import caches
from django.db import DatabaseError, connection

logger = logging.getLogger(__name__)

DATABASE_UNREACHABLE = "database_unreachable"
DATABASE_READ_ONLY = "database_read_only"
CACHE_UNREACHABLE = "cache_unreachable"
REQUIRED = {DATABASE_UNREACHABLE, DATABASE_READ_ONLY}


def _database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
            if connection.vendor == "postgresql":
                cursor.execute("SHOW transaction_read_only")
                if cursor.fetchone()[0] == "on":
                    return DATABASE_READ_ONLY
    except DatabaseError as exc:
        logger.warning("readyz: database check failed: %s: %s", type(exc).__name__, exc)
        return DATABASE_UNREACHABLE
    return None


def _cache() -> str | None:
    cache = caches["default"]
    try:
        if hasattr(cache, "ping"):
            cache.ping()  # the tolerant cache would hide the failure from set/get
        token = uuid.uuid4().hex
        cache.set("readyz:probe", token, 10)
        if cache.get("readyz:probe") != token:
            raise RuntimeError("value not read back")
    except Exception as exc:  # noqa: BLE001 - any failure is a reason code, details logged
        logger.warning("readyz: cache check failed: %s: %s", type(exc).__name__, exc)
        return CACHE_UNREACHABLE
    return None


def readiness() -> dict:
    """``{"status": "ok"|"degraded"|"unavailable", "checks": {...}, "reasons": [...]}``."""
    checks = {"database": _database() or "ok", "cache": _cache() or "ok"}
    reasons = [code for code in checks.values() if code != "ok"]
    if any(code in REQUIRED for code in reasons):
        status = "unavailable"
    else:
        status = "degraded" if reasons else "ok"
    return {"status": status, "checks": checks, "reasons": reasons}

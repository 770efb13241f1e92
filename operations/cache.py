"""A Redis cache that tolerates Redis being down (降级运行).

``TolerantRedisCache`` is Django's ``RedisCache`` whose every operation survives a Redis failure:
the error is logged once, Redis is left alone for ``RETRY_SECONDS`` (so a dead server does not
cost every request a connection timeout) and the call goes to the ``FALLBACK`` cache alias when
one is configured (captchas and rate limits use the alias ``limits``, whose fallback is the
database cache), otherwise it answers as a miss (pages are then served uncached, the site chrome
is rebuilt from the database, sessions are read from the database).

A write that was lost while Redis was down may leave a stale generation token or chrome in Redis;
the first process that lost a write empties the cache when Redis answers again, so nothing stale
outlives the outage.
"""

from __future__ import annotations

import logging
import time

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

_MISS_RESULTS = {
    "get": lambda args, kwargs: kwargs.get("default", args[1] if len(args) > 1 else None),
    "get_many": lambda args, kwargs: {},
    "has_key": lambda args, kwargs: False,
    "set": lambda args, kwargs: None,
    "add": lambda args, kwargs: False,
    "touch": lambda args, kwargs: False,
    "delete": lambda args, kwargs: False,
    "set_many": lambda args, kwargs: list(args[0]) if args else [],
    "delete_many": lambda args, kwargs: None,
    "clear": lambda args, kwargs: False,
}
_WRITES = {"set", "add", "touch", "delete", "set_many", "delete_many", "incr", "decr", "clear"}


def _redis_errors() -> tuple[type[BaseException], ...]:
    import redis

    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


class TolerantRedisCache(RedisCache):
    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        self.fallback_alias = options.pop("FALLBACK", None)
        self.retry_seconds = float(options.pop("RETRY_SECONDS", 30))
        params = {**params, "OPTIONS": options}
        super().__init__(server, params)
        self._down_until = 0.0
        self._lost_writes = False

    # -- state ---------------------------------------------------------------------------------
    @property
    def available(self) -> bool:
        return time.monotonic() >= self._down_until

    def ping(self) -> None:
        """Raise if Redis does not answer (for /readyz; bypasses the tolerance)."""
        self._cache.get_client(write=False).ping()

    def _fallback(self):
        return caches[self.fallback_alias] if self.fallback_alias else None

    def _failed(self, name: str, exc: BaseException) -> None:
        if self.available:
            logger.warning(
                "Redis cache unavailable (%s: %s); %s for %.0f s",
                type(exc).__name__,
                exc,
                f"using cache '{self.fallback_alias}'"
                if self.fallback_alias
                else "serving uncached",
                self.retry_seconds,
            )
        self._down_until = time.monotonic() + self.retry_seconds

    def _call(self, name: str, *args, **kwargs):
        if self.available:
            try:
                if self._lost_writes:
                    # Before anything is read again: what Redis holds may be stale.
                    logger.warning("Redis cache is back; emptying it of what the outage left stale")
                    super().clear()
                    self._lost_writes = False
                return getattr(super(), name)(*args, **kwargs)
            except _redis_errors() as exc:
                self._failed(name, exc)
        if name in _WRITES and not self.fallback_alias:
            self._lost_writes = True
        fallback = self._fallback()
        if fallback is not None:
            return getattr(fallback, name)(*args, **kwargs)
        if name in ("incr", "decr"):
            raise ValueError("缓存不可用")
        return _MISS_RESULTS[name](args, kwargs)

    def get(self, *args, **kwargs):
        return self._call("get", *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._call("get_many", *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._call("has_key", *args, **kwargs)

    def set(self, *args, **kwargs):
        return self._call("set", *args, **kwargs)

    def add(self, *args, **kwargs):
        return self._call("add", *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._call("touch", *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._call("delete", *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._call("set_many", *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._call("delete_many", *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._call("incr", *args, **kwargs)

    def decr(self, *args, **kwargs):
        return self._call("decr", *args, **kwargs)

    def clear(self, *args, **kwargs):
        return self._call("clear", *args, **kwargs)

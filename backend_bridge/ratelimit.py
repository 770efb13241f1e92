"""A small sliding-window rate limiter over Django's cache, shared by every process and host.

A window of ``window`` seconds is cut into ``buckets`` equal slices; each slice is one cache
counter (``cache.add`` then ``cache.incr``, both atomic on Redis and in local memory). A hit
increments the current slice and then sums the slices still inside the window: over the limit,
the hit is taken back and refused with the number of seconds until enough old slices leave the
window. The window therefore slides with a precision of one slice (window / buckets), without
the double burst a fixed window allows at its boundary.

Concurrent hits near the limit may both be refused (each sees the other's increment) but never
both allowed beyond it. Identifiers (phones, IP addresses) are hashed before they become keys.

Time comes from ``clock`` (``time.time`` unless a caller or a test passes another), and the
slice index is part of the key, so a test can move the clock without waiting for cache expiry.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches

KEY_PREFIX = "bb:rl"


@dataclass(frozen=True)
class Decision:
    """The outcome of a hit: allowed or not, and when to try again (whole seconds, ≥ 1)."""

    allowed: bool
    count: int
    limit: int
    retry_after: int = 0


class RateLimit:
    """At most ``limit`` hits per ``window`` seconds for each identifier.

    ``name`` separates limits from each other ("sms-phone-hour"); ``buckets`` sets the precision
    of the sliding window. ``RateLimit("lookup", 5, 900).hit(query_code)`` → ``Decision``.
    """

    def __init__(
        self,
        name: str,
        limit: int,
        window: int,
        *,
        buckets: int = 12,
        cache_alias: str | None = None,
        clock: Callable[[], float] | None = None,
    ):
        if limit < 0 or window <= 0 or buckets <= 0:
            raise ValueError("limit must be ≥ 0, window and buckets > 0")
        self.name = name
        self.limit = limit
        self.window = int(window)
        self.slice = max(1, math.ceil(self.window / buckets))
        self.buckets = math.ceil(self.window / self.slice)
        self.cache_alias = cache_alias
        self.clock = clock or time.time

    @property
    def _cache(self):
        # None: the rate-limit alias, which falls back to the database while Redis is down.
        return caches[self.cache_alias or getattr(settings, "RATELIMIT_USE_CACHE", "default")]

    def _ident(self, identifier: str) -> str:
        # Keyed so that the cache (often shared, sometimes inspected) holds no phone numbers.
        return hmac.new(
            settings.SECRET_KEY.encode(), str(identifier).encode(), hashlib.sha256
        ).hexdigest()[:32]

    def _key(self, ident: str, index: int) -> str:
        return f"{KEY_PREFIX}:{self.name}:{ident}:{index}"

    def _indices(self, now: float) -> list[int]:
        current = int(now // self.slice)
        return list(range(current - self.buckets + 1, current + 1))

    def _counts(self, ident: str, indices: Iterable[int]) -> list[tuple[int, int]]:
        keys = {self._key(ident, i): i for i in indices}
        found = self._cache.get_many(list(keys))
        return sorted((i, int(found.get(k) or 0)) for k, i in keys.items())

    def _incr(self, key: str, delta: int = 1) -> int:
        # The slice lives a little longer than the window so it is still there while counted.
        ttl = self.window + self.slice + 60
        cache = self._cache
        for _ in range(3):
            if delta > 0 and cache.add(key, delta, ttl):
                return delta
            try:
                value = cache.incr(key, delta)
            except ValueError:  # expired between add and incr: start it again
                if delta < 0:
                    return 0
                continue
            if value == delta and delta > 0:
                # Redis INCR recreates a key that expired under it, without a TTL.
                cache.touch(key, ttl)
            return value
        return cache.incr(key, delta)

    def _retry_after(self, counts: list[tuple[int, int]], total: int, now: float) -> int:
        """Seconds until the oldest slices have left the window enough for one more hit."""
        need = total + 1 - self.limit
        dropped = 0
        for index, count in counts:
            dropped += count
            if dropped >= need:
                leaves_at = (index + self.buckets) * self.slice
                return max(1, math.ceil(leaves_at - now))
        return self.window

    def peek(self, identifier: str, *, now: float | None = None) -> Decision:
        """Would a hit be allowed now? Counts nothing."""
        now = self.clock() if now is None else now
        ident = self._ident(identifier)
        counts = self._counts(ident, self._indices(now))
        total = sum(c for _, c in counts)
        if total + 1 <= self.limit:
            return Decision(True, total, self.limit)
        return Decision(False, total, self.limit, self._retry_after(counts, total, now))

    def hit(self, identifier: str, *, now: float | None = None) -> Decision:
        """Count one hit if the limit allows it; a refused hit is not counted."""
        now = self.clock() if now is None else now
        ident = self._ident(identifier)
        indices = self._indices(now)
        current_key = self._key(ident, indices[-1])
        self._incr(current_key)
        counts = self._counts(ident, indices)
        total = sum(c for _, c in counts)
        if total <= self.limit:
            return Decision(True, total, self.limit)
        self._incr(current_key, -1)
        counts = [(i, c - 1 if i == indices[-1] else c) for i, c in counts]
        return Decision(False, total - 1, self.limit, self._retry_after(counts, total - 1, now))

    def undo(self, identifier: str, *, now: float | None = None) -> None:
        """Take back a hit counted at ``now`` (e.g. when a later limit refused the same request)."""
        now = self.clock() if now is None else now
        key = self._key(self._ident(identifier), int(now // self.slice))
        if self._cache.get(key):
            self._incr(key, -1)

    def reset(self, identifier: str, *, now: float | None = None) -> None:
        """Forget every hit in the current window (e.g. after a successful login)."""
        now = self.clock() if now is None else now
        ident = self._ident(identifier)
        self._cache.delete_many([self._key(ident, i) for i in self._indices(now)])


def hit_all(
    limits: Iterable[tuple[RateLimit, str]], *, now: float | None = None
) -> tuple[RateLimit, Decision] | None:
    """Hit several limits as one: all are counted, or none (hits already counted are undone).

    Returns ``None`` when allowed, else the first limit that refused and its decision.
    """
    counted: list[tuple[RateLimit, str, float]] = []
    for limit, identifier in limits:
        at = limit.clock() if now is None else now
        decision = limit.hit(identifier, now=at)
        if not decision.allowed:
            for done, ident, done_at in counted:
                done.undo(ident, now=done_at)
            return limit, decision
        counted.append((limit, identifier, at))
    return None

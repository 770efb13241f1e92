"""Per-process holder of the current engine, rebuilt when the shared dictionary version changes.

Every process keeps its own :class:`Engine`. A version number lives in shared storage (the
database, mirrored in the cache); the holder reads it at most once per ``check_interval`` seconds
and, when it differs from the version its engine was built from, builds a complete new engine
and swaps the reference in one assignment. Readers therefore see either the old or the new engine,
never a half-built one, and while one thread rebuilds the others keep using the old engine.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from .core import Engine

logger = logging.getLogger(__name__)


class EngineHolder:
    def __init__(
        self,
        build: Callable[[int], Engine],
        current_version: Callable[[], int],
        check_interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._build = build
        self._current_version = current_version
        self.check_interval = check_interval
        self._clock = clock
        self._engine: Engine | None = None
        self._next_check = 0.0
        self._lock = threading.Lock()

    @property
    def built_version(self) -> int | None:
        engine = self._engine
        return None if engine is None else engine.version

    def invalidate(self) -> None:
        """Check the shared version on the next :meth:`get` (e.g. right after a local change)."""
        self._next_check = 0.0

    def get(self) -> Engine:
        engine = self._engine
        now = self._clock()
        if engine is not None and now < self._next_check:
            return engine
        try:
            version = self._current_version()
        except Exception:
            if engine is None:
                raise
            logger.exception(
                "sensitive_words: cannot read the dictionary version; keeping v%s", engine.version
            )
            return engine
        self._next_check = now + self.check_interval
        if engine is not None and engine.version == version:
            return engine
        # Without an engine every caller must wait; with one, only one thread rebuilds and the
        # others keep serving the old engine meanwhile.
        if not self._lock.acquire(blocking=engine is None):
            return engine
        try:
            engine = self._engine
            if engine is None or engine.version != version:
                try:
                    engine = self._build(version)
                except Exception:
                    if self._engine is None:
                        raise
                    logger.exception(
                        "sensitive_words: rebuild to v%s failed; keeping v%s",
                        version,
                        self._engine.version,
                    )
                    self._next_check = 0.0
                    return self._engine
                self._engine = engine  # the swap: one reference assignment
            return engine
        finally:
            self._lock.release()

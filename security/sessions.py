"""Session lifetime of signed-in staff: an idle timeout (default 30 minutes) besides the absolute
one (settings.SESSION_COOKIE_AGE, counted from sign-in). An ended session is flushed on the
server, as sign-out does (django.contrib.auth.logout)."""

from __future__ import annotations

import time

from django.conf import settings

STARTED = "_security_started"
SEEN = "_security_seen"
# The last-seen time is written at most this often, so a busy admin does not save its session on
# every request.
SEEN_RESOLUTION = 30


# Requests a page makes by itself (the editor's presence pings) are not the user's activity: an
# editor tab left open must not keep the session alive.
NOT_ACTIVITY = ("/admin/editing-sessions/",)


def idle_seconds() -> int:
    return int(getattr(settings, "SESSION_IDLE_TIMEOUT", 30 * 60))


def absolute_seconds() -> int:
    return int(getattr(settings, "SESSION_COOKIE_AGE", 8 * 3600))


def start(request) -> None:
    now = int(time.time())
    request.session[STARTED] = now
    request.session[SEEN] = now


def expired(request, now: float | None = None) -> str | None:
    """Why the session has ended ("idle" or "absolute"), or None while it is alive."""
    now = time.time() if now is None else now
    started = request.session.get(STARTED)
    seen = request.session.get(SEEN)
    if started is None or seen is None:
        # A session from before this policy (or a test's force_login): it starts now.
        start(request)
        return None
    if idle_seconds() > 0 and now - seen > idle_seconds():
        return "idle"
    if absolute_seconds() > 0 and now - started > absolute_seconds():
        return "absolute"
    if now - seen >= SEEN_RESOLUTION and not request.path.startswith(NOT_ACTIVITY):
        request.session[SEEN] = int(now)
    return None

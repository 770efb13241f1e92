"""Lockout after repeated failed logins (django-axes), per account and per client address.

- Axes counts failures of every ``authenticate(request=...)`` (Wagtail admin, /django-admin/, the
  staff APP) and locks the username and the address separately after ``AXES_FAILURE_LIMIT``.
- The cool-off grows with each new lockout of the same username or address within a day:
  ``LOGIN_LOCKOUT_MINUTES`` × 2^(n-1), at most ``LOGIN_LOCKOUT_MAX_MINUTES``; then the lock ends
  by itself. A security administrator can end it earlier (admin → 设置 → 登录锁定).
- Before the lock, every failure after the first makes the next try wait longer (1 s, 2 s, 4 s,
  …): a try within that delay is refused without checking the password.
- Addresses come from backend_bridge.web.client_ip, so a forged X-Forwarded-For changes nothing.
"""

from __future__ import annotations

import time
from datetime import timedelta

from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.core.cache import cache
from django.db.models import Max, Sum

from backend_bridge.web import client_ip

DAY = 24 * 3600


def _key(kind: str, value: str) -> str:
    return f"security:lockouts:{kind}:{value}"


def _parts(request, credentials=None) -> list[tuple[str, str]]:
    parts = []
    username = None
    if credentials:
        username = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    elif request is not None and getattr(request, "axes_credentials", None):
        username = get_client_username(request, request.axes_credentials)
    if username:
        parts.append(("user", str(username)[:150]))
    ip = getattr(request, "axes_ip_address", None) or (client_ip(request) if request else "")
    if ip:
        parts.append(("ip", ip))
    return parts


def lockouts_today(request, credentials=None) -> int:
    counts = [cache.get(_key(kind, value), 0) for kind, value in _parts(request, credentials)]
    return max(counts, default=0)


def cool_off(request=None) -> timedelta:
    """AXES_COOLOFF_TIME: the base lockout, doubled for each earlier lockout today."""
    base = int(getattr(settings, "LOGIN_LOCKOUT_MINUTES", 30))
    most = int(getattr(settings, "LOGIN_LOCKOUT_MAX_MINUTES", 24 * 60))
    earlier = max(0, lockouts_today(request) - 1)
    return timedelta(minutes=min(most, base * 2 ** min(earlier, 10)))


def record_lockout(request, username) -> None:
    """Count a new lockout once: axes signals every refused try of a locked client, but only the
    failure that reaches the limit starts a lock."""
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is not None and failures != int(settings.AXES_FAILURE_LIMIT):
        return
    for kind, value in _parts(request, {settings.AXES_USERNAME_FORM_FIELD: username}):
        if not cache.add(_key(kind, value), 1, timeout=DAY):
            try:
                cache.incr(_key(kind, value))
            except ValueError:
                cache.set(_key(kind, value), 1, timeout=DAY)


# --- the increasing delay between failures before the lock ------------------------------------


def _delay_key(kind: str, value: str) -> str:
    return f"security:login-delay:{kind}:{value}"


def delay_seconds(failures: int) -> int:
    """Wait imposed after ``failures`` consecutive failures: 0, 1, 2, 4, 8 … (at most 60)."""
    return 0 if failures <= 1 else min(60, 2 ** (failures - 2))


def record_failure(request, username) -> None:
    for kind, value in _parts(request, {settings.AXES_USERNAME_FORM_FIELD: username}):
        state = cache.get(_delay_key(kind, value)) or {"failures": 0}
        state = {"failures": state["failures"] + 1, "at": time.time()}
        cache.set(_delay_key(kind, value), state, timeout=int(cool_off(request).total_seconds()))


def clear_failures(request, username) -> None:
    cache.delete(_delay_key("user", str(username)))


def retry_after(request, username) -> int:
    """Seconds the client must still wait before the next try (0: may try now)."""
    wait = 0
    for kind, value in _parts(request, {settings.AXES_USERNAME_FORM_FIELD: username}):
        state = cache.get(_delay_key(kind, value))
        if state:
            left = state["at"] + delay_seconds(state["failures"]) - time.time()
            wait = max(wait, int(left + 0.999))
    return wait


# --- what the security administrator sees and does --------------------------------------------


def _cool_off_for(kind: str, value: str) -> timedelta:
    base = int(getattr(settings, "LOGIN_LOCKOUT_MINUTES", 30))
    most = int(getattr(settings, "LOGIN_LOCKOUT_MAX_MINUTES", 24 * 60))
    earlier = max(0, cache.get(_key(kind, value), 0) - 1)
    return timedelta(minutes=min(most, base * 2 ** min(earlier, 10)))


def active_lockouts() -> list[dict]:
    """Usernames and addresses locked now: {kind, value, failures, last, until}."""
    from django.utils import timezone

    now = timezone.now()
    limit = int(settings.AXES_FAILURE_LIMIT)
    most = timedelta(minutes=int(getattr(settings, "LOGIN_LOCKOUT_MAX_MINUTES", 24 * 60)))
    recent = AccessAttempt.objects.filter(attempt_time__gte=now - most)
    rows = []
    for kind, field in (("user", "username"), ("ip", "ip_address")):
        present = recent.filter(**{f"{field}__isnull": False})
        if field == "username":
            present = present.exclude(username="")
        groups = (
            present.values(field)
            .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
            .filter(failures__gte=limit)
            .order_by("-last")
        )
        for group in groups:
            until = group["last"] + _cool_off_for(kind, group[field])
            if until > now:
                rows.append(
                    {
                        "kind": kind,
                        "value": group[field],
                        "failures": group["failures"],
                        "last": group["last"],
                        "until": until,
                    }
                )
    return rows


def unlock(kind: str, value: str) -> int:
    """End the lock of a username (kind "user") or an address ("ip") now, with a clean count."""
    from axes.utils import reset

    count = reset(username=value) if kind == "user" else reset(ip=value)
    cache.delete_many([_key(kind, value), _delay_key(kind, value)])
    return count


def lockout_response(request, original_response=None, credentials=None, *args, **kwargs):
    """AXES_LOCKOUT_CALLABLE: a Chinese page (429) for browsers, the project's JSON error shape
    for API clients."""
    from django.http import JsonResponse
    from django.template.response import TemplateResponse

    minutes = int(cool_off(request).total_seconds() // 60)
    message = (
        f"登录失败次数过多，该账号或本机地址已被暂时锁定，将于 {minutes} 分钟后自动解锁；"
        "如需提前解锁，请联系安全管理员。"
    )
    status = int(getattr(settings, "AXES_HTTP_RESPONSE_CODE", 429))
    wants_json = "application/json" in request.headers.get("Accept", "") or request.path.startswith(
        "/api/"
    )
    if wants_json:
        response = JsonResponse(
            {"code": "login_locked", "message": message, "details": {"minutes": minutes}},
            status=status,
        )
    else:
        response = TemplateResponse(
            request,
            "security/lockout.html",
            {"message": message, "minutes": minutes},
            status=status,
        ).render()
    response["Retry-After"] = str(minutes * 60)
    return response

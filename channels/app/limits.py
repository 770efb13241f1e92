"""Rate limits on every write of the APPs: per device id and per client address.

Counted with django-ratelimit on the Django cache (Redis in production, shared by every web
node); the client address is ``backend_bridge.web.client_ip`` (``TRUSTED_PROXIES``), so a forged
X-Forwarded-For does not give a fresh count. The services below keep their own limits too
(SMS codes per phone, lookups per query code): these only stop one device or one network from
flooding the API.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django_ratelimit.core import get_usage

from backend_bridge.web import client_ip

from .api import AppError

logger = logging.getLogger(__name__)

GROUP = "channels.app.write"


def _hit(request, scope: str, ident: str, rate: str):
    try:
        return get_usage(
            request,
            group=f"{GROUP}.{scope}",
            key=lambda group, request: ident,
            rate=rate,
            increment=True,
        )
    except Exception as exc:  # the cache does not answer: refuse rather than go unlimited
        logger.exception("APP rate limit cannot be counted")
        raise AppError(503, "rate_limit_unavailable", "服务暂时不可用，请稍后再试") from exc


def limit_write(request) -> None:
    """Count one write of this device and this address; 429 (``Retry-After`` in details) over
    either limit. A request without a device id is counted under its address only."""
    device = (request.headers.get("X-Device-Id") or "").strip()[:64]
    checks = [("ip", client_ip(request) or "-", settings.APP_WRITE_RATE_IP)]
    if device:
        checks.insert(0, ("device", device, settings.APP_WRITE_RATE_DEVICE))
    for scope, ident, rate in checks:
        if not rate:
            continue
        usage = _hit(request, scope, ident, rate)
        if usage is not None and usage["should_limit"]:
            retry_after = max(1, int(usage["time_left"]))
            where = "该设备" if scope == "device" else "您所在网络"
            raise AppError(
                429,
                "rate_limited",
                f"{where}操作过于频繁，请 {retry_after} 秒后再试",
                {"retry_after": retry_after, "scope": scope},
            )

"""/healthz (the process answers) and /readyz (database and cache reachable) for load balancers.

Answered before host validation, sessions and authentication, so a probe by IP address works and
costs nothing but the checks themselves.
"""

import uuid

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse


def readiness() -> dict[str, str]:
    """Each dependency's state: "ok" or the reason it is not usable."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"error: {exc.__class__.__name__}: {exc}"[:300]
    try:
        token = uuid.uuid4().hex
        cache.set("readyz:probe", token, 10)
        checks["cache"] = (
            "ok" if cache.get("readyz:probe") == token else "error: value not read back"
        )
    except Exception as exc:
        checks["cache"] = f"error: {exc.__class__.__name__}: {exc}"[:300]
    return checks


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/healthz":
            return JsonResponse({"status": "ok"})
        if request.path == "/readyz":
            checks = readiness()
            ok = all(v == "ok" for v in checks.values())
            return JsonResponse(
                {"status": "ok" if ok else "unavailable", "checks": checks},
                status=200 if ok else 503,
            )
        return self.get_response(request)

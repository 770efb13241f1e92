"""/healthz (the process answers) and /readyz (database and cache) for load balancers.

Answered before host validation, sessions and authentication, so a probe by IP address works and
costs nothing but the checks themselves. What /readyz checks and the reason codes it answers with
(never host names or error texts) live in ``operations.health``.
"""

from django.http import JsonResponse

from operations.health import readiness


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/healthz":
            return JsonResponse({"status": "ok"})
        if request.path == "/readyz":
            state = readiness()
            response = JsonResponse(state, status=503 if state["status"] == "unavailable" else 200)
            response["Cache-Control"] = "no-store"
            return response
        return self.get_response(request)

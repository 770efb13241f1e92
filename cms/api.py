"""The one NinjaAPI instance; each app contributes a router mounted here under /api/v1/."""

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

api = NinjaAPI(title="广西信访网站群 API", version="1", urls_namespace="api")


def error_body(code: str, message: str, details: dict | None = None) -> dict:
    """The one JSON shape of every API error."""
    return {"code": code, "message": message, "details": details or {}}


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError):
    return api.create_response(
        request, error_body("invalid_input", "请求参数不正确", {"errors": exc.errors}), status=422
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError):
    return api.create_response(
        request, error_body("http_error", str(exc.message)), status=exc.status_code
    )


# Routers of the apps (each app's api.py owns its own paths).
api.add_router("/sensitive-words/", "sensitive_words.api.router")
api.add_router("/", "backend_bridge.api.router")

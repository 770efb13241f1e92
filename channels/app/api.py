"""The APP's own NinjaAPI instance, mounted at /api/app/v1/ (OpenAPI at /api/app/v1/openapi.json).

Separate from the portal group's API (``cms.api``) because the APPs are released on their own
schedule: this document is versioned with them and kept in ``docs/app-openapi.json``. Every error
has the project's one shape ``{"code", "message", "details"}`` (``cms.api.error_body``).
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from cms.api import error_body

app_api = NinjaAPI(
    title="广西信访 APP 接口",
    version="1",
    urls_namespace="app_v1",
    description="广西信访APP与信访业务简易办理APP使用的接口。",
)


class AppError(Exception):
    """An error an APP endpoint answers with: ``status``, a stable ``code`` and a zh-hans
    ``message`` (plus optional ``details``)."""

    def __init__(self, status: int, code: str, message: str, details: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details or {}


@app_api.exception_handler(AppError)
def _app_error(request: HttpRequest, exc: AppError):
    return app_api.create_response(
        request, error_body(exc.code, exc.message, exc.details), status=exc.status
    )


@app_api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError):
    return app_api.create_response(
        request, error_body("invalid_input", "请求参数不正确", {"errors": exc.errors}), status=422
    )


@app_api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError):
    return app_api.create_response(
        request, error_body("unauthenticated", "请先登录或登录已过期"), status=401
    )


@app_api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError):
    return app_api.create_response(
        request, error_body("http_error", str(exc.message)), status=exc.status_code
    )


# Routers: content and releases (channels.app.content, channels.app.releases), citizens'
# services and accounts (channels.app.citizen), the staff simple-handling APP (channels.app.staff).

app_api.add_router("/", "channels.app.content_api.router")
app_api.add_router("/", "channels.app.releases_api.router")
app_api.add_router("/", "channels.app.citizen.router")
app_api.add_router("/account/", "channels.app.accounts.router")
app_api.add_router("/staff/", "channels.app.staff.router")

"""Who and where of the request being served, for events raised far from any request (Wagtail's
publishing signals, model saves): a middleware puts the request in a context variable."""

from __future__ import annotations

from contextvars import ContextVar

_current_request: ContextVar = ContextVar("audit_current_request", default=None)


def current_request():
    return _current_request.get()


class AuditContextMiddleware:
    """Remembers the request for the audit receivers while it is being handled."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)

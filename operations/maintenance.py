"""A static Chinese maintenance page (503) when the database is down or read-only (系统维护).

``MaintenanceMiddleware`` sits near the top of the stack. A database failure raised by a view is
caught in ``process_exception``; one raised by a middleware below (sessions, the page cache's host
map, authentication) has already been turned into a 500 by Django by the time it comes back, so
``remember_exception`` (connected to ``got_request_exception``) notes it on the request and the
middleware replaces that 500. The page is rendered from a self-contained template with no context
processors: rendering it touches neither the database nor the cache.
"""

from __future__ import annotations

import logging

from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError
from django.db.utils import DataError, NotSupportedError, ProgrammingError
from django.http import HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 120
_ATTRIBUTE = "_operations_database_failure"
_NOT_AN_OUTAGE = (IntegrityError, ProgrammingError, DataError, NotSupportedError)


def is_outage(exc: BaseException | None) -> bool:
    """A database that is unreachable or refuses writes (read-only), not a bug in a query."""
    if exc is None or not isinstance(exc, DatabaseError) or isinstance(exc, _NOT_AN_OUTAGE):
        return False
    if isinstance(exc, OperationalError | InterfaceError):
        return True
    text = str(exc).lower()
    return "read-only" in text or "readonly" in text or "read only" in text


def maintenance_response() -> HttpResponse:
    response = HttpResponse(
        render_to_string("operations/maintenance.html"),
        status=503,
        content_type="text/html; charset=utf-8",
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def remember_exception(sender, request=None, **kwargs):
    import sys

    exc = sys.exc_info()[1]
    if request is not None and is_outage(exc):
        setattr(request, _ATTRIBUTE, exc)


class MaintenanceMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        exc = getattr(request, _ATTRIBUTE, None)
        if response.status_code == 500 and exc is not None:
            logger.error(
                "database outage, maintenance page served: %s: %s", type(exc).__name__, exc
            )
            return maintenance_response()
        return response

    def process_exception(self, request, exception):
        if is_outage(exception):
            logger.error(
                "database outage, maintenance page served: %s: %s",
                type(exception).__name__,
                exception,
            )
            return maintenance_response()
        return None

"""Rendering a page through the application's own stack, as an anonymous visitor would get it.

A request is built from a WSGI environ and handed to Django's request handler with the project's
whole middleware chain, so the bytes are exactly those a visitor without a session cookie gets
for that host and URL (with ``care_mode=1`` for 关怀模式). The environ carries
``cms.page_cache.INTERNAL_RENDER``: the page cache neither answers nor stores such a request and
the page-view counter does not count it. No request signals are sent (they would close the
database connection of the task or request that publishes).
"""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass

from django.conf import settings
from django.core.handlers.base import BaseHandler
from django.core.handlers.wsgi import WSGIRequest
from django.utils import timezone, translation

from cms.page_cache import CARE_COOKIE, INTERNAL_RENDER

from .layout import Target


@dataclass
class Rendered:
    status: int
    body: bytes
    publishable: bool


class _Handler(BaseHandler):
    """Django's request handler without the WSGI server around it (the middleware loaded once)."""

    def __init__(self):
        super().__init__()
        self.load_middleware()


_handler: _Handler | None = None


def handler() -> _Handler:
    global _handler
    if _handler is None:
        _handler = _Handler()
    return _handler


def environ_for(hostname: str, path: str, query: str = "", care: bool = False) -> dict:
    scheme = getattr(settings, "PORTAL_SCHEME", "http") or "http"
    environ = {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        # WSGI carries the path as UTF-8 bytes in a latin-1 string, as a server decodes %XX.
        "PATH_INFO": path.encode("utf-8").decode("iso-8859-1"),
        "QUERY_STRING": query,
        "SERVER_NAME": hostname,
        "SERVER_PORT": "443" if scheme == "https" else "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": hostname,
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scheme,
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        INTERNAL_RENDER: True,
    }
    if care:
        environ["HTTP_COOKIE"] = f"{CARE_COOKIE}=1"
    return environ


def publishable(response, expected_status: int = 200) -> bool:
    """What a visitor may be sent from a file: the same rule as the page cache's, so that nothing
    personal (a cookie, a private answer) is ever written to the tree."""
    if response.status_code != expected_status or response.streaming or response.cookies:
        return False
    if not response.get("Content-Type", "").startswith("text/html"):
        return False
    if expected_status != 200:
        return True  # error pages say no-store to browsers; the file is for nginx only
    cache_control = response.get("Cache-Control", "")
    return not any(word in cache_control for word in ("private", "no-store", "no-cache"))


def render(target: Target, care: bool = False) -> Rendered:
    """The anonymous response for ``target`` (a page, a list page, or a portal's error page)."""
    if target.error == 503:
        from operations.maintenance import maintenance_response

        response = maintenance_response()
        return Rendered(503, response.content, publishable(response, 503))
    request = WSGIRequest(
        environ_for(target.hostname, target.url_path, target.query_string(), care)
    )
    # Rendered in the site's language and time zone, even inside an admin request that set the
    # editor's own.
    with translation.override(settings.LANGUAGE_CODE), timezone.override(settings.TIME_ZONE):
        response = handler().get_response(request)
    expected = target.error or 200
    body = b"" if response.streaming else response.content
    return Rendered(response.status_code, body, publishable(response, expected))

"""What every provider shares: ``ProviderError`` and a small, bounded HTTP client.

The client is the standard library's ``urllib.request`` with a timeout on every call, no
redirects (a signed request is never replayed to another host), a capped response size and
every failure (DNS, refused connection, TLS, timeout, a truncated answer) turned into
``ProviderError`` with a reason, so a provider call can fail but never hang or leak an
unexpected exception type to the caller.
"""

from __future__ import annotations

import http.client
import json
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass, field

MAX_RESPONSE_BYTES = 1024 * 1024


class ProviderError(Exception):
    """An external service could not do what was asked.

    ``reason`` is for logs and operators; ``code`` is the service's own error code when it sent
    one; ``retryable`` says whether trying again later may succeed (timeouts, 5xx, throttling).
    """

    def __init__(
        self, reason: str, *, code: str = "", retryable: bool = False, status: int | None = None
    ):
        super().__init__(reason)
        self.reason = reason
        self.code = code
        self.retryable = retryable
        self.status = status

    def __repr__(self) -> str:
        return f"ProviderError({self.reason!r}, code={self.code!r}, retryable={self.retryable})"


@dataclass
class HttpResponse:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def json_object(response: HttpResponse, service: str) -> dict:
    """The response body as a JSON object, or a ProviderError that says what came instead."""
    try:
        data = json.loads(response.body)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise ProviderError(
            f"{service}: HTTP {response.status} with a body that is not a JSON object",
            status=response.status,
            retryable=response.status >= 500,
        )
    return data


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirect())


def http_request(
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float,
    service: str,
) -> HttpResponse:
    """Send one request; any HTTP status is returned, any transport failure raises ProviderError."""
    if not url.lower().startswith(("http://", "https://")):
        raise ProviderError(f"{service}: endpoint must be an http(s) URL, got {url!r}")
    request = urllib.request.Request(url, data=body, headers=headers or {}, method=method)  # noqa: S310
    try:
        with _opener.open(request, timeout=timeout) as response:
            data = response.read(MAX_RESPONSE_BYTES + 1)
            status, response_headers = response.status, dict(response.headers)
    except urllib.error.HTTPError as error:  # 3xx/4xx/5xx carry a body worth reading
        try:
            data = error.read(MAX_RESPONSE_BYTES + 1)
        except (OSError, http.client.HTTPException):
            data = b""
        status, response_headers = error.code, dict(error.headers or {})
        error.close()
    except TimeoutError as error:
        raise ProviderError(
            f"{service}: no answer within {timeout:g} s", code="timeout", retryable=True
        ) from error
    except urllib.error.URLError as error:
        timed_out = isinstance(error.reason, TimeoutError)
        reason = (
            f"no answer within {timeout:g} s" if timed_out else f"cannot connect: {error.reason}"
        )
        raise ProviderError(
            f"{service}: {reason}", code="timeout" if timed_out else "connection", retryable=True
        ) from error
    except (OSError, ssl.SSLError, http.client.HTTPException, ValueError) as error:
        raise ProviderError(
            f"{service}: transport failure: {error!r}", code="connection", retryable=True
        ) from error
    if len(data) > MAX_RESPONSE_BYTES:
        raise ProviderError(f"{service}: response larger than {MAX_RESPONSE_BYTES} bytes")
    return HttpResponse(status, data, response_headers)

"""HTTP caching of the APP's read endpoints: ETag, ``If-None-Match`` → 304, ``Cache-Control``,
and anonymous answers kept in the shared cache.

An answer's cache key carries the generation tokens of the portals it is built from, the same
tokens as the portal page cache (:mod:`cms.page_cache`): publishing, withdrawing, moving a page
or a journal write of the APP channel replaces them, and the next request builds afresh. Every
web process shares the cache (Redis in production), so a change is seen by all of them at once.

The ETag is a hash of the body, so a 304 is only ever answered for the very bytes the APP has.
Requests that carry credentials (an ``Authorization`` header or a session) never read or write
the shared cache; they still get ETags and 304s.

:class:`AppCacheMiddleware` answers hits before sessions, authentication and URL routing run (as
the portal page cache does), from the same key the view stores under; the view itself stores
misses and answers whatever the middleware did not.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse

from cms import page_cache

PREFIX = "app:v1"
API_PATH = "/api/app/v1/"
#: The read endpoints whose anonymous answers are shared (sync and releases are never stored).
SHARED = tuple(API_PATH + p for p in ("portals", "columns", "articles", "topics", "home", "search"))
PORTAL_MAP_KEY = "app:portalmap"
PORTAL_MAP_SECONDS = 300


def max_age() -> int:
    return settings.APP_API_MAX_AGE


def shared_seconds() -> int:
    return settings.APP_API_CACHE_SECONDS


def anonymous(request: HttpRequest) -> bool:
    return "HTTP_AUTHORIZATION" not in request.META and (
        settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


def _generations(site_ids: Iterable[int]) -> str:
    ids = sorted({s for s in site_ids if s})
    keys = [page_cache._generation_key(s) for s in ids]
    # One round trip for all the portals (page_cache.generation reads one key at a time).
    found = cache.get_many(keys) if keys else {}
    return ".".join(f"{s}-{found.get(k) or '0'}" for s, k in zip(ids, keys, strict=True))


def _key(request: HttpRequest, site_ids: Iterable[int]) -> str:
    where = f"{request.get_host()}|{request.get_full_path()}"
    digest = hashlib.sha256(where.encode()).hexdigest()[:32]
    return f"{PREFIX}:{hashlib.sha256(_generations(site_ids).encode()).hexdigest()[:16]}:{digest}"


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _matches(request: HttpRequest, etag: str) -> bool:
    header = request.META.get("HTTP_IF_NONE_MATCH", "")
    if not header:
        return False
    if header.strip() == "*":
        return True
    wanted = {t.strip().removeprefix("W/") for t in header.split(",")}
    return etag in wanted


def _respond(request, body: bytes, etag: str, cache_control: str, state: str) -> HttpResponse:
    if _matches(request, etag):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["ETag"] = etag
    response["Cache-Control"] = cache_control
    response["Vary"] = "Authorization"
    response["X-App-Cache"] = state
    return response


def render(body) -> bytes:
    return json.dumps(body, ensure_ascii=False, cls=DjangoJSONEncoder).encode("utf-8")


def cached_json(
    request: HttpRequest,
    build: Callable[[], object],
    *,
    site_ids: Iterable[int] = (),
    shared: bool = True,
) -> HttpResponse:
    """The JSON answer of ``build()``, from the shared cache when an anonymous request allows it.

    ``site_ids``: the portals whose generations the answer depends on. ``shared=False`` for
    answers that must always be fresh (sync): the APP revalidates every time (ETag still saves
    the body).
    """
    site_ids = list(site_ids)
    use_cache = shared and anonymous(request) and shared_seconds() > 0
    if shared:
        control = f"public, max-age={max_age()}" if anonymous(request) else "private, max-age=0"
    else:
        control = "no-cache"
    key = _key(request, site_ids) if use_cache else None
    if key is not None:
        stored = cache.get(key)
        if stored is not None:
            etag, body = stored
            return _respond(request, body, etag, control, "hit")
    body = render(build())
    etag = etag_of(body)
    if key is not None:
        cache.set(key, (etag, body), shared_seconds())
    return _respond(request, body, etag, control, "miss" if key else "bypass")


def portal_sites() -> dict[str, int]:
    """Portal code → Wagtail site id, from the shared cache (portals change very rarely)."""
    found = cache.get(PORTAL_MAP_KEY)
    if found is None:
        from sites.models import Portal

        found = dict(Portal.objects.values_list("code", "site_id"))
        cache.set(PORTAL_MAP_KEY, found, PORTAL_MAP_SECONDS)
    return found


def _site_ids_of(request: HttpRequest) -> list[int] | None:
    """The portals an answer to ``request`` is built from, as the view will name them."""
    if request.path == API_PATH + "portals":
        return list(portal_sites().values())
    site_id = portal_sites().get(request.GET.get("site", ""))
    return [site_id] if site_id else None


class AppCacheMiddleware:
    """Shared-cache hits of the APP's anonymous reads, answered early (see the module)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method in ("GET", "HEAD")
            and request.path.startswith(SHARED)
            and anonymous(request)
            and shared_seconds() > 0
        ):
            try:
                site_ids = _site_ids_of(request)
                key = _key(request, site_ids) if site_ids else None
            except Exception:  # DisallowedHost and the like: the normal stack answers
                key = None
            stored = cache.get(key) if key else None
            if stored is not None:
                etag, body = stored
                return _respond(request, body, etag, f"public, max-age={max_age()}", "hit")
        return self.get_response(request)

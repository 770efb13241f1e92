"""Full-page cache of anonymous page views, shared by every web process through Django's cache.

A cached page's key carries its site's generation token. Publishing, unpublishing, moving or
deleting a page, pushing an article into another portal's column, or editing a portal's footer
replaces the generation of every site concerned, so the next anonymous request renders afresh.
Invalidation per site rather than per URL is deliberate: home pages, column lists, navigation
and "latest" blocks all show a page in places that cannot be listed cheaply, and publishing is
rare compared with reading. Logged-in users never read from or write to this cache.
"""

import hashlib
import uuid

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse

HOSTMAP_KEY = "pc:hostmap"
CARE_COOKIE = "care_mode"
EXCLUDED_PREFIXES = (
    "/admin/",
    "/django-admin/",
    "/api/",
    "/search/",
    "/healthz",
    "/readyz",
    "/static/",
    "/media/",
    "/documents/",
    "/care-mode/",
    "/hdjl/",
    "/wechat/",
    "/_util/",
)
STORED_HEADERS = ("Content-Type", "Content-Language", "X-Frame-Options", "Referrer-Policy", "Link")
# WSGI environ key of the application's own renders of a page (static_publish.rendering): they
# must see what a visitor would get now, so this cache neither answers nor stores them, and they
# are not page views.
INTERNAL_RENDER = "gxxf.internal_render"


def is_internal_render(request) -> bool:
    return bool(request.META.get(INTERNAL_RENDER))


def _hostmap() -> dict[str, int]:
    hostmap = cache.get(HOSTMAP_KEY)
    if hostmap is None:
        from wagtail.models import Site

        hostmap = {}
        for site_id, hostname, is_default in Site.objects.values_list(
            "id", "hostname", "is_default_site"
        ):
            hostmap[hostname.lower()] = site_id
            if is_default:
                hostmap[""] = site_id
        cache.set(HOSTMAP_KEY, hostmap, None)
    return hostmap


def site_id_for_host(host: str) -> int | None:
    hostmap = _hostmap()
    return hostmap.get(host.split(":")[0].lower(), hostmap.get(""))


def _generation_key(site_id: int) -> str:
    return f"pc:gen:{site_id}"


def generation(site_id: int) -> str:
    """The site's current generation token: anything cached under it is still valid."""
    return cache.get(_generation_key(site_id)) or "0"


def invalidate_sites(site_ids) -> None:
    """Make every cached page of these sites stale at once."""
    for site_id in {s for s in site_ids if s}:
        cache.set(_generation_key(site_id), uuid.uuid4().hex, None)


def forget_hosts() -> None:
    cache.delete(HOSTMAP_KEY)


def care_mode_on(request) -> bool:
    return request.COOKIES.get(CARE_COOKIE) == "1"


def _is_anonymous(request) -> bool:
    # Runs before sessions are loaded: anyone holding a session cookie (every logged-in editor)
    # is served fresh, so the cache never costs a session lookup.
    return settings.SESSION_COOKIE_NAME not in request.COOKIES


def _cache_key(request) -> str | None:
    if settings.PAGE_CACHE_SECONDS <= 0:
        return None
    if request.method not in ("GET", "HEAD") or request.path.startswith(EXCLUDED_PREFIXES):
        return None
    if is_internal_render(request):
        return None
    try:
        host = request.get_host()
    except Exception:  # DisallowedHost: let the normal stack answer with its 400
        return None
    site_id = site_id_for_host(host)
    # Kept for the page-view counter outside this middleware, so it needs no lookup of its own.
    request.portal_site_id = site_id
    if site_id is None or not _is_anonymous(request):
        return None
    care = "1" if care_mode_on(request) else "0"
    digest = hashlib.sha256(f"{host}|{request.get_full_path()}".encode()).hexdigest()[:32]
    return f"pc:page:{site_id}:{generation(site_id)}:{care}:{digest}"


def _cacheable(response) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if not response.get("Content-Type", "").startswith("text/html"):
        return False
    cache_control = response.get("Cache-Control", "")
    return not any(word in cache_control for word in ("private", "no-store", "no-cache"))


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = _cache_key(request)
        if key is None:
            return self.get_response(request)
        stored = cache.get(key)
        if stored is not None:
            headers, content = stored
            response = HttpResponse(content, headers=headers)
            response["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if _cacheable(response):
            headers = {h: response[h] for h in STORED_HEADERS if h in response}
            cache.set(key, (headers, response.content), settings.PAGE_CACHE_SECONDS)
            response["X-Page-Cache"] = "miss"
        return response

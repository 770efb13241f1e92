"""The public error pages (404, 403, 400, CSRF failure, 500) in Chinese inside the portal's chrome.

404, 403 and CSRF failures render with the full chrome of the portal asked for. 400 and 500 are
static pages that never touch the database (a 500 may be the database failing; a 400 may be a
Host header no portal answers to): the portal's name and colours come from the chrome that the
shared cache already holds, if it answers, else the group's defaults. The admin keeps Wagtail's
own pages (Wagtail answers its 404s itself; the other admin errors keep Django's).
"""

import logging

from django.core.cache import cache
from django.template import loader
from django.views import defaults
from django.views.csrf import csrf_failure as django_csrf_failure

from cms import page_cache
from cms.chrome import chrome_key

logger = logging.getLogger(__name__)

ADMIN_PREFIXES = ("/admin/", "/django-admin/")
GROUP_NAME = "广西信访网站群"
DEFAULT_COLOURS = ("#a4161a", "#7d1014")


def _is_admin(request) -> bool:
    return request.path.startswith(ADMIN_PREFIXES)


def _render(request, template_name: str, status: int):
    from django.http import HttpResponse

    body = loader.render_to_string(template_name, {}, request)
    return HttpResponse(body, status=status)


def page_not_found(request, exception=None):
    if _is_admin(request):
        return defaults.page_not_found(request, exception, template_name="wagtailadmin/404.html")
    return _render(request, "errors/404.html", 404)


def permission_denied(request, exception=None):
    if _is_admin(request):
        return defaults.permission_denied(request, exception)
    return _render(request, "errors/403.html", 403)


def csrf_failure(request, reason=""):
    if _is_admin(request):
        return django_csrf_failure(request, reason)
    logger.info("CSRF failure on %s: %s", request.path, reason)
    return _render(request, "errors/csrf.html", 403)


def cached_identity(request) -> dict:
    """The portal's name and colours from the shared cache only: never a database query."""
    identity = {
        "site_name": GROUP_NAME,
        "brand_colour": DEFAULT_COLOURS[0],
        "nav_colour": DEFAULT_COLOURS[1],
    }
    try:
        hostmap = cache.get(page_cache.HOSTMAP_KEY)
        if not hostmap:
            return identity
        host = request.META.get("HTTP_HOST", "").split(":")[0].lower()
        site_id = hostmap.get(host, hostmap.get(""))
        chrome = cache.get(chrome_key(site_id)) if site_id is not None else None
    except Exception:  # the cache may be down too: the defaults still make a page
        return identity
    if chrome is not None:
        identity["site_name"] = chrome.site.site_name or GROUP_NAME
        identity["brand_colour"] = (
            getattr(chrome.settings, "brand_colour", "") or DEFAULT_COLOURS[0]
        )
        identity["nav_colour"] = getattr(chrome.settings, "nav_colour", "") or DEFAULT_COLOURS[1]
    return identity


def _static_page(request, template_name: str, status: int):
    from django.http import HttpResponse

    # No request is passed: context processors (which read the database) do not run.
    body = loader.get_template(template_name).render(cached_identity(request))
    return HttpResponse(body, status=status)


def bad_request(request, exception=None):
    if _is_admin(request):
        return defaults.bad_request(request, exception)
    return _static_page(request, "errors/400.html", 400)


def server_error(request):
    if _is_admin(request):
        return defaults.server_error(request)
    return _static_page(request, "errors/500.html", 500)

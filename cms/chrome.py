"""The per-site data every page shows (site, footer settings, navigation), cached across requests.

Wagtail looks the site up, the footer settings and the navigation are read, on every request;
they change only when a page is published or moved, a site is edited or a footer is saved, and
each of those replaces the site's generation token (cms.page_cache). So they are kept in the
shared cache under that token, and a request that renders a page costs none of those queries.
"""

from dataclasses import dataclass

from django.core.cache import cache
from wagtail.models import Site

from cms import page_cache


@dataclass
class NavItem:
    title: str
    url: str
    path: str


@dataclass
class SiteChrome:
    site: Site
    settings: object
    navigation: list[NavItem]


def _build(site_id: int) -> SiteChrome | None:
    from cms.models import ColumnPage, TopicPage
    from sites.models import PortalSettings

    site = Site.objects.select_related("root_page").filter(pk=site_id).first()
    if site is None:
        return None
    # Wagtail routes from site.root_page.specific: keep the specific home so that costs nothing.
    site.root_page = site.root_page.specific
    pages = site.root_page.get_children().live().public().in_menu().type(ColumnPage, TopicPage)
    root_url_path = site.root_page.url_path
    navigation = [
        NavItem(p.title, "/" + p.url_path[len(root_url_path) :], p.path)
        for p in pages.only("title", "url_path", "path")
    ]
    return SiteChrome(site=site, settings=PortalSettings.for_site(site), navigation=navigation)


def chrome_for_request(request) -> SiteChrome | None:
    if hasattr(request, "_site_chrome"):
        return request._site_chrome
    chrome = None
    try:
        site_id = page_cache.site_id_for_host(request.get_host())
    except Exception:  # DisallowedHost is answered by the normal stack
        site_id = None
    if site_id is not None:
        key = f"chrome:{site_id}:{page_cache.generation(site_id)}"
        chrome = cache.get(key)
        if chrome is None:
            chrome = _build(site_id)
            cache.set(key, chrome, 24 * 3600)
    request._site_chrome = chrome
    return chrome


class SiteChromeMiddleware:
    """Hands Wagtail the cached site and settings so it does not query them again."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chrome = chrome_for_request(request)
        if chrome is not None:
            from sites.models import PortalSettings

            request._wagtail_site = chrome.site
            setattr(request, PortalSettings.get_cache_attr_name(), chrome.settings)
        return self.get_response(request)

"""The per-site data every page shows (site, footer settings, navigation), cached across requests.

Wagtail looks the site up, the footer settings and the navigation are read, on every request;
they change only when a page is published or moved, a site is edited or a footer is saved, and
each of those replaces the site's generation token (cms.page_cache). So they are kept in the
shared cache under that token, and a request that renders a page costs none of those queries.
"""

from dataclasses import dataclass, field

from django.core.cache import cache
from wagtail.models import Site

from cms import page_cache


@dataclass
class NavItem:
    title: str
    url: str
    path: str


@dataclass
class PortalLink:
    """A member of the portal group for the 站群导航 (host only: the address is built per request)."""

    name: str
    city: str
    hostname: str
    is_regional: bool


@dataclass
class SiteChrome:
    site: Site
    settings: object
    navigation: list[NavItem]
    group: list[PortalLink] = field(default_factory=list)
    is_regional: bool = False

    def group_links(self) -> list[PortalLink]:
        """站群导航: the regional portal links to the 14 cities; a city links back to the regional
        portal and to its sibling cities."""
        return [link for link in self.group if link.hostname != self.site.hostname]


def _build(site_id: int) -> SiteChrome | None:
    from cms.models import ColumnPage, TopicPage
    from sites.models import Portal, PortalSettings

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
    group = [
        PortalLink(p.name, p.city, p.site.hostname, p.is_regional)
        for p in Portal.objects.select_related("site").order_by("sort_order", "id")
    ]
    return SiteChrome(
        site=site,
        settings=PortalSettings.for_site(site),
        navigation=navigation,
        group=group,
        is_regional=any(link.is_regional and link.hostname == site.hostname for link in group),
    )


def chrome_key(site_id: int) -> str:
    return f"chrome:{site_id}:{page_cache.generation(site_id)}"


def chrome_for_request(request) -> SiteChrome | None:
    if hasattr(request, "_site_chrome"):
        return request._site_chrome
    chrome = None
    try:
        site_id = page_cache.site_id_for_host(request.get_host())
    except Exception:  # DisallowedHost is answered by the normal stack
        site_id = None
    if site_id is not None:
        key = chrome_key(site_id)
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

"""Portal chrome for every template: the current site, its navigation, the 站群导航 and the
care-mode flag."""

from wagtail.models import Site

from cms.chrome import chrome_for_request
from cms.page_cache import care_mode_on


def _site(request, chrome):
    if chrome is not None:
        return chrome.site
    try:
        return Site.find_for_request(request)
    except Exception:  # DisallowedHost: the 400 page renders without a portal
        return None


def portal(request):
    chrome = chrome_for_request(request)
    return {
        "current_site": _site(request, chrome),
        "navigation": chrome.navigation if chrome else [],
        "care_mode": care_mode_on(request),
        "portal_group": _group_links(request, chrome),
        "portal_is_regional": chrome.is_regional if chrome else False,
    }


def _group_links(request, chrome):
    """The other portals with addresses on this request's scheme and port, so that the links
    work wherever the group is served (development port, HTTPS behind a proxy)."""
    if chrome is None:
        return []
    try:
        host = request.get_host()
    except Exception:  # a 400 page for a bad Host header still renders
        return []
    scheme = request.scheme
    # The port the citizen typed (in the Host header), not the one the server listens on.
    port = host.rsplit(":", 1)[1] if ":" in host and not host.endswith("]") else ""
    default = {"http": "80", "https": "443"}.get(scheme)
    suffix = "" if port in ("", default) else f":{port}"
    return [
        {
            "name": link.name,
            "city": link.city,
            "is_regional": link.is_regional,
            "url": f"{scheme}://{link.hostname}{suffix}/",
        }
        for link in chrome.group_links()
    ]

"""Portal chrome for every template: the current site, its navigation and the care-mode flag."""

from wagtail.models import Site

from cms.chrome import chrome_for_request
from cms.page_cache import care_mode_on


def portal(request):
    chrome = chrome_for_request(request)
    return {
        "current_site": chrome.site if chrome else Site.find_for_request(request),
        "navigation": chrome.navigation if chrome else [],
        "care_mode": care_mode_on(request),
    }

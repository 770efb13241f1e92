"""Portal chrome for every template: the current portal, its navigation and the care-mode flag."""

from django.utils.functional import SimpleLazyObject
from wagtail.models import Site

from cms.page_cache import care_mode_on


def _navigation(site):
    from cms.models import ColumnPage, TopicPage

    if site is None:
        return []
    root = site.root_page
    return list(
        root.get_children().live().public().in_menu().type(ColumnPage, TopicPage).only("id", "title", "url_path", "path", "depth")
    )


def portal(request):
    site = Site.find_for_request(request)
    return {
        "current_site": site,
        "navigation": SimpleLazyObject(lambda: _navigation(site)),
        "care_mode": care_mode_on(request),
    }

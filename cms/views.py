"""Public views that are not pages: site search, the care-mode (关怀模式) switch, the site map
(网站地图) and the accessibility statement (无障碍说明)."""

from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET
from wagtail.models import Site

from cms.page_cache import CARE_COOKIE
from cms.search import MAX_QUERY_LENGTH, clean_query, search_pages


@require_GET
def search(request):
    raw_query = request.GET.get("q", "")
    query = clean_query(raw_query)
    scope_all = request.GET.get("scope") == "all"
    site = Site.find_for_request(request)
    root = None if scope_all or site is None else site.root_page
    results, terms = (None, [])
    if query:
        results, terms = search_pages(query, root=root, page_number=request.GET.get("page"))
    response = TemplateResponse(
        request,
        "cms/search.html",
        {
            "query": query,
            "scope_all": scope_all,
            "results": results,
            "terms": terms,
            "too_long": len(raw_query.strip()) > MAX_QUERY_LENGTH,
            "max_query_length": MAX_QUERY_LENGTH,
        },
    )
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def care_mode(request):
    """Switch care mode on or off; without JavaScript this link is the switch itself."""
    on = request.GET.get("on") == "1"
    target = request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if on:
        response.set_cookie(CARE_COOKIE, "1", max_age=365 * 24 * 3600, samesite="Lax")
    else:
        response.delete_cookie(CARE_COOKIE, samesite="Lax")
    return response


@require_GET
def site_map(request):
    """网站地图: generated from the portal's page tree, so it is never out of date."""
    from cms.home import service_entrances
    from cms.site_map import site_map as build

    site = Site.find_for_request(request)
    if site is None:
        raise Http404("找不到该网站")
    return TemplateResponse(
        request,
        "cms/site_map.html",
        {"tree": build(site.root_page), "services": service_entrances()},
    )


@require_GET
def accessibility_statement(request):
    """无障碍说明: what the portal offers elderly and disabled citizens and how to reach us."""
    return TemplateResponse(request, "cms/accessibility.html", {})


@require_GET
def theme_css(request, brand, nav):
    """A portal's colours as a stylesheet: the page links it instead of an inline <style>, which
    the Content-Security-Policy forbids. The colours are in the address, so the file never changes
    and is cached for a year; the URL pattern admits only hex colours."""
    response = HttpResponse(
        f":root {{ --brand: #{brand}; --nav: #{nav}; }}\n", content_type="text/css; charset=utf-8"
    )
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response

"""URL configuration of the portal group: admin, API, search, care mode, site map, accessibility
statement, documents, pages, and the public error pages."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from channels.app.api import app_api
from cms import views
from cms.api import api

urlpatterns = [
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v1/", api.urls),
    path("api/app/v1/", app_api.urls),
    path("search/", views.search, name="search"),
    path("care-mode/", views.care_mode, name="care_mode"),
    path("wzdt/", views.site_map, name="site_map"),
    path("wza/", views.accessibility_statement, name="accessibility_statement"),
    re_path(
        r"^_util/theme/(?P<brand>[0-9a-fA-F]{6})-(?P<nav>[0-9a-fA-F]{6})\.css$",
        views.theme_css,
        name="theme_css",
    ),
    path("hdjl/", include("backend_bridge.urls")),
    path("wechat/", include("channels.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

from mini_programs import api as mp_api  # noqa: E402

urlpatterns += [path("api/mp/v1/", mp_api.urls())]

urlpatterns += [path("", include(wagtail_urls))]

# Public error pages in the portal's chrome; the admin keeps its own (cms.errors).
handler400 = "cms.errors.bad_request"
handler403 = "cms.errors.permission_denied"
handler404 = "cms.errors.page_not_found"
handler500 = "cms.errors.server_error"
# Wagtail's page-types usage report, scoped to the user's own portals (sites.admin_isolation);
# placed before Wagtail's admin URLs so that the same address and URL name reach it.
from django.views.decorators.cache import never_cache  # noqa: E402
from wagtail.admin.auth import require_admin_access  # noqa: E402

from sites.admin_account import PortalAccountView  # noqa: E402
from sites.admin_isolation import PortalPageTypesUsageReportView  # noqa: E402

urlpatterns = [
    # The account page with one 姓名 field (sites.admin_account), at Wagtail's address and name.
    path(
        "admin/account/",
        never_cache(require_admin_access(PortalAccountView.as_view())),
        name="wagtailadmin_account",
    ),
    path(
        "admin/reports/page-types-usage/",
        require_admin_access(PortalPageTypesUsageReportView.as_view()),
    ),
    path(
        "admin/reports/page-types-usage/results/",
        require_admin_access(PortalPageTypesUsageReportView.as_view(results_only=True)),
    ),
] + urlpatterns

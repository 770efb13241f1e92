"""URL configuration of the portal group: admin, API, search, care mode, documents, pages."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
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
    path("hdjl/", include("backend_bridge.urls")),
    path("wechat/", include("channels.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

from mini_programs import api as mp_api  # noqa: E402

urlpatterns += [path("api/mp/v1/", mp_api.urls())]

urlpatterns += [path("", include(wagtail_urls))]

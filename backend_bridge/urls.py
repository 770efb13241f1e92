"""URLs of the 互动交流 pages, mounted at /hdjl/ (never page-cached: cms.page_cache)."""

from django.urls import path

from . import views

app_name = "backend_bridge"

urlpatterns = [
    path("", views.index, name="index"),
    path("xf/", views.petition, name="petition"),
    path("plyh/", views.canal_petition, name="canal_petition"),
    path("xf/ok/", views.accepted, name="accepted"),
    path("cx/", views.lookup_page, name="lookup"),
    path("cx/jg/", views.case, name="case"),
]

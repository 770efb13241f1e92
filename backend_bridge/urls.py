"""URLs of the 互动交流 pages, mounted at /hdjl/ (never page-cached: cms.page_cache)."""

from django.urls import path

from . import views

app_name = "backend_bridge"

urlpatterns = [
    path("", views.index, name="index"),
    path("xf/", views.petition, name="petition"),
    path("plyh/", views.canal_petition, name="canal_petition"),
    path("xf/ok/", views.accepted, name="accepted"),
    path("xf/ok/hz/", views.receipt, name="receipt"),
    path("ldly/", views.board_page, name="board"),
    path("ldly/xx/", views.message_page, name="message"),
    path("rmjy/", views.suggestions_page, name="suggestions"),
    path("rmjy/jy/", views.suggestion_page, name="suggestion"),
    path("rmjy/zt/<int:pk>/", views.campaign_page, name="campaign"),
    path("cx/", views.lookup_page, name="lookup"),
    path("cx/jg/", views.case, name="case"),
]

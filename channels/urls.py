"""Public URLs of the channels, mounted at /wechat/ (never page-cached: cms.page_cache): each
account's message callback and its citizens' H5 pages."""

from django.urls import path

from .wechat import h5
from .wechat import views as wechat_views

app_name = "wechat"

urlpatterns = [
    path("<slug:code>/", wechat_views.message_callback, name="callback"),
    path("<slug:code>/h5/", h5.index, name="h5_index"),
    path("<slug:code>/h5/oauth/", h5.oauth_return, name="h5_oauth"),
    path("<slug:code>/h5/xf/", h5.petition, name="h5_petition"),
    path("<slug:code>/h5/plyh/", h5.canal_petition, name="h5_canal_petition"),
    path("<slug:code>/h5/ok/", h5.accepted, name="h5_accepted"),
    path("<slug:code>/h5/ok/hz/", h5.receipt, name="h5_receipt"),
    path("<slug:code>/h5/tz/", h5.subscribe, name="h5_subscribe"),
    path("<slug:code>/h5/cx/", h5.lookup, name="h5_lookup"),
    path("<slug:code>/h5/cx/jg/", h5.case, name="h5_case"),
    path("<slug:code>/h5/cx/<uuid:reference>/", h5.my_case, name="h5_my_case"),
    path("<slug:code>/h5/ldly/", h5.board, name="h5_board"),
    path("<slug:code>/h5/ldly/xx/", h5.message, name="h5_message"),
    path("<slug:code>/h5/rmjy/", h5.suggestions, name="h5_suggestions"),
    path("<slug:code>/h5/rmjy/jy/", h5.suggestion, name="h5_suggestion"),
    path("<slug:code>/h5/rmjy/zt/<int:pk>/", h5.campaign, name="h5_campaign"),
]

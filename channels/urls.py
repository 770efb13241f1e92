"""Public URLs of the channels, mounted at /wechat/ (never page-cached: cms.page_cache)."""

from django.urls import path

from .wechat import views as wechat_views

app_name = "wechat"

urlpatterns = [
    path("<slug:code>/", wechat_views.message_callback, name="callback"),
]

"""Wagtail admin registration: the 媒体处理 menu and its URLs."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from . import views

app_name = "media_pipeline"
urlpatterns = [
    path("jobs/", views.JobListView.as_view(), name="jobs"),
    path("jobs/<int:pk>/", views.JobDetailView.as_view(), name="job"),
    path("jobs/<int:pk>/retry/", views.retry_job, name="retry"),
    path("compose/", views.ComposeView.as_view(), name="compose"),
    path("transcode/", views.TranscodeView.as_view(), name="transcode"),
    path("images/", views.ImageIndexView.as_view(), name="images"),
    path("images/<int:image_id>/", views.ImageVariantsView.as_view(), name="image"),
]


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("media-pipeline/", include((urlpatterns, app_name), namespace=app_name))]


class PermissionMenuItem(MenuItem):
    def __init__(self, *args, permission, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        if self.permission == views.IMAGE_PERMISSION:
            return views.can_use_images(request.user)  # per-collection rights count too
        return request.user.has_perm(self.permission)


@hooks.register("register_admin_menu_item")
def register_media_menu():
    items = [
        PermissionMenuItem(
            "任务与进度",
            reverse("media_pipeline:jobs"),
            icon_name="list-ul",
            order=100,
            permission=views.JOB_PERMISSION,
        ),
        PermissionMenuItem(
            "合成宣传片",
            reverse("media_pipeline:compose"),
            icon_name="media",
            order=200,
            permission=views.JOB_PERMISSION,
        ),
        PermissionMenuItem(
            "视频转码",
            reverse("media_pipeline:transcode"),
            icon_name="media",
            order=300,
            permission=views.JOB_PERMISSION,
        ),
        PermissionMenuItem(
            "图片渠道版本",
            reverse("media_pipeline:images"),
            icon_name="image",
            order=400,
            permission=views.IMAGE_PERMISSION,
        ),
    ]
    return SubmenuMenuItem(
        "媒体处理", Menu(items=items), icon_name="media", name="media-pipeline", order=350
    )

"""Admin wiring of the channels: targets, a page's delivery states, the problem report."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import Button
from wagtail.permissions import register_permission_policy

from . import views
from .models import ChannelTarget


class ChannelTargetViewSet(ModelViewSet):
    model = ChannelTarget
    icon = "resubmit"
    menu_label = "发布渠道"
    add_to_settings_menu = True
    list_display = ["label", "code", "kind", "enabled"]
    form_fields = ["enabled", "columns"]
    inspect_view_enabled = False

    def get_form_class(self, for_update=False):
        return views.ChannelTargetForm


register_permission_policy(ChannelTarget, views.ChannelTargetPolicy(ChannelTarget))


@hooks.register("register_admin_viewset")
def register_channel_targets():
    return ChannelTargetViewSet("channel_targets")


@hooks.register("register_admin_urls")
def register_admin_urls():
    urls = [
        path("pages/<int:page_id>/", views.page_deliveries, name="page"),
        path("deliveries/<int:delivery_id>/retry/", views.retry_delivery, name="retry"),
        path("problems/", views.problems, name="problems"),
    ]
    return [path("channels/", include((urls, "channels"), namespace="channels"))]


@hooks.register("register_page_header_buttons")
def delivery_states_button(page, user, view_name, next_url=None):
    if page.pk and hasattr(page.specific_class, "channel_mode"):
        yield Button(
            "渠道发布状态",
            reverse("channels:page", args=[page.pk]),
            icon_name="resubmit",
            priority=85,
        )


@hooks.register("register_reports_menu_item")
def register_problems_report():
    return MenuItem("渠道发布异常", reverse("channels:problems"), icon_name="warning", order=700)

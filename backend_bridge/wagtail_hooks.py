"""Wagtail admin: the 互动交流 menu with the case inbox and the outbox of the bridge."""

from django.urls import include, path, reverse_lazy
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from . import admin_views
from .services.inbox import can_use_inbox


@hooks.register("register_admin_urls")
def register_admin_urls():
    urls = [
        path("", admin_views.case_list, name="cases"),
        path("<int:pk>/", admin_views.case_detail, name="case"),
        path("outbox/", admin_views.outbox_list, name="outbox"),
        path("outbox/retry/", admin_views.outbox_retry, name="outbox_retry"),
    ]
    return [
        path("bridge/", include((urls, "backend_bridge_admin"), namespace="backend_bridge_admin"))
    ]


class StaffMenuItem(MenuItem):
    def is_shown(self, request):
        return can_use_inbox(request.user)


@hooks.register("register_admin_menu_item")
def register_menu():
    submenu = Menu(
        items=[
            StaffMenuItem(
                "信访件受理台",
                reverse_lazy("backend_bridge_admin:cases"),
                icon_name="mail",
                order=100,
            ),
            StaffMenuItem(
                "待发送消息",
                reverse_lazy("backend_bridge_admin:outbox"),
                icon_name="repeat",
                order=200,
            ),
        ]
    )
    return SubmenuMenuItem("互动交流", submenu, icon_name="mail", name="bridge", order=450)

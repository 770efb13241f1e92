"""Wagtail admin: the 数据统计 menu item and its URLs."""

from django.urls import path, reverse_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import services, views


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("statistics/", views.statistics, name="stats_statistics")]


class StatisticsMenuItem(MenuItem):
    def is_shown(self, request):
        return services.visible_portals(request.user).exists()


@hooks.register("register_admin_menu_item")
def register_menu():
    return StatisticsMenuItem(
        "数据统计", reverse_lazy("stats_statistics"), icon_name="table", order=900
    )

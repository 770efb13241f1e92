"""Admin integration of the audit log: its screen and a menu item only its readers see."""

from django.urls import include, path, reverse_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import views


@hooks.register("register_admin_urls")
def register_admin_urls():
    urls = [
        path("", views.record_list, name="records"),
        path("export/", views.record_export, name="export"),
    ]
    return [path("audit/", include((urls, "audit_admin"), namespace="audit_admin"))]


class AuditMenuItem(MenuItem):
    def is_shown(self, request):
        return views.can_view(request.user)


@hooks.register("register_admin_menu_item")
def register_menu():
    return AuditMenuItem(
        "安全审计日志",
        reverse_lazy("audit_admin:records"),
        icon_name="history",
        name="audit",
        order=9000,
    )

"""Admin wiring of the operations app: the inspection reports (巡检报告) under 报告."""

from django.urls import path
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from . import admin_views
from .models import InspectionReport


class InspectionReportViewSet(ModelViewSet):
    model = InspectionReport
    icon = "doc-full-inverse"
    menu_label = "巡检报告"
    menu_order = 900
    add_to_reports_menu = True
    list_display = ["__str__", "scope_label", "total", "serious", "warnings", "trigger"]
    inspect_view_enabled = True
    index_view_class = admin_views.ReportIndexView
    inspect_view_class = admin_views.ReportInspectView
    copy_view_enabled = False
    exclude_form_fields = []

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("<int:pk>/xlsx/", admin_views.download_xlsx, name="xlsx"),
            path("run/", admin_views.run_now, name="run"),
        ]


register_permission_policy(InspectionReport, admin_views.InspectionReportPolicy(InspectionReport))


@hooks.register("register_admin_viewset")
def register_inspection_reports():
    return InspectionReportViewSet("inspection_reports")

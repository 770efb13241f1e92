"""Admin screens of the inspection reports (巡检报告): per-portal scoping, the report itself,
its XLSX download and "立即巡检".

A portal's staff (anyone holding page permissions on its tree) see their own portal's reports
only; the group report, which lists every portal's findings, is for superusers. Someone else's
report answers 404, as if it did not exist.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_POST
from wagtail.admin.auth import require_admin_access
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.permission_policies.base import ModelPermissionPolicy

from .models import InspectionReport


def portals_of(user):
    """The portals on whose page tree ``user`` holds any permission (all for a superuser)."""
    from wagtail.models import GroupPagePermission

    from sites.models import Portal

    portals = Portal.objects.select_related("site__root_page").order_by("sort_order", "id")
    if user.is_superuser:
        return list(portals)
    paths = set(
        GroupPagePermission.objects.filter(group__user=user).values_list("page__path", flat=True)
    )
    return [
        p
        for p in portals
        if any(
            p.site.root_page.path.startswith(path) or path.startswith(p.site.root_page.path)
            for path in paths
        )
    ]


def visible_reports(user):
    if user.is_superuser:
        return InspectionReport.objects.all()
    return InspectionReport.objects.filter(portal__in=portals_of(user))


class InspectionReportPolicy(ModelPermissionPolicy):
    """View only; reports are written by the inspection, never edited by hand."""

    def user_has_permission(self, user, action):
        return action == "view" and user.is_active and bool(portals_of(user))

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        return (
            self.user_has_permission(user, action)
            and visible_reports(user).filter(pk=instance.pk).exists()
        )

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return InspectionReport.objects.none()
        return visible_reports(user)


class ReportIndexView(IndexView):
    template_name = "operations/report_index.html"

    def get_base_queryset(self):
        return visible_reports(self.request.user).select_related("portal")


class ReportInspectView(InspectView):
    template_name = "operations/report_inspect.html"

    def get_object(self, queryset=None):
        return get_object_or_404(visible_reports(self.request.user), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        from .reports import render_html

        context = super().get_context_data(**kwargs)
        context["report_html"] = render_html(self.object, standalone=False)
        return context


@require_admin_access
def download_xlsx(request, pk: int):
    from .reports import render_xlsx

    report = visible_reports(request.user).filter(pk=pk).first()
    if report is None:
        raise Http404
    scope = report.portal.code if report.portal_id else "group"
    name = f"inspection-{scope}-{timezone.localtime(report.created_at):%Y%m%d-%H%M}.xlsx"
    response = HttpResponse(
        render_xlsx(report),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_admin_access
@require_POST
def run_now(request):
    """Queue an inspection of the user's own portals (a task: a worker runs it in production)."""
    from .tasks import inspect_portals

    portals = portals_of(request.user)
    if not portals:
        raise Http404
    inspect_portals.enqueue([p.code for p in portals], f"后台（{request.user.get_username()}）")
    messages.success(request, "已开始巡检，完成后报告会出现在列表中（全部门户约需几分钟）。")
    return redirect("inspection_reports:index")

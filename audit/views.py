"""The audit administrator's screen (审计日志): search, filter and XLSX export.

Only holders of ``audit.view_auditrecord`` (the 审计管理员 group; not superusers) see it; exporting needs
``audit.export_auditrecord`` and is itself recorded. Everyone else gets 403.
"""

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.http import urlencode

from . import services
from .models import Category, Outcome

VIEW_PERMISSION = "audit.view_auditrecord"
EXPORT_PERMISSION = "audit.export_auditrecord"


def can_view(user) -> bool:
    # Not the superuser either: it is kept for installation, and 三员分立 gives the log to the
    # audit administrator alone (the superuser would pass every has_perm).
    return user.is_active and not user.is_superuser and user.has_perm(VIEW_PERMISSION)


def can_export(user) -> bool:
    return can_view(user) and user.has_perm(EXPORT_PERMISSION)


def _denied(request):
    # A plain 403, not Wagtail's redirect to the dashboard: the screen is not the user's.
    return TemplateResponse(request, "audit/denied.html", {"header_title": "无权访问"}, status=403)


FILTER_KEYS = ("q", "category", "outcome", "username", "date_from", "date_to")


def record_list(request):
    if not can_view(request.user):
        services.record(
            services.Category.ACCESS,
            "audit_view_denied",
            request=request,
            target=request.path,
            outcome=Outcome.DENIED,
        )
        return _denied(request)
    queryset = services.search(request.GET)
    page = Paginator(queryset, 50).get_page(request.GET.get("p"))
    filters = {key: request.GET.get(key, "") for key in FILTER_KEYS}
    query = urlencode({k: v for k, v in filters.items() if v})
    return TemplateResponse(
        request,
        "audit/record_list.html",
        {
            "page": page,
            "filters": filters,
            "query": query,
            "categories": Category.choices,
            "outcomes": Outcome.choices,
            "can_export": can_export(request.user),
            "header_title": "安全审计日志",
        },
    )


def record_export(request):
    if not can_export(request.user):
        services.record(
            services.Category.ACCESS,
            "audit_export_denied",
            request=request,
            target=request.path,
            outcome=Outcome.DENIED,
        )
        return _denied(request)
    queryset = services.search(request.GET)
    count = min(queryset.count(), services.EXPORT_LIMIT)
    filters = {key: request.GET.get(key, "") for key in FILTER_KEYS if request.GET.get(key)}
    # Recorded before the file is built, so the export shows up in what it exports.
    services.record(
        Category.EXPORT,
        "audit_export",
        request=request,
        target=f"审计记录 {count} 条",
        details={"filters": filters, "count": count},
    )
    body = services.export_xlsx(queryset)
    response = HttpResponse(
        body,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"audit_{timezone.localtime():%Y%m%d_%H%M%S}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

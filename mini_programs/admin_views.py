"""Admin screens of the canteen beyond the model listings: live counts per meal and dish,
the XLSX exports (day list, month bills) and the staff-list import. Thin: the work is in
``services``; who may use them is the permission policy of ``Order`` / ``Diner``."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from wagtail.permission_policies import ModelPermissionPolicy

from .forms import DayForm, DinerImportForm, MonthForm
from .models import Diner, Order
from .services import audit_trail, billing, ordering
from .services.diners import import_diners
from .services.errors import MealError

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
orders_policy = ModelPermissionPolicy(Order)
diners_policy = ModelPermissionPolicy(Diner)


def can_see_counts(user) -> bool:
    return orders_policy.user_has_any_permission(user, ["view", "change"])


def _require(policy, user, actions):
    if not policy.user_has_any_permission(user, actions):
        raise PermissionDenied


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


def dashboard(request):
    _require(orders_policy, request.user, ["view", "change"])
    day = timezone.localdate()
    form = DayForm(request.GET or None)
    if form.is_valid() and form.cleaned_data["day"]:
        day = form.cleaned_data["day"]
    if not request.GET:
        form = DayForm(initial={"day": day})
    return TemplateResponse(
        request,
        "mini_programs/admin/dashboard.html",
        {
            "header_title": "订餐统计",
            "form": form,
            "day": day,
            "counts": ordering.live_counts(day),
            "month_form": MonthForm(initial={"month": f"{day:%Y-%m}"}),
        },
    )


def export_day(request):
    _require(orders_policy, request.user, ["view", "change"])
    form = DayForm(request.GET)
    if not form.is_valid() or not form.cleaned_data["day"]:
        messages.error(request, "请选择要导出的日期。")
        return redirect("mini_programs_admin:dashboard")
    day = form.cleaned_data["day"]
    data = billing.day_list_xlsx(day)
    audit_trail.exported(request, "mp_day_list_exported", f"{day:%Y-%m-%d} 用餐名单")
    return _xlsx(data, f"{day:%Y-%m-%d}-用餐名单.xlsx")


def export_month(request):
    _require(orders_policy, request.user, ["view", "change"])
    form = MonthForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("mini_programs_admin:dashboard")
    try:
        year, month = billing.parse_month(form.cleaned_data["month"])
    except MealError as error:
        messages.error(request, error.message)
        return redirect("mini_programs_admin:dashboard")
    # Full numbers only by a POST with a reason (a link cannot ask for them), from someone who
    # may edit diners; every export is recorded, and an unmasked one as a view of personal data.
    unmasked = bool(form.cleaned_data["unmasked"]) and request.method == "POST"
    if unmasked:
        _require(diners_policy, request.user, ["change"])
    data = billing.month_bills_xlsx(year, month, unmasked=unmasked)
    audit_trail.exported(
        request,
        "mp_month_bills_exported",
        f"{year:04d}-{month:02d} 月度账单",
        unmasked=unmasked,
        reason=form.cleaned_data.get("reason", ""),
    )
    return _xlsx(data, f"{year:04d}-{month:02d}-月度账单.xlsx")


def import_view(request):
    _require(diners_policy, request.user, ["add"])
    report = None
    if request.method == "POST":
        form = DinerImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = import_diners(upload.name, upload.read())
            except MealError as error:
                form.add_error("file", error.message)
            else:
                messages.success(
                    request, f"导入完成：新增{report.created}人，更新{report.updated}人。"
                )
    else:
        form = DinerImportForm()
    return TemplateResponse(
        request,
        "mini_programs/admin/import.html",
        {"header_title": "导入用餐人员", "form": form, "report": report},
    )

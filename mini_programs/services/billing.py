"""Monthly bills and the canteen's XLSX exports (openpyxl).

A bill is computed from the orders themselves, so it always equals the sum of its orders: the
active orders of meals in the month, each at the amount it was placed (or last changed) at.
Cancelled orders and meals that were not served are not billed.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Sum
from openpyxl import Workbook
from openpyxl.styles import Font

from backend_bridge.crypto import mask_phone

from ..models import ZERO, Diner, Order
from .errors import MealError
from .ordering import active_orders_on, live_counts

BOLD = Font(bold=True)
MONEY = "0.00"


def parse_month(text: str) -> tuple[int, int]:
    """ "2026-12" as (2026, 12); MealError for anything else."""
    try:
        year, month = (int(part) for part in str(text).split("-"))
        date(year, month, 1)
    except (TypeError, ValueError):
        raise MealError("invalid_month", "月份格式应为“年-月”，例如 2026-12。", 400) from None
    if not 2000 <= year <= 2100:
        raise MealError("invalid_month", "月份超出范围。", 400)
    return year, month


def billed_orders(year: int, month: int):
    return Order.objects.filter(
        status=Order.Status.ACTIVE, meal__date__year=year, meal__date__month=month
    )


@dataclass
class Bill:
    diner: Diner
    year: int
    month: int
    orders: list[Order]
    total: Decimal

    @property
    def label(self) -> str:
        return f"{self.year}年{self.month}月"


def monthly_bill(diner: Diner, year: int, month: int) -> Bill:
    orders = list(
        billed_orders(year, month)
        .filter(diner=diner)
        .select_related("meal", "dish")
        .order_by("meal__date", "meal__kind")
    )
    total = sum((o.amount for o in orders), ZERO)
    return Bill(diner, year, month, orders, total)


def _autosize(sheet) -> None:
    for column in sheet.columns:
        width = max(len(str(cell.value or "")) for cell in column)
        sheet.column_dimensions[column[0].column_letter].width = min(max(width * 2, 8), 40)


def _bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def day_list_xlsx(day: date) -> bytes:
    """The day's list: one sheet of counts per meal, one row per order."""
    workbook = Workbook()
    summary = workbook.active
    summary.title = "汇总"
    summary.append([f"{day:%Y年%m月%d日} 用餐汇总"])
    summary["A1"].font = BOLD
    summary.append(["餐次", "订单数", "总份数", "其中客餐", "供应份数"])
    for count in live_counts(day):
        summary.append(
            [
                count.meal.get_kind_display(),
                count.orders,
                count.portions,
                count.guests,
                count.meal.capacity,
            ]
        )
    detail = workbook.create_sheet("明细")
    detail.append(["餐次", "部门", "姓名", "工号", "菜品", "客餐份数", "总份数", "金额（元）"])
    total = ZERO
    for order in active_orders_on(day):
        department = order.diner.department.name if order.diner.department else ""
        detail.append(
            [
                order.meal.get_kind_display(),
                department,
                order.diner.name,
                order.diner.employee_no,
                order.dish.name if order.dish else "",
                order.guests,
                order.portions,
                order.amount,
            ]
        )
        detail.cell(detail.max_row, 8).number_format = MONEY
        total += order.amount
    detail.append(["合计", "", "", "", "", "", "", total])
    detail.cell(detail.max_row, 8).number_format = MONEY
    detail.cell(detail.max_row, 1).font = BOLD
    _autosize(summary)
    _autosize(detail)
    return _bytes(workbook)


def month_bills_xlsx(year: int, month: int, *, unmasked: bool = False) -> bytes:
    """The month's bills: one row per diner (orders, portions, amount) and every order.
    Phone numbers are masked unless ``unmasked`` (the caller records who asked and why)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "月度账单"
    sheet.append(["部门", "姓名", "工号", "手机号", "订单数", "份数", "应付金额（元）"])
    rows = (
        billed_orders(year, month)
        .values("diner_id", "diner__name", "diner__employee_no", "diner__phone")
        .annotate(n=Count("id"), portions=Sum("portions"), total=Sum("amount"))
        .order_by("diner__department__name", "diner__name")
    )
    departments = dict(Diner.objects.values_list("pk", "department__name"))
    grand = ZERO
    for row in rows:
        sheet.append(
            [
                departments.get(row["diner_id"]) or "",
                row["diner__name"],
                row["diner__employee_no"],
                row["diner__phone"] if unmasked else mask_phone(row["diner__phone"]),
                row["n"],
                row["portions"],
                row["total"],
            ]
        )
        sheet.cell(sheet.max_row, 7).number_format = MONEY
        grand += row["total"]
    sheet.append(["合计", "", "", "", "", "", grand])
    sheet.cell(sheet.max_row, 7).number_format = MONEY
    sheet.cell(sheet.max_row, 1).font = BOLD
    detail = workbook.create_sheet("订单明细")
    detail.append(["日期", "餐次", "姓名", "客餐份数", "本人单价", "客餐单价", "金额（元）"])
    for order in (
        billed_orders(year, month)
        .select_related("meal", "diner")
        .order_by("meal__date", "meal__kind", "diner__name")
    ):
        detail.append(
            [
                order.meal.date,
                order.meal.get_kind_display(),
                order.diner.name,
                order.guests,
                order.unit_price,
                order.guest_price,
                order.amount,
            ]
        )
        detail.cell(detail.max_row, 1).number_format = "yyyy-mm-dd"
    _autosize(sheet)
    _autosize(detail)
    return _bytes(workbook)

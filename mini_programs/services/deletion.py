"""Why a canteen record cannot be deleted: orders and menus keep what they refer to
(``on_delete=PROTECT``), and the admin says so in Chinese instead of failing."""

from __future__ import annotations

from django.db import router
from django.db.models.deletion import Collector, ProtectedError

from ..models import Department, Diner, Dish, Meal

ADVICE = {
    Dish: "如不再供应，请取消勾选“在售”。",
    Meal: "如不再供应，请勾选“已取消供应”，已订人员会收到停餐通知。",
    Diner: "如已离职或调出，请取消勾选“允许订餐”，其历史订单和账单将保留。",
    Department: "请先把该部门的人员调整到其他部门。",
}


def deletion_refusal(obj) -> str | None:
    """A zh-hans explanation when deleting ``obj`` would break orders or menus, else None."""
    collector = Collector(using=router.db_for_write(type(obj)))
    try:
        collector.collect([obj])
    except ProtectedError as error:
        count = len(error.protected_objects)
        kinds = "、".join(sorted({o._meta.verbose_name for o in error.protected_objects}))
        advice = ADVICE.get(type(obj), "")
        return f"“{obj}”已被{count}条{kinds}记录引用，不能删除。{advice}"
    return None

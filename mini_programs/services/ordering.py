"""Menus and orders: what a diner may order, placing, changing and cancelling, cancelled meals.

Rules, each refused with a MealError (zh-hans message, 4xx): no service on a holiday or for a
cancelled meal; nothing after the meal's cutoff; only active diners of departments allowed to
order (and of the meal's departments, when it names some); guests only where the meal and the
diner allow them; never more portions than the meal's capacity.

Capacity holds under concurrency because portions are taken by one conditional UPDATE
(``reserved + n <= capacity``) inside the order's transaction: on PostgreSQL the second of two
concurrent UPDATEs waits for the first's row lock and re-checks the condition, so of two orders
for the last portion exactly one succeeds. The order keeps the prices it was placed at.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Sum
from django.utils import timezone

from ..models import Diner, Holiday, Meal, MealDish, Notice, Order, WeChatBinding
from .config import get_config
from .errors import MealError

Status = Order.Status
MAX_DAYS_AHEAD = 31


def menus(diner: Diner, start: date, days: int = 7) -> list[dict]:
    """The meals from ``start`` for ``days`` days, with the diner's own order of each."""
    days = max(1, min(days, MAX_DAYS_AHEAD))
    end = start + timedelta(days=days - 1)
    holidays = dict(Holiday.objects.filter(date__range=(start, end)).values_list("date", "name"))
    meals = (
        Meal.objects.filter(date__range=(start, end))
        .prefetch_related("menu_items__dish", "departments")
        .order_by("date", "kind")
    )
    mine = {
        o.meal_id: o
        for o in Order.objects.filter(diner=diner, meal__in=meals, status=Status.ACTIVE)
    }
    now = timezone.now()
    result = []
    for meal in meals:
        refusal = _refusal(diner, meal, now, holidays.get(meal.date))
        result.append(
            {
                "meal": meal,
                "dishes": [item.dish for item in meal.menu_items.all()],
                "my_order": mine.get(meal.pk),
                "orderable": refusal is None,
                "reason": refusal.message if refusal else "",
                "holiday": holidays.get(meal.date, ""),
            }
        )
    return result


def _refusal(diner: Diner, meal: Meal, now, holiday: str | None = None) -> MealError | None:
    """Why ``diner`` may not order ``meal`` now (None: they may)."""
    if holiday is None:
        holiday = Holiday.objects.filter(date=meal.date).values_list("name", flat=True).first()
    if holiday:
        return MealError("no_service", f"{meal}为停餐日（{holiday}），不提供订餐。", 409)
    if meal.cancelled:
        reason = f"（{meal.cancel_reason}）" if meal.cancel_reason else ""
        return MealError("meal_cancelled", f"{meal}已取消供应{reason}。", 409)
    if now >= meal.cutoff_at:
        local = timezone.localtime(meal.cutoff_at)
        return MealError(
            "past_cutoff", f"{meal}已于{local:%m月%d日 %H:%M}截止订餐，不能再订、改或退。", 409
        )
    if not diner.active or (diner.department_id and not diner.department.may_order):
        return MealError("not_allowed", "您暂无订餐权限，请联系食堂管理员。", 403)
    allowed = list(meal.departments.all())
    if allowed and diner.department not in allowed:
        names = "、".join(d.name for d in allowed)
        return MealError("not_allowed", f"{meal}仅限{names}人员订餐。", 403)
    return None


def _check_guests(diner: Diner, meal: Meal, guests: int) -> None:
    if guests < 0:
        raise MealError("invalid_guests", "客餐份数不能为负数。", 400)
    if guests and not (meal.guests_allowed and diner.guests_allowed):
        raise MealError("guests_not_allowed", f"{meal}不允许您代订客餐。", 403)
    if guests > meal.max_guests:
        raise MealError("too_many_guests", f"每单最多代订{meal.max_guests}份客餐。", 400)


def _take(meal: Meal, portions: int) -> None:
    """Take ``portions`` of ``meal`` or raise sold_out: the one conditional UPDATE."""
    taken = Meal.objects.filter(pk=meal.pk, reserved__lte=F("capacity") - portions).update(
        reserved=F("reserved") + portions
    )
    if not taken:
        left = Meal.objects.filter(pk=meal.pk).values_list("capacity", "reserved").first()
        remaining = max(left[0] - left[1], 0) if left else 0
        message = (
            f"{meal}已订满。" if remaining == 0 else f"{meal}仅剩{remaining}份，不够您所订份数。"
        )
        raise MealError("sold_out", message, 409, {"remaining": remaining})


def lock_for_edit(meal: Meal) -> None:
    """Inside the transaction that saves an edited ``meal``: lock its row, carry the portions
    taken since the form was opened (orders kept arriving meanwhile; saving the stale count
    would give sold portions away again) and refuse a capacity below them with a MealError.

    Orders take portions with a conditional UPDATE of the same row, so they wait for this lock
    and then check the new capacity."""
    if meal.pk is None:
        return
    current = (
        Meal.objects.select_for_update().filter(pk=meal.pk).values_list("reserved", flat=True)
    ).first()
    if current is None:
        return
    meal.reserved = current
    if meal.capacity is not None and meal.capacity < current:
        raise MealError(
            "capacity_below_reserved",
            f"已订{current}份，供应份数不能少于已订份数。",
            409,
            {"reserved": current},
        )


def _give_back(meal_id: int, portions: int) -> None:
    Meal.objects.filter(pk=meal_id).update(reserved=F("reserved") - portions)


def _amount(unit_price: Decimal, guest_price: Decimal, guests: int) -> Decimal:
    return unit_price + guest_price * guests


def _meal(meal_id: int) -> Meal:
    meal = Meal.objects.filter(pk=meal_id).first()
    if meal is None:
        raise MealError("meal_not_found", "该餐次不存在。", 404)
    return meal


def _dish(meal: Meal, dish_id: int | None):
    if dish_id is None:
        return None
    item = MealDish.objects.select_related("dish").filter(meal=meal, dish_id=dish_id).first()
    if item is None:
        raise MealError("dish_not_on_menu", "所选菜品不在该餐次的菜单上。", 400)
    return item.dish


def place_order(
    diner: Diner, meal_id: int, guests: int = 0, dish_id: int | None = None, *, now=None
) -> Order:
    now = now or timezone.now()
    meal = _meal(meal_id)
    refusal = _refusal(diner, meal, now)
    if refusal:
        raise refusal
    _check_guests(diner, meal, guests)
    dish = _dish(meal, dish_id)
    if Order.objects.filter(diner=diner, meal=meal, status=Status.ACTIVE).exists():
        raise MealError("already_ordered", f"您已订{meal}，如需调整请修改原订单。", 409)
    portions = 1 + guests
    try:
        with transaction.atomic():
            _take(meal, portions)
            return Order.objects.create(
                diner=diner,
                meal=meal,
                dish=dish,
                guests=guests,
                portions=portions,
                unit_price=meal.diner_price,
                guest_price=meal.price,
                amount=_amount(meal.diner_price, meal.price, guests),
            )
    except IntegrityError:
        # The partial unique index: the same diner ordered the same meal at the same moment.
        raise MealError("already_ordered", f"您已订{meal}，如需调整请修改原订单。", 409) from None


def own_order(diner: Diner, order_id: int, attempt: str = "read") -> Order:
    # Another diner's order is "not found", never "forbidden": nothing about it is revealed.
    # The attempt is recorded (the current request's address): reading, changing or cancelling
    # someone else's order, or walking through order ids, is what an IDOR attack looks like.
    order = Order.objects.select_related("meal").filter(pk=order_id, diner=diner).first()
    if order is None:
        from .audit_trail import order_access_denied

        order_access_denied(None, diner.pk, order_id, attempt)
        raise MealError("order_not_found", "订单不存在。", 404)
    return order


def change_order(
    diner: Diner, order_id: int, guests: int, dish_id: int | None = None, *, now=None
) -> Order:
    """Change the number of guests (and the dish) of an active order before the cutoff; the
    prices the order was placed at are kept."""
    now = now or timezone.now()
    order = own_order(diner, order_id, "change")
    if order.status != Status.ACTIVE:
        raise MealError("order_not_active", "该订单已退订，不能修改。", 409)
    meal = order.meal
    refusal = _refusal(diner, meal, now)
    if refusal:
        raise refusal
    _check_guests(diner, meal, guests)
    dish = _dish(meal, dish_id) if dish_id is not None else order.dish
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        if order.status != Status.ACTIVE:
            raise MealError("order_not_active", "该订单已退订，不能修改。", 409)
        delta = (1 + guests) - order.portions
        if delta > 0:
            _take(meal, delta)
        elif delta < 0:
            _give_back(meal.pk, -delta)
        order.guests = guests
        order.portions = 1 + guests
        order.dish = dish
        order.amount = _amount(order.unit_price, order.guest_price, guests)
        order.save(update_fields=["guests", "portions", "dish", "amount", "updated_at"])
    return order


def cancel_order(diner: Diner, order_id: int, *, now=None) -> Order:
    now = now or timezone.now()
    order = own_order(diner, order_id, "cancel")
    if order.status != Status.ACTIVE:
        raise MealError("order_not_active", "该订单已退订。", 409)
    if now >= order.meal.cutoff_at:
        local = timezone.localtime(order.meal.cutoff_at)
        raise MealError(
            "past_cutoff", f"{order.meal}已于{local:%m月%d日 %H:%M}截止，不能再退订。", 409
        )
    with transaction.atomic():
        changed = Order.objects.filter(pk=order.pk, status=Status.ACTIVE).update(
            status=Status.CANCELLED, updated_at=now
        )
        if changed:
            _give_back(order.meal_id, order.portions)
    order.refresh_from_db()
    return order


def orders_of(diner: Diner, month: tuple[int, int] | None = None):
    queryset = Order.objects.filter(diner=diner).select_related("meal", "dish")
    if month:
        queryset = queryset.filter(meal__date__year=month[0], meal__date__month=month[1])
    return queryset.order_by("-meal__date", "meal__kind")


@transaction.atomic
def cancel_meal(meal: Meal, reason: str = "") -> int:
    """Stop serving ``meal``: its active orders end (not billed) and every diner who ordered it
    gets a 停餐通知 through the outbox. Returns the number of orders cancelled."""
    Meal.objects.filter(pk=meal.pk).update(cancelled=True, cancel_reason=reason[:50])
    meal.cancelled, meal.cancel_reason = True, reason[:50]
    orders = list(Order.objects.filter(meal=meal, status=Status.ACTIVE).select_related("diner"))
    Order.objects.filter(pk__in=[o.pk for o in orders]).update(status=Status.MEAL_CANCELLED)
    Meal.objects.filter(pk=meal.pk).update(reserved=0)
    _queue_cancel_notices(meal, [o.diner_id for o in orders])
    return len(orders)


def _queue_cancel_notices(meal: Meal, diner_ids: list[int]) -> None:
    try:
        config = get_config()
    except MealError:
        return
    if config.template("meal_cancelled") is None:
        return
    now = timezone.now()
    bindings = WeChatBinding.objects.filter(app_id=config.app_id, diner_id__in=diner_ids)
    if bindings.exists():
        from ..tasks import kick

        transaction.on_commit(kick)
    for binding in bindings:
        Notice.objects.get_or_create(
            kind=Notice.Kind.MEAL_CANCELLED,
            diner_id=binding.diner_id,
            meal=meal,
            defaults={"app_id": binding.app_id, "openid": binding.openid, "next_attempt_at": now},
        )


def cancel_meals_on(day: date, reason: str) -> int:
    """A holiday was declared: every meal of that day stops."""
    total = 0
    for meal in Meal.objects.filter(date=day, cancelled=False):
        total += cancel_meal(meal, reason)
    return total


@dataclass
class MealCount:
    meal: Meal
    orders: int
    portions: int
    guests: int
    dishes: list[tuple[str, int]]


def live_counts(day: date) -> list[MealCount]:
    """Per meal of ``day``: active orders, portions, guests and portions per dish."""
    result = []
    for meal in Meal.objects.filter(date=day).order_by("kind").prefetch_related("menu_items__dish"):
        active = Order.objects.filter(meal=meal, status=Status.ACTIVE)
        totals = active.aggregate(n=Count("id"), portions=Sum("portions"), guests=Sum("guests"))
        per_dish = dict(
            active.filter(dish__isnull=False)
            .values_list("dish__name")
            .annotate(p=Sum("portions"))
            .values_list("dish__name", "p")
        )
        dishes = [
            (item.dish.name, per_dish.get(item.dish.name, 0)) for item in meal.menu_items.all()
        ]
        unchosen = active.filter(dish__isnull=True).aggregate(p=Sum("portions"))["p"] or 0
        if meal.menu_items.exists() and unchosen:
            dishes.append(("未选菜品", unchosen))
        result.append(
            MealCount(
                meal, totals["n"] or 0, totals["portions"] or 0, totals["guests"] or 0, dishes
            )
        )
    return result


def active_orders_on(day: date):
    return (
        Order.objects.filter(meal__date=day, status=Status.ACTIVE)
        .select_related("meal", "diner__department", "dish")
        .order_by("meal__kind", "diner__department__name", "diner__name")
    )


def remind(diner: Diner, session_openid: str, meal_id: int, minutes_before: int, *, now=None):
    """Ask for a 截止提醒 ``minutes_before`` the cutoff of ``meal``: one outbox row, sent by
    ``mp_send_notices`` when it is due (the diner agreed in WeChat's subscribe dialog)."""
    now = now or timezone.now()
    config = get_config()
    if config.template("reminder") is None:
        raise MealError("reminder_unavailable", "暂未开通订餐提醒。", 409)
    if not 5 <= minutes_before <= 24 * 60:
        raise MealError("invalid_minutes", "提醒时间应为截止前5分钟至24小时。", 400)
    meal = _meal(meal_id)
    if meal.cancelled or now >= meal.cutoff_at:
        raise MealError("past_cutoff", f"{meal}已截止或已取消，无需提醒。", 409)
    due = max(meal.cutoff_at - timedelta(minutes=minutes_before), now)
    notice, created = Notice.objects.get_or_create(
        kind=Notice.Kind.REMINDER,
        diner=diner,
        meal=meal,
        defaults={"app_id": config.app_id, "openid": session_openid, "next_attempt_at": due},
    )
    if not created and notice.state == Notice.State.PENDING:
        Notice.objects.filter(pk=notice.pk).update(
            next_attempt_at=due, app_id=config.app_id, openid=session_openid
        )
        notice.refresh_from_db()
    return notice

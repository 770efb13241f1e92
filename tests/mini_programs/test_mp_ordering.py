"""Ordering through the API: menus, ordering, changing and cancelling, and every rule that
refuses (cutoff, capacity, holidays, who may order, guests); money; IDOR attempts."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from mini_programs.models import Department, Dish, Holiday, Meal, MealDish, Order

pytestmark = pytest.mark.django_db


@pytest.fixture
def diner(make_diner):
    return make_diner("李明", guests_allowed=True)


@pytest.fixture
def user(sign_in, diner):
    return sign_in(diner)


def order(user, meal, **body):
    return user.post("/orders", {"meal_id": meal.pk, **body})


def test_the_menu_lists_coming_meals_with_dishes_and_prices(user, make_meal):
    meal = make_meal(date=timezone.localdate() + timedelta(days=1))
    dish = Dish.objects.create(name="白切鸡")
    MealDish.objects.create(meal=meal, dish=dish)
    response = user.get("/meals", start=str(meal.date), days=2)
    assert response.status_code == 200
    (entry,) = response.json()
    assert entry["label"] == str(meal)
    assert entry["dishes"][0]["name"] == "白切鸡"
    assert Decimal(entry["diner_price"]) == Decimal("10.00")
    assert entry["orderable"] is True and entry["my_order"] is None


def test_ordering_for_oneself_and_guests_charges_the_subsidised_and_full_price(user, make_meal):
    meal = make_meal(guests_allowed=True)
    response = order(user, meal, guests=2)
    assert response.status_code == 201
    body = response.json()
    assert body["portions"] == 3
    assert Decimal(body["amount"]) == Decimal("40.00")  # 10 for oneself, 15 per guest
    meal.refresh_from_db()
    assert meal.reserved == 3


def test_ordering_twice_is_refused(user, make_meal):
    meal = make_meal()
    assert order(user, meal).status_code == 201
    again = order(user, meal)
    assert again.status_code == 409
    assert "您已订" in again.json()["message"]


def test_change_and_cancel_before_the_cutoff_give_portions_back(user, make_meal):
    meal = make_meal(guests_allowed=True)
    order_id = order(user, meal, guests=1).json()["id"]
    changed = user.patch(f"/orders/{order_id}", {"guests": 0})
    assert changed.status_code == 200 and Decimal(changed.json()["amount"]) == Decimal("10.00")
    meal.refresh_from_db()
    assert meal.reserved == 1
    cancelled = user.post(f"/orders/{order_id}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    meal.refresh_from_db()
    assert meal.reserved == 0
    assert user.post(f"/orders/{order_id}/cancel").status_code == 409


def test_after_the_cutoff_nothing_can_be_ordered_changed_or_cancelled(user, make_meal):
    meal = make_meal()
    order_id = order(user, meal).json()["id"]
    Meal.objects.filter(pk=meal.pk).update(cutoff_at=timezone.now() - timedelta(minutes=1))
    late = make_meal(cutoff_at=timezone.now() - timedelta(minutes=1))
    refused = order(user, late)
    assert refused.status_code == 409 and "截止" in refused.json()["message"]
    assert user.patch(f"/orders/{order_id}", {"guests": 0}).status_code == 409
    cancel = user.post(f"/orders/{order_id}/cancel")
    assert cancel.status_code == 409 and "截止" in cancel.json()["message"]
    assert Order.objects.get(pk=order_id).status == "active"


def test_above_capacity_is_refused_with_what_is_left(sign_in, make_diner, make_meal):
    meal = make_meal(capacity=2, guests_allowed=True)
    first = sign_in(make_diner(guests_allowed=True))
    assert order(first, meal).status_code == 201
    second = sign_in(make_diner(guests_allowed=True))
    refused = order(second, meal, guests=1)
    assert refused.status_code == 409
    assert "仅剩1份" in refused.json()["message"]
    assert order(second, meal).status_code == 201
    third = sign_in(make_diner())
    full = order(third, meal)
    assert full.status_code == 409 and "已订满" in full.json()["message"]
    meal.refresh_from_db()
    assert meal.reserved == 2


def test_a_holiday_has_no_service(user, make_meal):
    meal = make_meal()
    Holiday.objects.create(date=meal.date, name="元旦")
    refused = order(user, meal)
    assert refused.status_code == 409
    assert "停餐日（元旦）" in refused.json()["message"]


def test_a_cancelled_meal_cannot_be_ordered(user, make_meal):
    meal = make_meal(cancelled=True, cancel_reason="设备检修")
    refused = order(user, meal)
    assert refused.status_code == 409 and "设备检修" in refused.json()["message"]


def test_only_the_meals_departments_may_order(user, make_meal):
    meal = make_meal()
    meal.departments.add(Department.objects.create(name="信访接待处"))
    meal.save()  # a ParentalManyToManyField is written when the meal is saved
    refused = order(user, meal)
    assert refused.status_code == 403 and "仅限信访接待处" in refused.json()["message"]


def test_a_diner_not_allowed_to_order_is_refused(user, diner, make_meal):
    diner.active = False
    diner.save()
    refused = order(user, make_meal())
    assert refused.status_code == 403 and "暂无订餐权限" in refused.json()["message"]


def test_a_department_not_allowed_to_order_is_refused(user, diner, make_meal):
    Department.objects.filter(pk=diner.department_id).update(may_order=False)
    assert order(user, make_meal()).status_code == 403


def test_guests_only_where_the_meal_allows_them(user, make_meal, sign_in, make_diner):
    refused = order(user, make_meal(guests_allowed=False), guests=1)
    assert refused.status_code == 403 and "客餐" in refused.json()["message"]
    too_many = order(user, make_meal(guests_allowed=True, max_guests=2), guests=3)
    assert too_many.status_code == 400
    plain = sign_in(make_diner(guests_allowed=False))
    assert order(plain, make_meal(guests_allowed=True), guests=1).status_code == 403


def test_a_dish_must_be_on_the_meals_menu(user, make_meal):
    meal = make_meal()
    on_menu = Dish.objects.create(name="酸笋鱼")
    MealDish.objects.create(meal=meal, dish=on_menu)
    other = Dish.objects.create(name="螺蛳粉")
    assert order(user, meal, dish_id=other.pk).status_code == 400
    assert order(user, meal, dish_id=on_menu.pk).json()["dish_id"] == on_menu.pk


def test_unknown_meal_is_404(user):
    response = user.post("/orders", {"meal_id": 999999})
    assert response.status_code == 404 and response.json()["message"] == "该餐次不存在。"


def test_bad_input_is_a_422_in_the_one_error_shape(user):
    response = user.post("/orders", {"meal_id": "午饭", "guests": -1})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert response.json()["message"] == "请求参数不正确"


def test_a_price_change_after_ordering_does_not_change_the_order_or_bill(user, make_meal):
    meal = make_meal(guests_allowed=True)
    order_id = order(user, meal, guests=1).json()["id"]
    Meal.objects.filter(pk=meal.pk).update(price=Decimal("30.00"), subsidy=Decimal("0.00"))
    changed = user.patch(f"/orders/{order_id}", {"guests": 2})
    assert Decimal(changed.json()["amount"]) == Decimal("40.00")  # 10 + 2 × 15, as ordered
    bill = user.get(f"/bills/{meal.date:%Y-%m}").json()
    assert Decimal(bill["total"]) == Decimal("40.00")


def test_the_monthly_bill_is_the_sum_of_its_orders(user, make_meal):
    today = timezone.localdate()
    first = today.replace(day=1) + timedelta(days=40)
    first = first.replace(day=1)
    meals = [
        make_meal(date=first, kind="breakfast", price=Decimal("4.50"), subsidy=Decimal("1.20")),
        make_meal(date=first, kind="lunch", price=Decimal("15.00"), subsidy=Decimal("5.00")),
        make_meal(date=first + timedelta(days=1), kind="dinner", price=Decimal("12.30")),
    ]
    ids = [order(user, m).json()["id"] for m in meals]
    user.post(f"/orders/{ids[2]}/cancel")  # cancelled: not billed
    bill = user.get(f"/bills/{first:%Y-%m}").json()
    assert bill["order_count"] == 2
    assert Decimal(bill["total"]) == Decimal("3.30") + Decimal("10.00")
    assert Decimal(bill["total"]) == sum(Decimal(o["amount"]) for o in bill["orders"])
    assert user.get("/bills/2026-13").status_code == 400


def test_another_diners_orders_are_never_visible_or_changeable(sign_in, make_diner, make_meal):
    meal = make_meal(guests_allowed=True)
    alice = sign_in(make_diner("甲"))
    bob = sign_in(make_diner("乙", guests_allowed=True))
    alice_order = order(alice, meal).json()["id"]
    order(bob, meal)
    for response in (
        bob.get(f"/orders/{alice_order}"),
        bob.patch(f"/orders/{alice_order}", {"guests": 1}),
        bob.post(f"/orders/{alice_order}/cancel"),
    ):
        assert response.status_code == 404
        assert response.json()["message"] == "订单不存在。"
    listed = bob.get("/orders").json()
    assert alice_order not in [o["id"] for o in listed]
    bill = bob.get(f"/bills/{meal.date:%Y-%m}").json()
    assert alice_order not in [o["id"] for o in bill["orders"]]
    assert Order.objects.get(pk=alice_order).status == "active"
    assert Order.objects.get(pk=alice_order).guests == 0


def test_an_unbound_user_sees_no_meals_or_orders(sign_in, make_meal):
    make_meal()
    user = sign_in(None)
    for response in (user.get("/meals"), user.get("/orders"), user.get("/bills/2026-12")):
        assert response.status_code == 403
        assert response.json()["message"] == "请先绑定职工身份。"


def test_cancelling_a_meal_ends_its_orders_and_queues_a_notice_each(sign_in, make_diner, make_meal):
    from mini_programs.models import Notice
    from mini_programs.services.ordering import cancel_meal

    meal = make_meal()
    users = [sign_in(make_diner()) for _ in range(2)]
    for u in users:
        order(u, meal)
    assert cancel_meal(meal, "停电") == 2
    assert set(Order.objects.values_list("status", flat=True)) == {"meal_cancelled"}
    assert Notice.objects.filter(kind="meal_cancelled", meal=meal).count() == 2
    bill = users[0].get(f"/bills/{meal.date:%Y-%m}").json()
    assert Decimal(bill["total"]) == 0


def test_two_cancels_of_one_order_give_its_portions_back_once(user, make_meal):
    meal = make_meal(guests_allowed=True)
    order_id = order(user, meal, guests=1).json()["id"]
    from mini_programs.services import ordering

    diner = Order.objects.get(pk=order_id).diner
    ordering.cancel_order(diner, order_id)
    with pytest.raises(ordering.MealError):
        ordering.cancel_order(diner, order_id)
    meal.refresh_from_db()
    assert meal.reserved == 0

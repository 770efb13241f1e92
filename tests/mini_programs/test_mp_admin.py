"""The canteen's admin screens, used as a 食堂管理员 through the admin's own forms, and refused
to a portal editor; deleting what orders refer to is explained, never a 500; XLSX exports."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from mini_programs.models import Diner, Dish, Holiday, Meal, Notice, Order
from mini_programs.services import ordering
from mini_programs.services.seeding import CANTEEN_GROUP

pytestmark = pytest.mark.django_db


@pytest.fixture
def canteen(client):
    user = get_user_model().objects.create_user(username="canteen", password="Pw-canteen-2026")
    user.groups.add(Group.objects.get(name=CANTEEN_GROUP))
    client.force_login(user)
    return client


def url(model: str, action: str, *args) -> str:
    return reverse(f"wagtailsnippets_mini_programs_{model}:{action}", args=args)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def meal_form(dish=None, **fields) -> dict:
    day = timezone.localdate() + timedelta(days=3)
    data = {
        "date": f"{day:%Y-%m-%d}",
        "kind": "lunch",
        "price": "16.00",
        "subsidy": "6.00",
        "cutoff_at": f"{day - timedelta(days=1):%Y-%m-%d} 17:00",
        "capacity": "120",
        "max_guests": "2",
        "cancel_reason": "",
        "menu_items-TOTAL_FORMS": "1" if dish else "0",
        "menu_items-INITIAL_FORMS": "0",
        "menu_items-MIN_NUM_FORMS": "0",
        "menu_items-MAX_NUM_FORMS": "1000",
    }
    if dish:
        data.update(
            {"menu_items-0-dish": str(dish.pk), "menu_items-0-ORDER": "1", "menu_items-0-id": ""}
        )
    data.update(fields)
    return data


def test_canteen_staff_create_a_meal_with_its_menu_through_the_admin_form(canteen):
    dish = Dish.objects.create(name="柠檬鸭")
    response = canteen.post(url("meal", "add"), meal_form(dish))
    assert response.status_code == 302, response.content.decode()[:2000]
    meal = Meal.objects.get()
    assert meal.price == Decimal("16.00") and meal.capacity == 120
    assert [item.dish for item in meal.menu_items.all()] == [dish]


def test_a_bad_meal_form_re_renders_with_chinese_errors_and_the_input(canteen, make_meal):
    response = canteen.post(url("meal", "add"), meal_form(subsidy="20.00", capacity="77"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "补贴不能高于价格。" in page
    assert 'value="77"' in page
    assert not Meal.objects.exists()


def test_capacity_cannot_go_below_what_is_ordered(canteen, make_meal, make_diner):
    meal = make_meal(capacity=3)
    ordering.place_order(make_diner(), meal.pk)
    ordering.place_order(make_diner(), meal.pk)
    data = meal_form(date=f"{meal.date:%Y-%m-%d}", capacity="1")
    response = canteen.post(url("meal", "edit", meal.pk), data)
    assert response.status_code == 200
    assert "已订2份，供应份数不能少于已订份数。" in response.content.decode()
    meal.refresh_from_db()
    assert meal.capacity == 3


def test_orders_arriving_while_capacity_is_lowered_are_a_form_error_not_a_500(
    canteen, make_meal, make_diner, monkeypatch
):
    from mini_programs.forms import MealForm

    meal = make_meal(capacity=5)
    ordering.place_order(make_diner(), meal.pk)
    late = [make_diner(), make_diner()]
    clean = MealForm.clean

    def orders_arrive_after_validation(form):
        cleaned = clean(form)  # the form saw 1 portion taken: capacity 2 looked fine
        for diner in late:
            ordering.place_order(diner, meal.pk)
        return cleaned

    monkeypatch.setattr(MealForm, "clean", orders_arrive_after_validation)
    data = meal_form(date=f"{meal.date:%Y-%m-%d}", capacity="2", price="18.00")
    response = canteen.post(url("meal", "edit", meal.pk), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "已订3份，供应份数不能少于已订份数。" in page
    assert 'value="18.00"' in page  # what was typed is still there
    meal.refresh_from_db()
    assert (meal.capacity, meal.reserved, meal.price) == (5, 3, Decimal("15.00"))


def test_saving_a_meal_keeps_the_portions_ordered_while_the_form_was_open(
    canteen, make_meal, make_diner, monkeypatch
):
    from mini_programs.forms import MealForm

    meal = make_meal(capacity=5)
    clean = MealForm.clean

    def an_order_arrives(form):
        cleaned = clean(form)
        ordering.place_order(make_diner(), meal.pk)
        return cleaned

    monkeypatch.setattr(MealForm, "clean", an_order_arrives)
    data = meal_form(date=f"{meal.date:%Y-%m-%d}", capacity="4")
    assert canteen.post(url("meal", "edit", meal.pk), data).status_code == 302
    meal.refresh_from_db()
    assert (meal.capacity, meal.reserved) == (4, 1)  # the stale count 0 was not written back


def test_cancelling_a_meal_in_the_admin_notifies_who_ordered(
    canteen, make_meal, sign_in, make_diner
):
    meal = make_meal()
    user = sign_in(make_diner())
    user.post("/orders", {"meal_id": meal.pk})
    data = meal_form(
        date=f"{meal.date:%Y-%m-%d}", cancelled="on", cancel_reason="食堂检修", capacity="100"
    )
    response = canteen.post(url("meal", "edit", meal.pk), data)
    assert response.status_code == 302
    assert Order.objects.get().status == "meal_cancelled"
    assert Notice.objects.get().kind == "meal_cancelled"


def test_declaring_a_holiday_stops_that_days_meals(canteen, make_meal, make_diner):
    meal = make_meal()
    ordering.place_order(make_diner(), meal.pk)
    response = canteen.post(
        url("holiday", "add"), {"date": f"{meal.date:%Y-%m-%d}", "name": "国庆节"}
    )
    assert response.status_code == 302
    assert Holiday.objects.get().name == "国庆节"
    meal.refresh_from_db()
    assert meal.cancelled and meal.cancel_reason == "国庆节"
    assert Order.objects.get().status == "meal_cancelled"


@pytest.mark.parametrize("kind", ["dish", "meal", "diner"])
def test_deleting_what_an_order_refers_to_is_explained_not_a_500(
    canteen, make_meal, make_diner, kind
):
    meal = make_meal()
    dish = Dish.objects.create(name="荔浦芋扣肉")
    diner = make_diner("覃刚")
    from mini_programs.models import MealDish

    MealDish.objects.create(meal=meal, dish=dish)
    ordering.place_order(diner, meal.pk, dish_id=dish.pk)
    target = {"dish": dish, "meal": meal, "diner": diner}[kind]
    response = canteen.post(url(kind, "delete", target.pk))
    assert response.status_code == 302
    text = " ".join(messages_of(response))
    assert "不能删除" in text and "引用" in text
    assert type(target).objects.filter(pk=target.pk).exists()


def test_bulk_deleting_a_referenced_dish_is_refused_too(canteen, make_meal, make_diner):
    meal = make_meal()
    dish = Dish.objects.create(name="桂林米粉")
    from mini_programs.models import MealDish

    MealDish.objects.create(meal=meal, dish=dish)
    bulk = (
        reverse("wagtail_bulk_action", args=("mini_programs", "dish", "delete")) + f"?id={dish.pk}"
    )
    response = canteen.post(bulk)
    assert response.status_code == 302
    assert "不能删除" in " ".join(messages_of(response))
    assert Dish.objects.filter(pk=dish.pk).exists()


def test_an_unreferenced_dish_is_deleted(canteen):
    dish = Dish.objects.create(name="临时菜")
    response = canteen.post(url("dish", "delete", dish.pk))
    assert response.status_code == 302
    assert not Dish.objects.filter(pk=dish.pk).exists()


def test_live_counts_per_meal_and_dish(canteen, make_meal, make_diner):
    from mini_programs.models import MealDish

    meal = make_meal(guests_allowed=True)
    dish = Dish.objects.create(name="老友粉")
    MealDish.objects.create(meal=meal, dish=dish)
    ordering.place_order(make_diner(guests_allowed=True), meal.pk, guests=2, dish_id=dish.pk)
    ordering.place_order(make_diner(), meal.pk)
    response = canteen.get(
        reverse("mini_programs_admin:dashboard"), {"day": f"{meal.date:%Y-%m-%d}"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "老友粉：3份" in page and "未选菜品：1份" in page


def test_day_list_export_opens_in_openpyxl_with_the_right_totals(canteen, make_meal, make_diner):
    meal = make_meal(guests_allowed=True)
    ordering.place_order(make_diner("甲", guests_allowed=True), meal.pk, guests=1)
    ordering.place_order(make_diner("乙"), meal.pk)
    response = canteen.get(
        reverse("mini_programs_admin:export_day"), {"day": f"{meal.date:%Y-%m-%d}"}
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    detail = list(book["明细"].iter_rows(values_only=True))
    assert {row[2] for row in detail[1:-1]} == {"甲", "乙"}
    assert detail[-1][0] == "合计"
    assert Decimal(str(detail[-1][7])) == Decimal("35.00")  # 10 + 15 guest, 10
    summary = list(book["汇总"].iter_rows(values_only=True))
    assert summary[2][:3] == ("午餐", 2, 3)


def test_month_bills_export_equals_the_sum_of_orders(canteen, make_meal, make_diner):
    day = (timezone.localdate().replace(day=1) + timedelta(days=35)).replace(day=1)
    first, second = make_diner("甲"), make_diner("乙")
    for offset, kind in ((0, "lunch"), (1, "lunch"), (1, "dinner")):
        meal = make_meal(date=day + timedelta(days=offset), kind=kind, price=Decimal("13.35"))
        ordering.place_order(first, meal.pk)
    ordering.place_order(second, meal.pk)
    response = canteen.get(reverse("mini_programs_admin:export_month"), {"month": f"{day:%Y-%m}"})
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book["月度账单"].iter_rows(values_only=True))
    by_name = {row[1]: row for row in rows[1:-1]}
    assert Decimal(str(by_name["甲"][6])).quantize(Decimal("0.01")) == Decimal("25.05")
    assert Decimal(str(by_name["乙"][6])).quantize(Decimal("0.01")) == Decimal("8.35")
    total = sum(Order.objects.filter(status="active").values_list("amount", flat=True))
    assert Decimal(str(rows[-1][6])).quantize(Decimal("0.01")) == total == Decimal("33.40")
    assert len(list(book["订单明细"].iter_rows())) == 1 + 4


def test_a_bad_month_is_a_message_not_a_500(canteen):
    response = canteen.get(reverse("mini_programs_admin:export_month"), {"month": "2026-13"})
    assert response.status_code == 302
    assert "月份" in " ".join(messages_of(response))


def test_importing_the_staff_list_from_xlsx_and_csv(canteen, department):
    book = Workbook()
    book.active.append(["姓名", "手机号", "部门", "工号", "允许代订客餐"])
    book.active.append(["刘洋", "13800000001", "督查室", "A001", "是"])
    book.active.append(["坏行", "12345", "督查室", "", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "名单.xlsx"
    response = canteen.post(reverse("mini_programs_admin:import"), {"file": buffer})
    assert response.status_code == 200
    page = response.content.decode()
    assert "新增 1 人" in page and "第3行" in page
    diner = Diner.objects.with_phone("13800000001").get()
    assert diner.department.name == "督查室" and diner.guests_allowed

    csv = io.BytesIO("姓名,手机号,部门\n刘洋,13800000001,办公室\n".encode("gb18030"))
    csv.name = "名单.csv"
    response = canteen.post(reverse("mini_programs_admin:import"), {"file": csv})
    assert "更新 1 人" in response.content.decode()
    assert Diner.objects.with_phone("13800000001").get().department == department


def test_an_unreadable_import_file_is_a_form_error(canteen):
    junk = io.BytesIO(b"not a spreadsheet")
    junk.name = "名单.xlsx"
    response = canteen.post(reverse("mini_programs_admin:import"), {"file": junk})
    assert response.status_code == 200
    assert "无法读取该 XLSX 文件" in response.content.decode()


def test_an_editor_is_refused_every_canteen_screen(client, staff, make_meal, make_diner):
    meal = make_meal()
    ordering.place_order(make_diner("秘密职工"), meal.pk)
    client.force_login(staff("nanning", "editor"))
    for path in (
        url("meal", "list"),
        url("diner", "list"),
        url("order", "list"),
        url("meal", "add"),
        reverse("mini_programs_admin:dashboard"),
        reverse("mini_programs_admin:export_day") + f"?day={meal.date:%Y-%m-%d}",
        reverse("mini_programs_admin:export_month") + f"?month={meal.date:%Y-%m}",
        reverse("mini_programs_admin:import"),
    ):
        response = client.get(path)
        # The Wagtail admin's refusal: back to the dashboard with its message.
        assert response.status_code == 403, path
        assert any("权限" in m for m in messages_of(response)), messages_of(response)
        assert "秘密职工" not in response.content.decode()
    response = client.post(url("dish", "add"), {"name": "偷加的菜"})
    assert response.status_code == 403 and not Dish.objects.filter(name="偷加的菜").exists()
    home = client.get("/admin/").content.decode()
    assert "/admin/canteen/" not in home and "/admin/snippets/mini_programs/" not in home


def test_canteen_staff_remove_a_binding_and_the_diner_binds_a_new_wechat(
    canteen, sign_in, make_diner
):
    from mini_programs.models import WeChatBinding
    from mini_programs.services.accounts import issue_invitation

    diner = make_diner("蒙刚")
    sign_in(diner)
    binding = WeChatBinding.objects.get(diner=diner)
    response = canteen.post(url("wechatbinding", "delete", binding.pk))
    assert response.status_code == 302
    assert not WeChatBinding.objects.filter(diner=diner).exists()
    new_phone = sign_in(None)
    bound = new_phone.post("/bind/invitation", {"invitation_code": issue_invitation(diner).code})
    assert bound.status_code == 200 and bound.json()["diner"]["id"] == diner.pk


def test_every_canteen_listing_and_form_opens_for_canteen_staff(canteen, make_meal, make_diner):
    meal = make_meal()
    ordering.place_order(make_diner("农红"), meal.pk)
    for model in (
        "meal",
        "dish",
        "holiday",
        "diner",
        "department",
        "invitation",
        "wechatbinding",
        "order",
        "notice",
    ):
        response = canteen.get(url(model, "list"))
        assert response.status_code == 200, model
    page = canteen.get(url("order", "list")).content.decode()
    assert "农红" in page
    for model in ("meal", "dish", "holiday", "diner", "department", "invitation"):
        assert canteen.get(url(model, "add")).status_code == 200, model
    assert canteen.get(url("meal", "edit", meal.pk)).status_code == 200
    assert canteen.get(url("order", "inspect", Order.objects.get().pk)).status_code == 200
    # The sidebar is JSON for the admin's script: names are \u-escaped, URLs are not.
    menu = canteen.get("/admin/").content.decode()
    assert "/admin/canteen/" in menu and "/admin/snippets/mini_programs/meal/" in menu


def test_an_invitation_made_in_the_admin_gets_a_code(canteen, make_diner):
    from mini_programs.models import Invitation

    diner = make_diner("农红")
    expires = (timezone.now() + timedelta(days=3)).strftime("%Y-%m-%d %H:%M")
    response = canteen.post(
        url("invitation", "add"), {"diner": str(diner.pk), "expires_at": expires}
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert len(invitation.code) == 8 and invitation.diner == diner

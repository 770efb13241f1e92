"""Concurrent orders for the last portions on PostgreSQL, each order on its own connection:
exactly one of two orders for the last portion succeeds, and a rush never oversells."""

import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from mini_programs.models import Department, Diner, Meal, Order
from mini_programs.services import ordering
from mini_programs.services.errors import MealError

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent orders on two connections need PostgreSQL's row locks")


def setup_meal(capacity: int, diners: int):
    department = Department.objects.create(name="办公室")
    people = [
        Diner.objects.create(name=f"职工{n}", phone=f"1390000{n:04d}", department=department)
        for n in range(diners)
    ]
    meal = Meal.objects.create(
        date=timezone.localdate() + timedelta(days=1),
        kind="lunch",
        price=Decimal("15.00"),
        cutoff_at=timezone.now() + timedelta(hours=2),
        capacity=capacity,
    )
    return meal, people


def test_of_two_orders_for_the_last_portion_exactly_one_succeeds():
    meal, (first, second) = setup_meal(1, 2)
    placed, release, results = threading.Event(), threading.Event(), {}

    def holder():
        try:
            with transaction.atomic():
                results["first"] = ordering.place_order(first, meal.pk)
                placed.set()
                release.wait(10)  # keeps the first transaction open while the second runs
        finally:
            connections.close_all()

    def contender():
        started = time.monotonic()
        try:
            results["second"] = ordering.place_order(second, meal.pk)
        except MealError as error:
            results["second"] = error
        finally:
            results["waited"] = time.monotonic() - started
            connections.close_all()

    a = threading.Thread(target=holder)
    a.start()
    assert placed.wait(10)
    b = threading.Thread(target=contender)
    b.start()
    time.sleep(0.5)
    assert b.is_alive(), "the second order must wait for the first one's row lock"
    release.set()
    a.join(10)
    b.join(10)
    assert isinstance(results["first"], Order)
    assert isinstance(results["second"], MealError)
    assert results["second"].code == "sold_out"
    assert results["waited"] >= 0.4
    meal.refresh_from_db()
    assert meal.reserved == 1
    assert Order.objects.filter(meal=meal, status="active").count() == 1


def test_a_rush_of_orders_never_exceeds_capacity():
    meal, people = setup_meal(5, 16)
    start = threading.Barrier(len(people))
    outcomes = []
    lock = threading.Lock()

    def diner(person):
        try:
            start.wait(10)
            try:
                ordering.place_order(person, meal.pk)
                outcome = "ok"
            except MealError as error:
                outcome = error.code
            with lock:
                outcomes.append(outcome)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=diner, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert outcomes.count("ok") == 5
    assert outcomes.count("sold_out") == 11
    meal.refresh_from_db()
    assert meal.reserved == 5 == Order.objects.filter(meal=meal, status="active").count()


def test_lowering_capacity_while_an_order_commits_is_a_form_error_not_a_500():
    """The canteen lowers a meal from 3 portions to 1 while an order for 2 is being placed:
    the admin's save waits for the order's row lock, then refuses on the field (no 500, the
    database constraint is never what answers)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.test import Client
    from django.urls import reverse

    meal, (first,) = setup_meal(3, 1)
    first.guests_allowed = True
    first.save()
    Meal.objects.filter(pk=meal.pk).update(guests_allowed=True)
    user = get_user_model().objects.create_user(username="canteen", password="Pw-canteen-2026")
    # The canteen group's meal permissions (the seeded group needs the flushed collections).
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["access_admin", "view_meal", "change_meal", "add_meal"]
        )
    )
    admin = Client()
    admin.force_login(user)
    edit = admin.get(reverse("wagtailsnippets_mini_programs_meal:edit", args=[meal.pk]))
    assert edit.status_code == 200  # the form is opened with nothing ordered yet
    placed, release, results = threading.Event(), threading.Event(), {}

    def holder():
        try:
            with transaction.atomic():
                results["order"] = ordering.place_order(first, meal.pk, guests=1)
                placed.set()
                release.wait(10)
        finally:
            connections.close_all()

    def canteen():
        started = time.monotonic()
        try:
            results["response"] = admin.post(
                reverse("wagtailsnippets_mini_programs_meal:edit", args=[meal.pk]),
                {
                    "date": f"{meal.date:%Y-%m-%d}",
                    "kind": "lunch",
                    "price": "15.00",
                    "subsidy": "0.00",
                    "cutoff_at": timezone.localtime(meal.cutoff_at).strftime("%Y-%m-%d %H:%M"),
                    "capacity": "1",
                    "guests_allowed": "on",
                    "max_guests": "2",
                    "cancel_reason": "",
                    "menu_items-TOTAL_FORMS": "0",
                    "menu_items-INITIAL_FORMS": "0",
                    "menu_items-MIN_NUM_FORMS": "0",
                    "menu_items-MAX_NUM_FORMS": "1000",
                },
            )
        finally:
            results["waited"] = time.monotonic() - started
            connections.close_all()

    a = threading.Thread(target=holder)
    a.start()
    assert placed.wait(10)
    b = threading.Thread(target=canteen)
    b.start()
    time.sleep(0.5)
    release.set()
    a.join(10)
    b.join(30)
    response = results["response"]
    assert response.status_code == 200
    assert "已订2份，供应份数不能少于已订份数。" in response.content.decode()
    meal.refresh_from_db()
    assert (meal.capacity, meal.reserved) == (3, 2)

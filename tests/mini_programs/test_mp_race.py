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

"""Benchmark of the canteen's lunchtime rush on PostgreSQL: 200 diners order the same lunch at
once through the mini-program API, the last portions contested.

Run: ``.venv/bin/python bench/mp_lunch_rush.py`` (about a minute, most of it the first
migration; PostgreSQL on 127.0.0.1 with trust auth, database ``gxxf_mp_bench`` by default,
``--database-url`` to change). In one run it prints:

- the rush: ``--diners`` (200) signed-in diners, ``--workers`` (16, like web workers) at a time,
  each posting ``POST /api/mp/v1/orders`` with its bearer token for one lunch of ``--capacity``
  (180) portions: orders per second, p50/p99 latency, successes and refusals;
- the baseline: the same number of plain ``INSERT``s of order rows by the same workers, no
  rules, no API;
- the ratio of the two, and the check that the portions sold equal the capacity exactly (the
  command exits 1 if they do not).
"""

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def configure(database_url: str):
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "cms.test_settings",
            "DATABASE_URL": database_url,
            "LOG_LEVEL": "ERROR",
            "WECHAT_MINI_PROGRAM": '{"app_id": "wxbench0000000000", "secret": "bench", "entity": "基准测试"}',
        }
    )
    import psycopg

    base, _, name = database_url.rpartition("/")
    with psycopg.connect(base + "/postgres", autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    import logging

    logging.getLogger("django.request").setLevel(logging.ERROR)  # 409s are expected here


def prepare(diners: int, capacity: int):
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from mini_programs.models import Department, Diner, Meal, MpSession, Order, WeChatBinding
    from mini_programs.services.accounts import _hash

    Order.objects.all().delete()
    MpSession.objects.all().delete()
    WeChatBinding.objects.all().delete()
    Meal.objects.all().delete()
    Diner.objects.all().delete()
    department, _ = Department.objects.get_or_create(name="基准测试部门")
    people = Diner.objects.bulk_create(
        Diner(name=f"职工{n}", phone=f"139{n:08d}", department=department) for n in range(diners)
    )
    expires = timezone.now() + timedelta(hours=1)
    tokens = []
    for person in people:
        token = f"bench-token-{person.pk}-{'x' * 20}"
        tokens.append(token)
        MpSession.objects.create(
            key_hash=_hash(token),
            app_id="wxbench0000000000",
            openid=f"oBENCH{person.pk}",
            diner=person,
            expires_at=expires,
        )
    meal = Meal.objects.create(
        date=timezone.localdate() + timedelta(days=1),
        kind="lunch",
        price=Decimal("15.00"),
        subsidy=Decimal("5.00"),
        cutoff_at=timezone.now() + timedelta(hours=2),
        capacity=capacity,
    )
    return meal, people, tokens


def run(jobs, workers: int):
    """Run the callables in ``jobs`` on ``workers`` threads; (seconds, latencies, results)."""
    from django.db import connections

    queue = list(enumerate(jobs))
    lock = threading.Lock()
    latencies, results = [0.0] * len(jobs), [None] * len(jobs)
    start = threading.Barrier(workers + 1)

    def worker():
        try:
            start.wait()
            while True:
                with lock:
                    if not queue:
                        return
                    index, job = queue.pop()
                began = time.perf_counter()
                results[index] = job()
                latencies[index] = time.perf_counter() - began
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - began, latencies, results


def p(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/gxxf_mp_bench"
    )
    parser.add_argument("--diners", type=int, default=200)
    parser.add_argument("--capacity", type=int, default=180)
    parser.add_argument("--workers", type=int, default=16)
    args = parser.parse_args()
    configure(args.database_url)

    from django.test import Client

    from mini_programs.models import Meal, Order

    meal, people, tokens = prepare(args.diners, args.capacity)

    def order_job(token):
        def job():
            response = Client().post(
                "/api/mp/v1/orders",
                {"meal_id": meal.pk},
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {token}",
            )
            return response.status_code

        return job

    Client().get("/api/mp/v1/about")  # import and warm the URL resolver outside the timing
    seconds, latencies, statuses = run([order_job(t) for t in tokens], args.workers)
    meal.refresh_from_db()
    sold = Order.objects.filter(meal=meal, status="active").count()
    ok, refused = statuses.count(201), statuses.count(409)
    others = len(statuses) - ok - refused

    baseline_meal = Meal.objects.create(
        date=meal.date, kind="dinner", price=meal.price, cutoff_at=meal.cutoff_at, capacity=1
    )

    def insert_job(person):
        def job():
            Order.objects.create(
                diner=person,
                meal=baseline_meal,
                unit_price=meal.price,
                guest_price=meal.price,
                amount=meal.price,
            )

        return job

    base_seconds, base_latencies, _ = run([insert_job(d) for d in people], args.workers)

    rate, base_rate = len(tokens) / seconds, len(people) / base_seconds
    print(f"lunch rush: {len(tokens)} diners, {args.workers} at a time, capacity {args.capacity}")
    print(
        f"  API orders: {rate:8.1f} orders/s  p50 {p(latencies, 0.5) * 1000:6.1f} ms  "
        f"p99 {p(latencies, 0.99) * 1000:6.1f} ms  ({ok} ordered, {refused} sold out, "
        f"{others} other)"
    )
    print(
        f"  baseline inserts: {base_rate:8.1f} rows/s  p50 {p(base_latencies, 0.5) * 1000:6.1f} ms"
        f"  p99 {p(base_latencies, 0.99) * 1000:6.1f} ms"
    )
    print(
        f"  ratio API/baseline: {rate / base_rate:.2f} (mean latency ratio "
        f"{statistics.mean(latencies) / statistics.mean(base_latencies):.1f}x)"
    )
    exact = meal.reserved == sold == ok == args.capacity and others == 0
    print(
        f"  totals: reserved {meal.reserved}, active orders {sold}, capacity {args.capacity}: "
        + ("exact" if exact else "MISMATCH")
    )
    sys.exit(0 if exact else 1)


if __name__ == "__main__":
    main()

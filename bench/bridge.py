"""Benchmark of backend_bridge: accepted submissions/s and p99 while the case system is down,
then the outbox drain rate (items/s) when it comes back.

Runs in one process on a throw-away test database (SQLite by default; set DATABASE_URL for
PostgreSQL): petitions go through the JSON API (``POST /api/v1/petitions``, full request path:
validation, ID check, screening, SM4 encryption, blind indexes, one transaction with the outbox
row), with the case system's port closed. Then the loopback case-system simulator starts and
``bridge_worker``'s drain pass (``outbox.run_once``) delivers everything over real HTTP.

    .venv/bin/python bench/bridge.py [--submissions 300] [--batch 20]
"""

import argparse
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.test_settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--submissions", type=int, default=300)
    parser.add_argument("--batch", type=int, default=20)
    args = parser.parse_args()

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        run(args)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run(args):
    from backend_bridge import verification
    from backend_bridge.idcard import build_id_number
    from backend_bridge.models import OutboxItem
    from backend_bridge.services import outbox
    from sites.services.seeding import seed_portals
    from tests.simulators.case_system import CaseSystemSimulator

    seed_portals(demo=False, dictionaries=False)
    verification.check_code = lambda phone, purpose, code: None  # SMS is not what is measured
    probe = CaseSystemSimulator(secret=settings.CASE_SYSTEM_SECRET).start()
    port = probe.requested_port
    probe.stop()  # the case system is down: its port refuses connections
    settings.CASE_SYSTEM_URL = f"http://127.0.0.1:{port}"
    settings.CASE_SYSTEM_KEY = "portal"
    settings.CASE_SYSTEM_TIMEOUT = 2.0

    client = Client()
    latencies = []
    started = time.perf_counter()
    for n in range(args.submissions):
        data = {
            "petition_type": "complaint",
            "title": f"基准测试事项 {n}",
            "content": f"第{n}件：" + secrets.token_hex(40) + "，小区道路积水严重，请尽快处理。",
            "region_code": "450100",
            "county": "青秀区",
            "name": "张三",
            "id_number": build_id_number("450103", seq=n % 999 + 1),
            "phone": "13800138000",
            "sms_code": "000000",
            "portal": "nanning",
        }
        t0 = time.perf_counter()
        response = client.post("/api/v1/petitions", data)
        latencies.append(time.perf_counter() - t0)
        assert response.status_code == 201, response.content
    elapsed = time.perf_counter() - started
    # One worker pass while the case system is still down: every item fails and stays queued.
    down_stats = outbox.run_once(args.batch)
    assert down_stats.delivered == 0

    with CaseSystemSimulator(secret=settings.CASE_SYSTEM_SECRET, port=port) as case_system:
        outbox.retry_now()
        t0 = time.perf_counter()
        stats = outbox.run_once(args.batch)
        drain = time.perf_counter() - t0
    assert stats.delivered == args.submissions == len(case_system.cases)
    assert not OutboxItem.objects.filter(state="pending").exists()

    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(f"database: {connection.vendor}")
    print(
        f"accepted while case system down: {args.submissions} in {elapsed:.2f} s = {args.submissions / elapsed:.1f}/s"
    )
    print(f"latency p50 {statistics.median(latencies) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms")
    print(f"failed worker pass while down: {down_stats.failed} items recorded as failing")
    print(
        f"drain when back: {stats.delivered} items in {drain:.2f} s = {stats.delivered / drain:.1f} items/s (exactly one case each: {len(case_system.cases)})"
    )


if __name__ == "__main__":
    main()

"""Concurrent workers on PostgreSQL: SKIP LOCKED hands every item to exactly one of them."""

import threading

import pytest
from django.db import connection, connections

from backend_bridge.models import OutboxItem
from backend_bridge.services import outbox


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_claims_never_hand_out_an_item_twice(petition, sms_ok):
    if connection.vendor != "postgresql":
        pytest.skip("row locks with SKIP LOCKED need PostgreSQL")
    from backend_bridge.services.submission import submit_petition
    from sites.models import Portal
    from sites.services.seeding import seed_portals

    seed_portals(demo=False)
    portal = Portal.objects.get(code="nanning")
    for n in range(40):
        submit_petition(
            portal, petition(content=f"第{n}件：" + "不同的内容" * (n + 3) + str(n) * 20)
        )

    claimed: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(4)

    def worker():
        try:
            start.wait()
            while True:
                _token, ids = outbox.claim(batch=3)
                if not ids:
                    return
                with lock:
                    claimed.extend(ids)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(claimed) == sorted(OutboxItem.objects.values_list("id", flat=True))
    assert len(claimed) == len(set(claimed)) == 40

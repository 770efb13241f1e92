"""The outbox lease is renewed while a batch is delivered: a second worker never takes an item
that the first one still holds, however long the batch takes (issue 13)."""

import time

import pytest

from backend_bridge.models import OutboxItem
from backend_bridge.services import outbox

pytestmark = pytest.mark.django_db


class SlowCaseSystem:
    """Answers like the case system, slowly; a second worker tries to claim while it waits."""

    def __init__(self, seconds):
        self.seconds = seconds
        self.calls = 0
        self.taken_by_second_worker = []

    def submit_case(self, payload, idempotency_key):
        self.calls += 1
        time.sleep(self.seconds)
        self.taken_by_second_worker += outbox.claim(batch=10)[1]
        return {"case_id": f"C-{self.calls}"}


def test_items_waiting_in_a_long_batch_are_not_taken_by_a_second_worker(submit, settings):
    settings.BRIDGE_LEASE_SECONDS = 1
    for _ in range(3):
        submit()
    slow = SlowCaseSystem(seconds=0.7)  # the batch takes 2.1 s, twice the lease
    stats = outbox.run_once(batch=10, client=slow)
    assert stats.delivered == 3
    assert slow.taken_by_second_worker == []
    assert set(OutboxItem.objects.values_list("state", flat=True)) == {"delivered"}

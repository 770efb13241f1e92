"""The outbox worker against the case-system simulator: exactly one copy, in order, leases,
backoff, failures recorded and never dropped."""

from datetime import timedelta

import pytest
from django.utils import timezone

from backend_bridge.models import Evaluation, OutboxItem
from backend_bridge.services import outbox
from tests.simulators.case_system import CaseSystemSimulator

pytestmark = pytest.mark.django_db


def _due_now():
    OutboxItem.objects.update(next_attempt_at=timezone.now())


def test_submission_made_while_case_system_is_down_arrives_exactly_once(submit, settings, samples):
    down = CaseSystemSimulator(secret=settings.CASE_SYSTEM_SECRET).start()
    port = down.requested_port
    down.stop()  # the port is now closed: connection refused
    settings.CASE_SYSTEM_URL = f"http://127.0.0.1:{port}"
    settings.CASE_SYSTEM_KEY = "portal"
    settings.CASE_SYSTEM_TIMEOUT = 0.5

    accepted = submit(files=[("现场.png", samples.png())])
    stats = outbox.run_once()
    item = OutboxItem.objects.get()
    assert (stats.delivered, stats.failed) == (0, 1)
    assert item.state == "pending" and item.attempts == 1
    assert "无法连接" in item.last_error
    assert item.next_attempt_at > timezone.now()
    assert outbox.run_once().claimed == 0  # backoff: not due yet

    with CaseSystemSimulator(secret=settings.CASE_SYSTEM_SECRET, port=port) as case_system:
        outbox.retry_now()
        assert outbox.run_once().delivered == 1
        assert outbox.run_once().claimed == 0
    assert len(case_system.cases) == 1
    case = next(iter(case_system.cases.values()))
    sent = case["submission"]
    assert sent["reference"] == str(accepted.submission.reference)
    assert sent["petitioner"]["name"] == "张三丰"
    assert sent["attachments"][0]["content_type"] == "image/jpeg"
    item.refresh_from_db()
    assert item.state == "delivered" and item.delivered_at
    accepted.submission.refresh_from_db()
    assert accepted.submission.case_number == case["case_id"]


@pytest.mark.parametrize("fault", ["timeout", "twice"])
def test_a_lost_answer_after_commit_does_not_make_a_second_case(submit, simulator, fault):
    if fault == "timeout":
        simulator.timeout_next(1, delay=1.0)  # client timeout is 0.5 s
    else:
        simulator.answer_twice_next(1)
    submission = submit().submission
    assert outbox.run_once().failed == 1
    assert len(simulator.cases) == 1  # the case system did commit
    _due_now()
    assert outbox.run_once().delivered == 1
    assert len(simulator.cases) == 1
    keys = [r["key"] for r in simulator.requests if r["method"] == "POST"]
    assert keys == [f"submission-{submission.reference}"] * 2
    submission.refresh_from_db()
    assert submission.case_number == next(iter(simulator.cases))


def test_failures_are_counted_with_reason_and_backoff_grows(submit, simulator, settings):
    settings.BRIDGE_BACKOFF_BASE_SECONDS = 10
    simulator.fail_next(3, status=503)
    submit()
    delays = []
    for _ in range(3):
        _due_now()
        before = timezone.now()
        outbox.run_once()
        item = OutboxItem.objects.get()
        delays.append((item.next_attempt_at - before).total_seconds())
    assert item.attempts == 3 and "503" in item.last_error
    assert delays[0] < delays[1] < delays[2]
    assert 8 < delays[0] < 12 and 35 < delays[2] < 45
    _due_now()
    assert outbox.run_once().delivered == 1


def test_refusal_by_the_case_system_is_kept_and_retried_not_dropped(submit, simulator):
    simulator.fail_next(1, status=422)
    submit()
    outbox.run_once()
    item = OutboxItem.objects.get()
    assert item.state == "pending" and "422" in item.last_error
    _due_now()
    outbox.run_once()
    item.refresh_from_db()
    assert item.state == "delivered"


def test_items_of_one_submission_go_in_order(submit, simulator):
    submission = submit().submission
    evaluation = Evaluation.objects.create(submission=submission, rating="satisfied")
    outbox.enqueue(submission, OutboxItem.Kind.EVALUATION, evaluation.pk)
    simulator.fail_next(1)
    outbox.run_once()
    # the evaluation may not overtake the failed submission
    assert simulator.evaluations == []
    assert OutboxItem.objects.filter(state="delivered").count() == 0
    _due_now()
    outbox.run_once()
    assert len(simulator.cases) == 1 and len(simulator.evaluations) == 1
    assert simulator.evaluations[0]["case_id"] == next(iter(simulator.cases))


def test_an_expired_lease_of_a_crashed_worker_is_taken_again(submit, simulator):
    submit()
    token, ids = outbox.claim()
    assert len(ids) == 1
    # The worker "crashes" here. While its lease lives, nobody else takes the item …
    assert outbox.claim()[1] == []
    # … and once it has expired, another worker does.
    later = timezone.now() + timedelta(seconds=outbox.lease_seconds() + 1)
    token2, ids2 = outbox.claim(now=later)
    assert ids2 == ids and token2 != token
    # The crashed worker's late result is not recorded over the new holder's lease.
    assert outbox.process(ids[0], token) is False
    assert outbox.process(ids[0], token2) is True
    assert len(simulator.cases) == 1


def test_retry_now_makes_waiting_items_due(submit, simulator):
    simulator.fail_next(1)
    submit()
    outbox.run_once()
    assert outbox.run_once().claimed == 0
    assert outbox.retry_now() == 1
    assert outbox.run_once().delivered == 1


def test_inbox_mode_assigns_a_local_case_number(submit, settings):
    settings.CASE_SYSTEM_URL = ""
    submission = submit().submission
    assert outbox.run_once().delivered == 1
    submission.refresh_from_db()
    assert submission.case_number.startswith("NB")

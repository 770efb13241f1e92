"""Status back from the case system: signed webhook (replay window) and periodic pull."""

import json
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from backend_bridge.models import StatusEvent, Submission
from backend_bridge.services import outbox, status

pytestmark = pytest.mark.django_db
WEBHOOK = "/api/v1/bridge/case-status"


@pytest.fixture
def delivered(submit, simulator):
    submission = submit().submission
    outbox.run_once()
    submission.refresh_from_db()
    return submission


def _post(client, body, headers):
    return client.post(WEBHOOK, body, content_type="application/json", headers=headers)


def test_signed_webhook_updates_status_and_timeline(client, delivered, simulator):
    simulator.set_status(
        delivered.case_number, "accepted", "已受理，转交青秀区办理", handling_unit="青秀区信访局"
    )
    response = _post(client, *simulator.webhook(delivered.case_number))
    assert response.status_code == 200 and response.json() == {"recorded": 1}
    delivered.refresh_from_db()
    assert delivered.status == "accepted" and delivered.accepted_at
    assert delivered.handling_unit == "青秀区信访局"
    assert delivered.events.filter(origin="webhook", note="已受理，转交青秀区办理").exists()


def test_the_same_event_twice_is_recorded_once(client, delivered, simulator):
    simulator.set_status(delivered.case_number, "accepted")
    body, headers = simulator.webhook(delivered.case_number)
    assert _post(client, body, headers).json() == {"recorded": 1}
    assert _post(client, body, headers).json() == {"recorded": 0}
    assert StatusEvent.objects.filter(submission=delivered, status="accepted").count() == 1


def test_bad_signature_is_refused_with_401_and_the_error_shape(client, delivered, simulator):
    simulator.set_status(delivered.case_number, "accepted")
    body, headers = simulator.webhook(delivered.case_number, secret="not-the-secret")
    response = _post(client, body, headers)
    assert response.status_code == 401
    assert set(response.json()) == {"code", "message", "details"}
    assert response.json()["code"] == "bad_signature"
    tampered_body, good_headers = simulator.webhook(delivered.case_number)
    assert (
        _post(client, tampered_body.replace(b"accepted", b"closed"), good_headers).status_code
        == 401
    )
    delivered.refresh_from_db()
    assert delivered.status == "submitted"


def test_old_timestamp_is_refused_with_403(client, delivered, simulator):
    simulator.set_status(delivered.case_number, "accepted")
    body, headers = simulator.webhook(delivered.case_number, timestamp=int(time.time()) - 3600)
    response = _post(client, body, headers)
    assert response.status_code == 403 and response.json()["code"] == "stale_request"


def test_malformed_and_unknown_webhooks_are_4xx(client, settings):
    from backend_bridge import crypto

    stamp = str(int(time.time()))
    for body, expected in (
        (b"not json", 400),
        (
            json.dumps(
                {
                    "case_id": "nope",
                    "event_id": "ev-1",
                    "status": "accepted",
                    "occurred_at": "2026-12-01T09:00:00+08:00",
                }
            ).encode(),
            404,
        ),
        (json.dumps({"case_id": "nope", "status": "accepted"}).encode(), 400),  # no event_id
    ):
        headers = {
            "X-Timestamp": stamp,
            "X-Signature": crypto.sign(settings.CASE_WEBHOOK_SECRET, stamp, body),
        }
        assert _post(client, body, headers).status_code == expected


def test_events_out_of_order_do_not_move_the_case_backwards(delivered):
    now = timezone.now()
    status.record_event(
        delivered,
        status="replied",
        occurred_at=now,
        origin="pull",
        external_id="e2",
        reply="已答复",
    )
    status.record_event(
        delivered,
        status="handling",
        occurred_at=now - timedelta(days=1),
        origin="pull",
        external_id="e1",
    )
    delivered.refresh_from_db()
    assert delivered.status == "replied" and delivered.reply == "已答复"


def test_pull_fetches_cases_not_updated_for_a_while(delivered, simulator):
    simulator.set_status(delivered.case_number, "accepted")
    simulator.set_status(delivered.case_number, "replied", reply="经核查，已安排疏通排水管道。")
    Submission.objects.filter(pk=delivered.pk).update(status_synced_at=None)
    counts = status.pull()
    assert counts == {"checked": 1, "events": 2, "errors": 0}
    delivered.refresh_from_db()
    assert delivered.status == "replied" and "疏通" in delivered.reply
    assert status.pull()["checked"] == 0  # just synced: not stale any more


def test_pull_survives_an_unreachable_case_system(delivered, simulator):
    Submission.objects.filter(pk=delivered.pk).update(status_synced_at=None)
    simulator.fail_next(1)
    assert status.pull()["errors"] == 1


def _signed(simulator, payload: dict) -> tuple[bytes, dict]:
    from backend_bridge import crypto

    body = json.dumps(payload, ensure_ascii=False).encode()
    stamp = str(int(time.time()))
    return body, {
        "X-Timestamp": stamp,
        "X-Signature": crypto.sign(simulator.webhook_secret, stamp, body),
    }


@pytest.mark.parametrize(
    "change,code",
    [
        ({"event_id": None}, "missing_event_id"),
        ({"event_id": ""}, "missing_event_id"),
        ({"event_id": ["x"]}, "missing_event_id"),
        ({"event_id": "e" * 200}, "invalid_event_id"),
        ({"status": "teleported"}, "invalid_status"),
        ({"occurred_at": "昨天"}, "invalid_occurred_at"),
        ({"occurred_at": 12}, "invalid_occurred_at"),
        ({"events": "all"}, "invalid_events"),
        ({"events": [1, 2]}, "invalid_events"),
        ({"events": []}, "invalid_events"),
    ],
)
def test_a_signed_webhook_with_malformed_events_is_a_400_and_records_nothing(
    client, delivered, simulator, change, code
):
    simulator.set_status(delivered.case_number, "accepted")
    payload = json.loads(simulator.webhook(delivered.case_number)[0])
    payload.update(change)
    response = _post(client, *_signed(simulator, payload))
    assert response.status_code == 400, response.content
    assert response.json()["code"] == code
    assert set(response.json()) == {"code", "message", "details"}
    delivered.refresh_from_db()
    assert delivered.status == "submitted"
    assert not delivered.events.filter(origin="webhook").exists()

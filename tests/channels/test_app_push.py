"""Push of status changes to citizens' APP devices: the device registers its push token, a
status change writes the notice in its own transaction (beside the WeChat notices' receiver),
and the worker sends it through the HUAWEI-style provider to the loopback push service —
renewing an expired access token, retrying a busy service, and turning off a dead token."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from backend_bridge.models import Status, Submission
from backend_bridge.services import status as status_service
from backend_bridge.signals import status_changed
from channels.app import push
from channels.models import PushDevice, PushMessage
from tests.channels.app_helpers import sign_in, submit_petition

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("app_settings", "portals")]
PHONE = "13800138000"


@pytest.fixture
def registered(client, app_id_number, push_service):
    """A signed-in citizen with a HUAWEI push token and one submission."""
    device = sign_in(client, PHONE)
    response = device.put("/account/push-device", {"provider": "huawei", "token": "hw-token-1"})
    assert response.status_code == 200, response.content
    reference = submit_petition(device, app_id_number, PHONE).json()["reference"]
    return device, Submission.objects.get(reference=reference)


def test_a_status_change_is_pushed_to_the_citizens_device(registered, push_service):
    _, submission = registered
    status_service.record_event(submission, status=Status.ACCEPTED, origin="inbox")
    message = PushMessage.objects.get()
    assert message.state == "pending"  # written with the status; sent by the worker
    assert push.run_once() == {"claimed": 1, "sent": 1}
    message.refresh_from_db()
    assert message.state == "sent" and message.attempts == 1
    (sent,) = push_service.messages
    assert sent["token"] == ["hw-token-1"]
    assert sent["notification"]["body"] == "您的“小区门口道路长期积水”已受理"


def test_both_receivers_of_the_status_signal_stay_connected():
    uids = {key[0] for key in status_changed.receivers}
    assert any("channels_wechat_notices" in str(uid) for uid in uids)
    assert any("channels_app_push" in str(uid) for uid in uids)


def test_no_notice_for_submissions_without_an_account_or_a_device(client, app_id_number):
    from tests.channels.app_helpers import Device

    reference = submit_petition(Device(client, "kiosk-device"), app_id_number, PHONE).json()[
        "reference"
    ]
    submission = Submission.objects.get(reference=reference)
    status_service.record_event(submission, status=Status.ACCEPTED, origin="inbox")
    assert not PushMessage.objects.exists()


def test_a_rolled_back_status_change_pushes_nothing(registered):
    from django.db import transaction

    _, submission = registered
    with pytest.raises(RuntimeError), transaction.atomic():
        status_service.record_event(submission, status=Status.ACCEPTED, origin="inbox")
        raise RuntimeError("the status transaction fails")
    assert not PushMessage.objects.exists()


def _pending_message(submission, settings):
    # The dummy task backend keeps the worker from running at commit: the test drives it.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    status_service.record_event(submission, status=Status.REPLIED, origin="inbox", reply="已办。")
    return PushMessage.objects.get()


def test_an_expired_access_token_is_renewed(registered, push_service, settings):
    _, submission = registered
    message = _pending_message(submission, settings)
    push.HuaweiPushProvider().access_token()
    push_service.expire_access_tokens()
    assert push.run_once() == {"claimed": 1, "sent": 1}
    message.refresh_from_db()
    assert message.state == "sent" and push_service.token_requests == 2


def test_a_busy_push_service_is_retried_later(registered, push_service, settings):
    _, submission = registered
    message = _pending_message(submission, settings)
    push_service.fail_next(1, status=503)
    assert push.run_once() == {"claimed": 1, "pending": 1}
    message.refresh_from_db()
    assert message.attempts == 1 and "503" in message.last_error
    PushMessage.objects.update(next_attempt_at=message.created_at)
    call_command("channels_worker", "--once", stdout=open("/dev/null", "w"))  # noqa: SIM115
    message.refresh_from_db()
    assert message.state == "sent" and len(push_service.messages) == 1


def test_a_dead_token_fails_with_the_reason_and_turns_the_device_off(
    registered, push_service, settings
):
    _, submission = registered
    push_service.invalid_tokens.add("hw-token-1")
    message = _pending_message(submission, settings)
    assert push.run_once() == {"claimed": 1, "failed": 1}
    message.refresh_from_db()
    assert message.state == "failed" and "80300007" in message.last_error
    assert PushDevice.objects.get().active is False


def test_logout_forgets_the_push_token(registered):
    device, _ = registered
    assert device.post("/account/logout").status_code == 204
    assert not PushDevice.objects.exists()


def test_an_unknown_provider_or_an_empty_token_is_refused(registered):
    device, _ = registered
    bad = device.put("/account/push-device", {"provider": "pigeon", "token": "x"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_provider"
    empty = device.put("/account/push-device", {"provider": "huawei", "token": " "})
    assert empty.status_code == 400 and empty.json()["code"] == "invalid_push_token"

"""The admin's 渠道监控 screens (APP 推送记录, APP 登录设备, 微信订阅通知) and the case inbox's
filter by source, as the portal's administrator and handling staff see them: their own portal's
rows only, another portal's refused (404) and absent, content roles refused (403)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from backend_bridge.models import Status, Submission
from backend_bridge.services import status as status_service
from channels.app import push
from channels.models import AppSession, PushMessage, WeChatNotice, WeChatNoticeSubscription
from tests.channels.app_helpers import sign_in, submit_petition

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("app_settings", "portals")]
PHONE = "13800138000"


@pytest.fixture
def failed_push(client, app_id_number, push_service):
    """A 南宁 citizen's APP submission whose status notice failed (a dead push token)."""
    device = sign_in(client, PHONE)
    device.put("/account/push-device", {"provider": "huawei", "token": "hw-dead-1"})
    reference = submit_petition(device, app_id_number, PHONE).json()["reference"]
    submission = Submission.objects.get(reference=reference)
    push_service.invalid_tokens.add("hw-dead-1")
    status_service.record_event(submission, status=Status.ACCEPTED, origin="inbox")
    assert push.run_once() == {"claimed": 1, "failed": 1}
    client.logout()
    return device, submission, PushMessage.objects.get()


def page(client, name, **params):
    response = client.get(reverse(name), params)
    return response.status_code, response.content.decode()


def test_the_portal_admin_sees_the_failed_push_with_its_reason_and_retries_it(
    client, staff, failed_push
):
    _, submission, message = failed_push
    client.force_login(staff("nanning", "admin"))
    status, body = page(client, "app_push_messages:index", state="failed")
    assert status == 200
    assert message.title in body and "80300007" in body and "重试" in body
    response = client.post(reverse("app_push_messages:retry", args=[message.pk]), follow=True)
    assert "已重新排队发送该推送" in response.content.decode()
    message.refresh_from_db()
    assert message.state == PushMessage.State.PENDING


def test_another_portals_admin_neither_sees_nor_retries_the_push(client, staff, failed_push):
    _, _, message = failed_push
    client.force_login(staff("liuzhou", "admin"))
    status, body = page(client, "app_push_messages:index")
    assert status == 200 and message.title not in body and "80300007" not in body
    response = client.post(reverse("app_push_messages:retry", args=[message.pk]))
    assert response.status_code == 404
    message.refresh_from_db()
    assert message.state == PushMessage.State.FAILED


def test_content_roles_are_refused_the_watch_screens(client, staff, failed_push):
    client.force_login(staff("nanning", "editor"))
    for name in ("app_push_messages:index", "app_sessions:index", "wechat_notices:index"):
        assert client.get(reverse(name)).status_code == 403, name


def test_the_admin_revokes_a_citizens_device_and_the_app_is_signed_out(client, staff, failed_push):
    device, _, _ = failed_push
    session = AppSession.objects.get(device_id=device.device_id)
    client.force_login(staff("liuzhou", "admin"))
    assert device.device_id not in page(client, "app_sessions:index")[1]
    assert client.post(reverse("app_sessions:revoke", args=[session.pk])).status_code == 404

    client.force_login(staff("nanning", "admin"))
    status, body = page(client, "app_sessions:index")
    assert status == 200 and device.device_id in body and "138****8000" in body
    response = client.post(reverse("app_sessions:revoke", args=[session.pk]), follow=True)
    assert f"已注销设备“{device.device_id}”的登录" in response.content.decode()
    session.refresh_from_db()
    assert session.revoked_at is not None and session.revoke_reason == "admin"
    client.logout()
    assert device.get("/account/me").status_code == 401


def test_wechat_subscribe_messages_are_listed_per_portal_with_the_failure(
    client, staff, failed_push
):
    _, submission, _ = failed_push
    subscription = WeChatNoticeSubscription.objects.create(
        account="gxxf", openid="oGXXF-citizen-0001", submission=submission, template_id="TPL-1"
    )
    WeChatNotice.objects.create(
        subscription=subscription,
        event=submission.events.latest("pk"),
        state=WeChatNotice.State.FAILED,
        last_error="用户拒绝接收此消息（43101）",
        created_at=timezone.now(),
    )
    client.force_login(staff("nanning", "intake"))
    status, body = page(client, "wechat_notices:index", state="failed")
    assert status == 200 and "用户拒绝接收此消息（43101）" in body and submission.title in body
    client.force_login(staff("liuzhou", "admin"))
    status, body = page(client, "wechat_notices:index")
    assert status == 200 and "43101" not in body and submission.title not in body


def test_the_case_inbox_filters_by_source(client, staff, failed_push):
    _, submission, _ = failed_push
    client.force_login(staff("nanning", "intake"))
    status, body = page(client, "backend_bridge_admin:cases", source="app")
    assert status == 200 and submission.title in body and 'value="app" selected' in body
    assert submission.title not in page(client, "backend_bridge_admin:cases", source="wechat")[1]


def test_a_staff_members_device_is_seen_by_their_portals_admin_only(client, staff):
    handler = staff("nanning", "handler")
    now = timezone.now()
    session = AppSession.objects.create(
        kind=AppSession.Kind.STAFF,
        user=handler,
        device_id="staff-phone-nn01",
        access_digest="a" * 64,
        access_expires_at=now,
        refresh_digest="r" * 64,
        refresh_expires_at=now,
    )
    client.force_login(staff("liuzhou", "admin"))
    assert "staff-phone-nn01" not in page(client, "app_sessions:index")[1]
    client.force_login(staff("nanning", "admin"))
    status, body = page(client, "app_sessions:index", kind="staff")
    assert status == 200 and "staff-phone-nn01" in body and handler.get_username() in body
    client.post(reverse("app_sessions:revoke", args=[session.pk]))
    session.refresh_from_db()
    assert session.revoked_at is not None

"""Subscribe messages (订阅通知): offered after a WeChat submission, written with the status change,
sent once by the channels worker through the simulator's ``message/subscribe/bizsend``."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from backend_bridge.models import Status, StatusEvent, Submission
from backend_bridge.services import status
from channels.models import WeChatNotice, WeChatNoticeSubscription
from channels.wechat import notices
from tests.channels.h5 import petition_form, sign_in

pytestmark = pytest.mark.django_db

TEMPLATE = "TPL-progress-0001"
State = WeChatNotice.State


@pytest.fixture
def templates(settings):
    settings.WECHAT_NOTICE_TEMPLATES = {
        "gxxf": [
            {
                "template_id": TEMPLATE,
                "title": "信访件办理进度通知",
                "statuses": ["accepted", "replied", "closed"],
                "data": {"thing1": "{title}", "phrase2": "{status}", "time3": "{time}"},
            }
        ]
    }


def submit_on_wechat(client, h5_host, simulator, h5_id_number, **overrides):
    sign_in(client, h5_host, "/wechat/gxxf/h5/xf/", simulator)
    response = client.post(
        "/wechat/gxxf/h5/xf/", petition_form(h5_id_number, **overrides), headers={"Host": h5_host}
    )
    assert response.status_code == 302
    page = client.get("/wechat/gxxf/h5/ok/", headers={"Host": h5_host}).content.decode()
    return Submission.objects.latest("pk"), page


@pytest.fixture
def subscribed(client, h5_host, h5_accounts, templates, h5_id_number, h5_sms_ok):
    """A WeChat petition whose citizen agreed to the progress notices."""
    submission, page = submit_on_wechat(client, h5_host, h5_accounts, h5_id_number)
    assert "接收办理进度通知" in page and f'value="{TEMPLATE}"' in page
    reference = re.search(r'name="reference" value="([^"]+)"', page).group(1)
    response = client.post(
        "/wechat/gxxf/h5/tz/",
        {"reference": reference, "template_id": [TEMPLATE, "TPL-not-offered"]},
        headers={"Host": h5_host},
    )
    assert response.status_code == 200 and "已开启通知" in response.content.decode()
    return submission


def change(submission, new_status, **kwargs):
    return status.record_event(
        submission, status=new_status, origin=StatusEvent.Origin.WEBHOOK, **kwargs
    )


def test_the_citizens_agreement_is_kept_for_offered_templates_only(subscribed):
    (subscription,) = WeChatNoticeSubscription.objects.all()
    assert subscription.submission == subscribed
    assert subscription.openid == "oGXXF-citizen-0001" and subscription.account == "gxxf"
    assert subscription.template_id == TEMPLATE


def test_a_status_change_sends_exactly_one_subscribe_message(subscribed, h5_accounts):
    change(subscribed, Status.ACCEPTED, external_id="ev-1")
    change(subscribed, Status.ACCEPTED, external_id="ev-1")  # the same event again
    assert WeChatNotice.objects.count() == 1
    call_command("channels_worker", "--once")
    call_command("channels_worker", "--once")
    (sent,) = h5_accounts.subscribe_messages
    assert sent["touser"] == "oGXXF-citizen-0001" and sent["template_id"] == TEMPLATE
    assert sent["data"]["thing1"]["value"] == "村道损毁无人修复"
    assert sent["data"]["phrase2"]["value"] == "已受理"
    assert re.match(r"\d{4}年\d{2}月\d{2}日 \d{2}:\d{2}$", sent["data"]["time3"]["value"])
    assert sent["page"].endswith("/wechat/gxxf/h5/cx/")
    notice = WeChatNotice.objects.get()
    assert notice.state == State.SENT and notice.sent_at and notice.attempts == 1


def test_statuses_outside_the_template_send_nothing(subscribed, h5_accounts):
    change(subscribed, Status.HANDLING)
    call_command("channels_worker", "--once")
    assert not WeChatNotice.objects.exists() and not h5_accounts.subscribe_messages


def test_the_notice_is_written_in_the_status_transaction(subscribed):
    with pytest.raises(RuntimeError), transaction.atomic():
        change(subscribed, Status.REPLIED, reply="已答复")
        assert WeChatNotice.objects.count() == 1
        raise RuntimeError("the status change is rolled back")
    assert not WeChatNotice.objects.exists()


def test_long_titles_are_cut_to_wechats_limit(
    client, h5_host, h5_accounts, templates, h5_id_number, h5_sms_ok
):
    submission, _ = submit_on_wechat(
        client,
        h5_host,
        h5_accounts,
        h5_id_number,
        title="关于某某镇某某村通往镇上的村道被洪水冲毁的问题",
    )
    notices.agree(notices.get_account("gxxf"), "oGXXF-citizen-0001", submission, [TEMPLATE])
    change(submission, Status.ACCEPTED)
    call_command("channels_worker", "--once")
    (sent,) = h5_accounts.subscribe_messages
    value = sent["data"]["thing1"]["value"]
    assert len(value) == 20 and value.endswith("…")


def test_a_worker_killed_between_send_and_record_does_not_send_twice(
    subscribed, h5_accounts, monkeypatch
):
    change(subscribed, Status.ACCEPTED)
    real_finish = notices._finish

    def killed(notice, token, **fields):
        if fields.get("state") == State.SENT:
            raise SystemExit("worker killed")
        real_finish(notice, token, **fields)

    monkeypatch.setattr(notices, "_finish", killed)
    with pytest.raises(SystemExit):
        notices.run_once()
    monkeypatch.setattr(notices, "_finish", real_finish)
    assert len(h5_accounts.subscribe_messages) == 1
    # The dead worker's lease runs out; the next worker finds the recorded intent.
    WeChatNotice.objects.update(lease_until=timezone.now() - timedelta(seconds=1))
    call_command("channels_worker", "--once")
    assert len(h5_accounts.subscribe_messages) == 1
    notice = WeChatNotice.objects.get()
    assert notice.state == State.UNKNOWN and "不再重发" in notice.last_error


def test_a_refused_notice_is_failed_with_the_reason_and_not_retried(subscribed, h5_accounts):
    h5_accounts.refuse_notices("oGXXF-citizen-0001")
    change(subscribed, Status.ACCEPTED)
    call_command("channels_worker", "--once")
    notice = WeChatNotice.objects.get()
    assert notice.state == State.FAILED
    assert "用户拒绝接收" in notice.last_error and "43101" in notice.last_error
    WeChatNotice.objects.update(next_attempt_at=timezone.now() - timedelta(hours=1))
    call_command("channels_worker", "--once")
    assert len(h5_accounts.calls("message/subscribe/bizsend")) == 1


def test_busy_wechat_is_retried_with_backoff(subscribed, h5_accounts):
    h5_accounts.answer_busy(4, endpoint="message/subscribe/bizsend")  # more than the client retries
    change(subscribed, Status.ACCEPTED)
    call_command("channels_worker", "--once")
    notice = WeChatNotice.objects.get()
    assert notice.state == State.PENDING and notice.sending_since is None
    assert notice.next_attempt_at > timezone.now() + timedelta(seconds=30)
    assert "繁忙" in notice.last_error
    WeChatNotice.objects.update(next_attempt_at=timezone.now())
    call_command("channels_worker", "--once")
    notice.refresh_from_db()
    assert notice.state == State.SENT and notice.attempts == 2
    assert len(h5_accounts.subscribe_messages) == 1


def test_a_timeout_is_never_repeated(subscribed, h5_accounts):
    h5_accounts.script_endpoint("message/subscribe/bizsend", "timeout")
    change(subscribed, Status.ACCEPTED)
    call_command("channels_worker", "--once")
    notice = WeChatNotice.objects.get()
    assert notice.state == State.UNKNOWN
    call_command("channels_worker", "--once")
    assert len(h5_accounts.calls("message/subscribe/bizsend")) == 1


def test_without_templates_no_notice_is_offered(
    client, h5_host, h5_accounts, h5_id_number, h5_sms_ok, settings
):
    settings.WECHAT_NOTICE_TEMPLATES = {}
    submission, page = submit_on_wechat(client, h5_host, h5_accounts, h5_id_number)
    assert "接收办理进度通知" not in page
    response = client.post(
        "/wechat/gxxf/h5/tz/",
        {"reference": str(submission.reference), "template_id": TEMPLATE},
        headers={"Host": h5_host},
    )
    assert response.status_code == 400 and "未开启通知" in response.content.decode()
    assert not WeChatNoticeSubscription.objects.exists()


def test_a_subscription_account_offers_no_notice(
    client, h5_host, h5_accounts, templates, h5_id_number, h5_sms_ok, settings
):
    settings.WECHAT_NOTICE_TEMPLATES = {"gxdy": settings.WECHAT_NOTICE_TEMPLATES["gxxf"]}
    response = client.post(
        "/wechat/gxdy/h5/xf/", petition_form(h5_id_number), headers={"Host": h5_host}
    )
    page = client.get(response["Location"], headers={"Host": h5_host}).content.decode()
    assert "接收办理进度通知" not in page


def test_a_bad_template_configuration_names_the_entry(h5_accounts, settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.WECHAT_NOTICE_TEMPLATES = {"gxxf": [{"template_id": "x", "statuses": ["done"]}]}
    with pytest.raises(ImproperlyConfigured, match=r"WECHAT_NOTICE_TEMPLATES\['gxxf'\]\[0\]"):
        notices.templates_for(notices.get_account("gxxf"))


def test_the_offer_uses_wechats_open_tag_with_a_valid_js_sdk_signature(
    client, h5_host, h5_accounts, templates, h5_id_number, h5_sms_ok
):
    import hashlib
    import json

    _, page = submit_on_wechat(client, h5_host, h5_accounts, h5_id_number)
    assert f'<wx-open-subscribe template="{TEMPLATE}"' in page
    config = json.loads(re.search(r'id="wx-config"[^>]*>(.*?)</script>', page).group(1))
    assert config["appId"] == h5_accounts.app_id
    signed = (
        f"jsapi_ticket={h5_accounts.jsapi_ticket}&noncestr={config['nonceStr']}"
        f"&timestamp={config['timestamp']}&url=http://{h5_host}/wechat/gxxf/h5/ok/"
    )
    # WeChat's JS-SDK signature is SHA-1 by its specification.
    assert config["signature"] == hashlib.sha1(signed.encode()).hexdigest()  # noqa: S324


def test_without_a_jsapi_ticket_the_plain_offer_remains(
    client, h5_host, h5_accounts, templates, h5_id_number, h5_sms_ok
):
    h5_accounts.script_endpoint("ticket/getticket", "error")
    _, page = submit_on_wechat(client, h5_host, h5_accounts, h5_id_number)
    assert "wx-open-subscribe" not in page
    assert "接收办理进度通知" in page and f'value="{TEMPLATE}"' in page


def test_staff_handling_a_wechat_submission_in_the_inbox_notifies_the_citizen(
    client, subscribed, h5_accounts, staff, settings
):
    from django.test import Client

    settings.CASE_SYSTEM_URL = ""  # the built-in inbox
    desk = Client()
    desk.force_login(staff("gx", "intake"))
    detail = desk.get(f"/admin/bridge/{subscribed.pk}/").content.decode()
    assert "data-source>微信<" in detail
    response = desk.post(
        f"/admin/bridge/{subscribed.pk}/",
        {"action": "handle", "status": "replied", "note": "已协调处理", "reply": "已安排修复。"},
    )
    assert response.status_code == 302
    call_command("channels_worker", "--once")
    (sent,) = h5_accounts.subscribe_messages
    assert sent["data"]["phrase2"]["value"] == "已答复"
    # Staff of another portal see nothing of it.
    other = Client()
    other.force_login(staff("nanning", "intake"))
    assert other.get(f"/admin/bridge/{subscribed.pk}/").status_code == 404


def test_a_template_mistake_hides_the_offer_but_never_the_query_code(
    client, h5_host, h5_accounts, h5_id_number, h5_sms_ok, settings
):
    settings.WECHAT_NOTICE_TEMPLATES = {"gxxf": [{"template_id": "x", "statuses": ["done"]}]}
    submission, page = submit_on_wechat(client, h5_host, h5_accounts, h5_id_number)
    assert "data-query-code" in page and "接收办理进度通知" not in page
    assert submission.source == "wechat"


def test_a_notice_busy_past_the_last_attempt_fails_saying_so(subscribed, h5_accounts, settings):
    settings.CHANNELS_MAX_ATTEMPTS = 1
    h5_accounts.answer_busy(4, endpoint="message/subscribe/bizsend")
    change(subscribed, Status.ACCEPTED)
    call_command("channels_worker", "--once")
    notice = WeChatNotice.objects.get()
    assert notice.state == State.FAILED and "不再重试" in notice.last_error


def test_the_notice_opens_the_portals_public_https_address(subscribed, h5_accounts, settings):
    settings.PORTAL_SCHEME, settings.PORTAL_PORT = "https", 443
    change(subscribed, Status.ACCEPTED, external_id="ev-https")
    call_command("channels_worker", "--once")
    (sent,) = h5_accounts.subscribe_messages
    hostname = subscribed.portal.site.hostname
    assert sent["page"] == f"https://{hostname}/wechat/gxxf/h5/cx/"

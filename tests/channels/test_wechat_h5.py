"""The citizens' H5 pages inside WeChat: web authorisation (snsapi_base) through the simulator's
authorize page, a petition, its lookup by OpenID and its evaluation; subscription h5_accounts
without OAuth; the other services on the same flows."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from backend_bridge.models import (
    Evaluation,
    Leader,
    OutboxItem,
    Source,
    Status,
    StatusEvent,
    Submission,
    SuggestionCampaign,
    SuggestionDomain,
)
from backend_bridge.services import status
from channels.models import WeChatSubmission
from tests.channels.h5 import GOOD_CODE, petition_form, sign_in, wechat_client_follows

pytestmark = pytest.mark.django_db


def test_from_the_menu_to_a_petition_its_lookup_and_its_evaluation(
    client, h5_host, h5_accounts, portals, h5_id_number, settings
):
    from backend_bridge.providers.sms import ConsoleSmsProvider
    from channels.wechat.accounts import get_account
    from channels.wechat.menu import service_url

    entry = service_url("petition", f"http://{h5_host}", get_account("gxxf"))
    path = urlsplit(entry).path
    assert path == "/wechat/gxxf/h5/xf/"

    # The menu entry sends the citizen through WeChat's web authorisation.
    first = client.get(path, headers={"Host": h5_host})
    assert first.status_code == 302
    authorize = first["Location"]
    assert authorize.startswith(
        f"{h5_accounts.url}/connect/oauth2/authorize?appid={h5_accounts.app_id}"
    )
    assert authorize.endswith("#wechat_redirect")
    query = parse_qs(urlsplit(authorize.split("#")[0]).query)
    assert query["scope"] == ["snsapi_base"] and query["response_type"] == ["code"]
    assert query["redirect_uri"] == [f"http://{h5_host}/wechat/gxxf/h5/oauth/"]
    assert len(query["state"][0]) >= 32
    back = urlsplit(wechat_client_follows(authorize))
    response = client.get(f"{back.path}?{back.query}", headers={"Host": h5_host})
    assert response.status_code == 302 and response["Location"] == path
    (exchange,) = h5_accounts.calls("sns/oauth2/access_token")
    assert "secret=" in exchange.path and "grant_type=authorization_code" in exchange.path

    page = client.get(path, headers={"Host": h5_host})
    html = page.content.decode()
    assert page.status_code == 200 and "网上信访" in html
    assert 'name="viewport"' in html and "csrfmiddlewaretoken" in html

    # The SMS code goes through the project's SMS provider, as on the portal.
    ConsoleSmsProvider.sent.clear()
    captcha = client.post("/api/v1/sms/captchas", headers={"Host": h5_host}).json()
    answer = cache.get(f"bb:captcha:{captcha['captcha_key']}")["answer"]
    sent = client.post(
        "/api/v1/sms/codes",
        {
            "phone": "13900139000",
            "purpose": "submit",
            "captcha_key": captcha["captcha_key"],
            "captcha_answer": answer,
        },
        content_type="application/json",
        headers={"Host": h5_host},
    )
    assert sent.status_code == 202, sent.content
    code = ConsoleSmsProvider.sent[-1]["params"]["code"]

    response = client.post(
        path, petition_form(h5_id_number, sms_code=code), headers={"Host": h5_host}
    )
    assert response.status_code == 302 and response["Location"] == "/wechat/gxxf/h5/ok/"
    accepted = client.get(response["Location"], headers={"Host": h5_host}).content.decode()
    assert re.search(r"data-query-code>[A-Z0-9-]+<", accepted)
    assert "无需输入查询码" in accepted

    submission = Submission.objects.get()
    assert submission.source == Source.WECHAT
    assert submission.portal == portals["gx"]
    assert submission.wechat.openid == "oGXXF-citizen-0001"
    assert submission.wechat.account == "gxxf"
    # Towards the case system exactly like a portal submission.
    item = OutboxItem.objects.get(submission=submission)
    assert item.kind == OutboxItem.Kind.SUBMIT and item.state == OutboxItem.State.PENDING

    # Lookup: the citizen's own submissions are listed; no query code needed.
    lookup = client.get("/wechat/gxxf/h5/cx/", headers={"Host": h5_host}).content.decode()
    assert "村道损毁无人修复" in lookup
    mine = f"/wechat/gxxf/h5/cx/{submission.reference}/"
    assert mine in lookup
    response = client.get(mine, headers={"Host": h5_host})
    assert response.status_code == 302 and response["Location"] == "/wechat/gxxf/h5/cx/jg/"

    status.record_event(
        submission,
        status=Status.REPLIED,
        origin=StatusEvent.Origin.WEBHOOK,
        reply="已安排镇政府于本月内修复村道。",
    )
    case = client.get("/wechat/gxxf/h5/cx/jg/", headers={"Host": h5_host}).content.decode()
    # The answer and the evaluation come first, before the timeline and the details.
    assert case.index("已安排镇政府于本月内修复村道") < case.index("办理进度</h2>")
    assert case.index("data-evaluate") < case.index("办理进度</h2>")
    response = client.post(
        "/wechat/gxxf/h5/cx/jg/",
        {"action": "evaluate", "rating": "satisfied", "reason": ""},
        headers={"Host": h5_host},
    )
    assert response.status_code == 302
    assert Evaluation.objects.get(submission=submission).rating == "satisfied"
    assert OutboxItem.objects.filter(
        submission=submission, kind=OutboxItem.Kind.EVALUATION
    ).exists()
    case = client.get("/wechat/gxxf/h5/cx/jg/", headers={"Host": h5_host}).content.decode()
    assert "data-evaluated" in case and "data-evaluate>" not in case


def test_a_replayed_state_gets_a_chinese_page_with_a_retry_link(client, h5_host, h5_accounts):
    path = "/wechat/gxxf/h5/cx/"
    response = client.get(path, headers={"Host": h5_host})
    back = urlsplit(wechat_client_follows(response["Location"]))
    callback = f"{back.path}?{back.query}"
    assert client.get(callback, headers={"Host": h5_host}).status_code == 302
    replay = client.get(callback, headers={"Host": h5_host})
    html = replay.content.decode()
    assert replay.status_code == 403
    assert "授权链接已失效或已使用过" in html and 'href="/wechat/gxxf/h5/"' in html


def test_a_state_from_another_browser_is_refused(client, h5_host, h5_accounts):
    response = client.get("/wechat/gxxf/h5/", headers={"Host": h5_host})
    back = urlsplit(wechat_client_follows(response["Location"]))
    # The link is opened in a browser that never started this authorisation.
    other = Client()
    refused = other.get(f"{back.path}?{back.query}", headers={"Host": h5_host})
    assert refused.status_code == 403 and "授权链接已失效" in refused.content.decode()
    assert not h5_accounts.calls("sns/oauth2/access_token")  # the code was not even tried
    assert other.get("/wechat/gxxf/h5/", headers={"Host": h5_host}).status_code == 302


def test_a_forged_state_is_refused(client, h5_host, h5_accounts):
    client.get("/wechat/gxxf/h5/", headers={"Host": h5_host})
    response = client.get(
        "/wechat/gxxf/h5/oauth/?code=abc&state=forged-state", headers={"Host": h5_host}
    )
    assert response.status_code == 403 and "重新进入" in response.content.decode()


@pytest.mark.parametrize(
    ("spoil", "expected"),
    [
        ("unknown", "40029"),
        ("used", "40163"),
        ("expired", "42003"),
    ],
)
def test_a_bad_code_gets_a_chinese_page_not_a_500(client, h5_host, h5_accounts, spoil, expected):
    response = client.get("/wechat/gxxf/h5/xf/", headers={"Host": h5_host})
    back = urlsplit(wechat_client_follows(response["Location"]))
    query = parse_qs(back.query)
    code, state = query["code"][0], query["state"][0]
    if spoil == "unknown":
        code = "not-a-code"
    elif spoil == "used":
        from channels.wechat.accounts import get_account
        from channels.wechat.oauth import WeChatOAuthClient

        WeChatOAuthClient(get_account("gxxf")).fetch_access_token(code)
    else:
        h5_accounts.expire_oauth_codes()
    response = client.get(f"{back.path}?code={code}&state={state}", headers={"Host": h5_host})
    html = response.content.decode()
    assert response.status_code == 400
    assert "微信授权已失效" in html and 'href="/wechat/gxxf/h5/"' in html
    assert h5_accounts.calls("sns/oauth2/access_token")[-1].answer["errcode"] == int(expected)
    # Still not signed in: the page starts a new authorisation.
    assert client.get("/wechat/gxxf/h5/xf/", headers={"Host": h5_host}).status_code == 302


def test_wechat_unreachable_during_the_exchange_is_a_503_page(client, h5_host, h5_accounts):
    response = client.get("/wechat/gxxf/h5/xf/", headers={"Host": h5_host})
    back = urlsplit(wechat_client_follows(response["Location"]))
    h5_accounts.script_endpoint("sns/oauth2/access_token", "http_500")
    response = client.get(f"{back.path}?{back.query}", headers={"Host": h5_host})
    assert response.status_code == 503 and "稍后重试" in response.content.decode()


def test_a_citizen_who_declines_authorisation_is_told_why(client, h5_host, h5_accounts):
    h5_accounts.authorize_refused = True
    response = client.get("/wechat/gxxf/h5/xf/", headers={"Host": h5_host})
    back = urlsplit(wechat_client_follows(response["Location"]))
    assert "code=" not in back.query
    response = client.get(f"{back.path}?{back.query}", headers={"Host": h5_host})
    assert response.status_code == 400 and "未同意微信授权" in response.content.decode()


def test_a_post_after_the_session_expired_keeps_nothing_and_explains(
    client, h5_host, h5_accounts, h5_id_number
):
    response = client.post(
        "/wechat/gxxf/h5/xf/", petition_form(h5_id_number), headers={"Host": h5_host}
    )
    assert response.status_code == 403 and "微信登录已失效" in response.content.decode()
    assert Submission.objects.count() == 0


def test_subscription_account_pages_work_without_oauth(
    client, h5_host, h5_accounts, portals, h5_id_number, h5_sms_ok
):
    page = client.get("/wechat/gxdy/h5/xf/", headers={"Host": h5_host})
    assert page.status_code == 200 and "网上信访" in page.content.decode()
    response = client.post(
        "/wechat/gxdy/h5/xf/", petition_form(h5_id_number), headers={"Host": h5_host}
    )
    assert response.status_code == 302
    accepted = client.get(response["Location"], headers={"Host": h5_host}).content.decode()
    code = re.search(r"data-query-code>([A-Z0-9-]+)<", accepted).group(1)
    assert "无需输入查询码" not in accepted and "接收办理进度通知" not in accepted
    submission = Submission.objects.get()
    assert submission.source == Source.WECHAT
    assert not WeChatSubmission.objects.exists()
    assert not h5_accounts.calls("sns/oauth2/access_token")
    assert client.get("/wechat/gxdy/h5/oauth/", headers={"Host": h5_host}).status_code == 404

    response = client.post(
        "/wechat/gxdy/h5/cx/",
        {"query_code": code, "id_tail": h5_id_number[-6:]},
        headers={"Host": h5_host},
    )
    assert response.status_code == 302 and response["Location"] == "/wechat/gxdy/h5/cx/jg/"
    case = client.get(response["Location"], headers={"Host": h5_host}).content.decode()
    assert "村道损毁无人修复" in case


def test_invalid_input_is_rerendered_with_an_error_summary_linking_to_fields(
    client, h5_host, h5_accounts, h5_id_number, h5_sms_ok
):
    sign_in(client, h5_host, "/wechat/gxxf/h5/xf/", h5_accounts)
    response = client.post(
        "/wechat/gxxf/h5/xf/",
        petition_form(h5_id_number, phone="123", county=""),
        headers={"Host": h5_host},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "村道损毁无人修复" in html  # nothing entered is lost
    summary = html[
        html.index("data-error-summary") : html.index("</div>", html.index("data-error-summary"))
    ]
    assert 'href="#id_phone"' in summary and 'href="#id_county"' in summary
    assert Submission.objects.count() == 0


def test_a_citizen_cannot_open_another_citizens_case_by_openid(
    client, h5_host, h5_accounts, h5_id_number, h5_sms_ok
):
    sign_in(client, h5_host, "/wechat/gxxf/h5/xf/", h5_accounts, openid="oGXXF-citizen-aaaa")
    client.post("/wechat/gxxf/h5/xf/", petition_form(h5_id_number), headers={"Host": h5_host})
    theirs = Submission.objects.get()

    other = Client()
    lookup = sign_in(
        other, h5_host, "/wechat/gxxf/h5/cx/", h5_accounts, openid="oGXXF-citizen-bbbb"
    )
    assert lookup.status_code == 200
    assert "村道损毁无人修复" not in lookup.content.decode()
    response = other.get(f"/wechat/gxxf/h5/cx/{theirs.reference}/", headers={"Host": h5_host})
    assert response.status_code == 404
    assert "村道损毁无人修复" not in response.content.decode()
    case = other.get("/wechat/gxxf/h5/cx/jg/", headers={"Host": h5_host})
    assert case.status_code == 302  # no case opened: back to the lookup form
    # Nor through another account with the same OpenID.
    response = other.post(
        "/wechat/gxxf/h5/tz/",
        {"reference": str(theirs.reference), "template_id": "TPL-progress-0001"},
        headers={"Host": h5_host},
    )
    assert response.status_code == 404


def test_leader_message_and_suggestion_with_a_campaign_through_wechat(
    client, h5_host, h5_accounts, portals, h5_sms_ok
):
    leader = Leader.objects.create(portal=portals["gx"], name="李明", title="局长")
    today = timezone.localdate()
    campaign = SuggestionCampaign.objects.create(
        portal=portals["gx"],
        title="平陆运河沿线生态保护建议",
        intro="<p>欢迎建言献策。</p>",
        start_date=today - timedelta(days=3),
        end_date=today + timedelta(days=3),
    )
    board = sign_in(client, h5_host, "/wechat/gxxf/h5/ldly/", h5_accounts).content.decode()
    assert "给局长李明留言" in board
    response = client.post(
        "/wechat/gxxf/h5/ldly/xx/",
        {
            "leader": str(leader.pk),
            "title": "建议增加夜班公交",
            "content": "城东片区晚上九点以后没有公交车，希望增开夜班线路方便群众。",
            "name": "覃丽",
            "phone": "13600136000",
            "sms_code": GOOD_CODE,
        },
        headers={"Host": h5_host},
    )
    assert response.status_code == 302 and response["Location"] == "/wechat/gxxf/h5/ok/"

    listing = client.get("/wechat/gxxf/h5/rmjy/", headers={"Host": h5_host}).content.decode()
    assert f"/wechat/gxxf/h5/rmjy/zt/{campaign.pk}/" in listing
    detail = client.get(f"/wechat/gxxf/h5/rmjy/zt/{campaign.pk}/", headers={"Host": h5_host})
    assert f"/wechat/gxxf/h5/rmjy/jy/?campaign={campaign.pk}" in detail.content.decode()
    response = client.post(
        "/wechat/gxxf/h5/rmjy/jy/",
        {
            "domain": str(SuggestionDomain.objects.first().pk),
            "campaign": str(campaign.pk),
            "title": "沿线增设生态监测点",
            "content": "建议在运河沿线增设水质和噪声监测点，数据向社会公开，接受群众监督。",
            "name": "韦建国",
            "phone": "13500135000",
            "sms_code": GOOD_CODE,
        },
        headers={"Host": h5_host},
    )
    assert response.status_code == 302
    message, suggestion = Submission.objects.order_by("pk")
    assert message.leader == leader and message.source == Source.WECHAT
    assert suggestion.campaign == campaign and suggestion.source == Source.WECHAT
    assert {s.wechat.openid for s in (message, suggestion)} == {"oGXXF-citizen-0001"}
    lookup = client.get("/wechat/gxxf/h5/cx/", headers={"Host": h5_host}).content.decode()
    assert "建议增加夜班公交" in lookup and "沿线增设生态监测点" in lookup


def test_the_canal_channel_is_a_priority_petition(
    client, h5_host, h5_accounts, h5_id_number, h5_sms_ok
):
    sign_in(client, h5_host, "/wechat/gxxf/h5/plyh/", h5_accounts)
    response = client.post(
        "/wechat/gxxf/h5/plyh/", petition_form(h5_id_number), headers={"Host": h5_host}
    )
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert submission.channel == "pinglu_canal" and submission.priority == "high"


def test_an_account_can_send_its_submissions_to_another_portal(
    client, h5_host, h5_accounts, portals, h5_id_number, h5_sms_ok, settings
):
    entries = json.loads(settings.WECHAT_ACCOUNTS)
    entries[1]["portal"] = "qinzhou"
    settings.WECHAT_ACCOUNTS = json.dumps(entries)
    client.post("/wechat/gxdy/h5/xf/", petition_form(h5_id_number), headers={"Host": h5_host})
    assert Submission.objects.get().portal == portals["qinzhou"]


def test_an_unknown_account_is_404(client, h5_host, h5_accounts):
    assert client.get("/wechat/nosuch/h5/xf/", headers={"Host": h5_host}).status_code == 404


def test_a_wechat_petition_reaches_the_case_system_like_a_portal_one(
    client, h5_host, h5_accounts, h5_id_number, h5_sms_ok, settings
):
    from backend_bridge.services import outbox
    from tests.simulators.case_system import CaseSystemSimulator

    sign_in(client, h5_host, "/wechat/gxxf/h5/xf/", h5_accounts)
    client.post("/wechat/gxxf/h5/xf/", petition_form(h5_id_number), headers={"Host": h5_host})
    with CaseSystemSimulator(
        secret=settings.CASE_SYSTEM_SECRET, webhook_secret=settings.CASE_WEBHOOK_SECRET
    ) as case_system:
        settings.CASE_SYSTEM_URL, settings.CASE_SYSTEM_KEY = case_system.url, "portal"
        assert outbox.run_once().delivered == 1
    (case,) = case_system.cases.values()
    assert case["submission"]["source"] == "wechat"
    assert case["submission"]["portal"]["code"] == "gx"
    assert case["submission"]["title"] == "村道损毁无人修复"
    assert Submission.objects.get().case_number == case["case_id"]


def test_a_moments_snapshot_visitor_is_asked_to_open_the_full_service(client, h5_host, h5_accounts):
    h5_accounts.snapshot_user = True
    response = client.get("/wechat/gxxf/h5/xf/", headers={"Host": h5_host})
    back = urlsplit(wechat_client_follows(response["Location"]))
    response = client.get(f"{back.path}?{back.query}", headers={"Host": h5_host})
    assert response.status_code == 400 and "使用完整服务" in response.content.decode()
    assert client.get("/wechat/gxxf/h5/xf/", headers={"Host": h5_host}).status_code == 302

"""The message callback /wechat/<code>/: WeChat's requests, built as WeChat builds them.

Every request is signed with the account's token (SHA-1 over the sorted token, timestamp and
nonce, computed here independently of the product); safe-mode bodies are encrypted with the
account's EncodingAESKey by wechatpy's ``WeChatCrypto``, and the replies decrypted with it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import time
from datetime import timedelta
from urllib.parse import urlencode

import pytest
import xmltodict
from django.urls import reverse
from django.utils import timezone
from wechatpy.crypto import WeChatCrypto

from channels import base, services
from channels.models import ChannelTarget, Delivery, WeChatKeywordReply, WeChatWelcome
from cms.factories import ArticlePageFactory
from tests.channels.test_wechat_channel import article, publish_from_admin, work

pytestmark = pytest.mark.django_db

URL = "/wechat/gxxf/"
OPENID = "oV5CrjpxgaGXNHIQigzNlgLTnwic"
ORIGINAL_ID = "gh_4d00ed8d6399"


def sign(token: str, timestamp: str, nonce: str) -> str:
    return hashlib.sha1(  # noqa: S324 - WeChat's signature is SHA-1
        "".join(sorted([token, timestamp, nonce])).encode()
    ).hexdigest()


def signed(account, timestamp: int | None = None, **extra) -> dict:
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    nonce = str(secrets.randbelow(10**9))
    return {
        "signature": sign(account.token, timestamp, nonce),
        "timestamp": timestamp,
        "nonce": nonce,
        **extra,
    }


def text_xml(content: str, msg_id: int | None = None, created: int | None = None) -> str:
    return (
        f"<xml><ToUserName><![CDATA[{ORIGINAL_ID}]]></ToUserName>"
        f"<FromUserName><![CDATA[{OPENID}]]></FromUserName>"
        f"<CreateTime>{created or int(time.time())}</CreateTime>"
        "<MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{content}]]></Content>"
        f"<MsgId>{msg_id or secrets.randbelow(10**15)}</MsgId></xml>"
    )


def event_xml(event: str, inner: str = "", created: int | None = None) -> str:
    return (
        f"<xml><ToUserName><![CDATA[{ORIGINAL_ID}]]></ToUserName>"
        f"<FromUserName><![CDATA[{OPENID}]]></FromUserName>"
        f"<CreateTime>{created or int(time.time())}</CreateTime>"
        "<MsgType><![CDATA[event]]></MsgType>"
        f"<Event><![CDATA[{event}]]></Event>{inner}</xml>"
    )


def post_plain(client, account, xml: str, url: str = URL):
    return client.post(
        f"{url}?{urlencode({**signed(account), 'openid': OPENID})}",
        xml.encode(),
        content_type="text/xml",
    )


def post_safe(client, account, xml: str):
    """What WeChat sends in safe mode: the envelope, with msg_signature in the query."""
    query = signed(account, encrypt_type="aes", openid=OPENID)
    crypto = WeChatCrypto(account.token, account.aes_key, account.app_id)
    sealed = xmltodict.parse(crypto.encrypt_message(xml, query["nonce"], query["timestamp"]))
    envelope = (
        f"<xml><ToUserName><![CDATA[{ORIGINAL_ID}]]></ToUserName>"
        f"<Encrypt><![CDATA[{sealed['xml']['Encrypt']}]]></Encrypt></xml>"
    )
    query["msg_signature"] = sealed["xml"]["MsgSignature"]
    return client.post(f"{URL}?{urlencode(query)}", envelope.encode(), content_type="text/xml")


def reply_of(response) -> dict:
    assert response.status_code == 200, response.content
    return xmltodict.parse(response.content)["xml"]


@pytest.fixture(autouse=True)
def wechat(wechat_account):
    base.forget_channels()
    yield
    base.forget_channels()


# --- the server URL check ----------------------------------------------------------------------


def test_the_platform_check_is_answered_with_echostr_when_signed_with_the_token(
    client, wechat_account
):
    response = client.get(URL, signed(wechat_account, echostr="7361934226583711712"))
    assert response.status_code == 200
    assert response.content == b"7361934226583711712"


def test_a_bad_signature_is_refused_and_logged(client, wechat_account, caplog):
    query = {**signed(wechat_account, echostr="123"), "signature": "0" * 40}
    with caplog.at_level(logging.WARNING, logger="channels.wechat.views"):
        assert client.get(URL, query).status_code == 403
        posted = client.post(
            f"{URL}?{urlencode(query)}", text_xml("信访").encode(), content_type="text/xml"
        )
    assert posted.status_code == 403
    assert "signature does not match" in caplog.text and "gxxf" in caplog.text


def test_a_request_with_an_old_timestamp_is_refused(client, wechat_account):
    query = signed(wechat_account, timestamp=int(time.time()) - 3600, echostr="123")
    assert client.get(URL, query).status_code == 403


def test_an_unknown_account_is_not_found(client, wechat_account):
    assert client.get("/wechat/nosuch/", signed(wechat_account, echostr="1")).status_code == 404


# --- replies -----------------------------------------------------------------------------------


def test_a_keyword_is_answered_with_the_configured_text(client, wechat_account):
    WeChatKeywordReply.objects.create(
        account="gxxf", keyword="办理时限", reply_text="信访事项应当自受理之日起60日内办结。"
    )
    reply = reply_of(post_plain(client, wechat_account, text_xml(" 办理时限 ")))
    assert reply["MsgType"] == "text"
    assert reply["Content"] == "信访事项应当自受理之日起60日内办结。"
    assert reply["ToUserName"] == OPENID and reply["FromUserName"] == ORIGINAL_ID


def test_a_contained_keyword_matches_when_configured_so(client, wechat_account):
    WeChatKeywordReply.objects.create(
        account="gxxf", keyword="运河", match="contains", reply_text="平陆运河绿色通道"
    )
    WeChatKeywordReply.objects.create(account="gxxf", keyword="地址", reply_text="不应匹配")
    reply = reply_of(post_plain(client, wechat_account, text_xml("请问平陆运河征地地址")))
    assert reply["Content"] == "平陆运河绿色通道"


def test_in_safe_mode_the_message_is_decrypted_and_the_reply_encrypted(client, wechat_account):
    WeChatKeywordReply.objects.create(account="gxxf", keyword="电话", reply_text="0771-12345")
    response = post_safe(client, wechat_account, text_xml("电话"))
    envelope = reply_of(response)
    assert "Content" not in envelope and envelope["Encrypt"]
    crypto = WeChatCrypto(wechat_account.token, wechat_account.aes_key, wechat_account.app_id)
    plain = crypto.decrypt_message(
        response.content, envelope["MsgSignature"], envelope["TimeStamp"], envelope["Nonce"]
    )
    reply = xmltodict.parse(plain)["xml"]
    assert reply["MsgType"] == "text" and reply["Content"] == "0771-12345"
    assert reply["ToUserName"] == OPENID


def test_a_safe_mode_message_with_a_forged_msg_signature_is_refused(client, wechat_account):
    query = signed(wechat_account, encrypt_type="aes", msg_signature="0" * 40)
    envelope = f"<xml><ToUserName>{ORIGINAL_ID}</ToUserName><Encrypt>AAAA</Encrypt></xml>"
    response = client.post(f"{URL}?{urlencode(query)}", envelope, content_type="text/xml")
    assert response.status_code == 403


def test_a_new_follower_gets_the_welcome_text(client, wechat_account):
    WeChatWelcome.objects.create(
        account="gxxf", welcome_text="欢迎关注广西信访！回复“指南”查看办事指南。"
    )
    reply = reply_of(post_plain(client, wechat_account, event_xml("subscribe")))
    assert reply["MsgType"] == "text"
    assert reply["Content"] == "欢迎关注广西信访！回复“指南”查看办事指南。"


def test_a_column_keyword_answers_with_its_latest_live_articles(client, wechat_account, column):
    now = timezone.now()
    live = [
        ArticlePageFactory(
            parent=column,
            title=f"工作动态{n}",
            summary=f"第{n}期摘要",
            publish_date=now - timedelta(days=n),
        )
        for n in range(1, 10)
    ]
    ArticlePageFactory(parent=column, title="未发布的草稿", live=False, publish_date=now)
    WeChatKeywordReply.objects.create(account="gxxf", keyword="动态", column=column)

    reply = reply_of(post_plain(client, wechat_account, text_xml("动态")))
    assert reply["MsgType"] == "news" and reply["ArticleCount"] == "8"
    items = reply["Articles"]["item"]
    assert [item["Title"] for item in items] == [f"工作动态{n}" for n in range(1, 9)]
    assert items[0]["Description"] == "第1期摘要"
    assert [item["Url"] for item in items] == [page.full_url for page in live[:8]]
    assert "未发布的草稿" not in [item["Title"] for item in items]


def test_an_unknown_message_gets_the_default_text_with_the_service_links(client, wechat_account):
    reply = reply_of(post_plain(client, wechat_account, text_xml("你好")))
    assert reply["MsgType"] == "text"
    # gxxf is a service account: the links open its H5 pages.
    assert "网上信访" in reply["Content"] and "/wechat/gxxf/h5/xf/" in reply["Content"]
    assert "信访件查询评价" in reply["Content"] and "/wechat/gxxf/h5/cx/" in reply["Content"]


def test_the_default_text_set_in_the_admin_wins(client, wechat_account):
    WeChatWelcome.objects.create(account="gxxf", default_text="请拨打12345。")
    reply = reply_of(post_plain(client, wechat_account, text_xml("随便说说")))
    assert reply["Content"] == "请拨打12345。"


def test_a_repeated_message_is_answered_once(client, wechat_account):
    WeChatKeywordReply.objects.create(account="gxxf", keyword="电话", reply_text="0771-12345")
    message = text_xml("电话", msg_id=6054768590064713728)
    assert reply_of(post_plain(client, wechat_account, message))["Content"] == "0771-12345"
    repeated = post_plain(client, wechat_account, message)
    assert repeated.status_code == 200 and repeated.content == b"success"

    created = int(time.time()) - 5
    assert reply_of(post_plain(client, wechat_account, event_xml("subscribe", created=created)))
    again = post_plain(client, wechat_account, event_xml("subscribe", created=created))
    assert again.content == b"success"


def test_an_unreadable_body_is_a_bad_request(client, wechat_account):
    response = post_plain(client, wechat_account, "<xml><oops")
    assert response.status_code == 400


# --- publication finished ----------------------------------------------------------------------


def publish_finished_xml(publish_id: str) -> str:
    return event_xml(
        "PUBLISHJOBFINISH",
        "<PublishEventInfo>"
        f"<publish_id>{publish_id}</publish_id><publish_status>0</publish_status>"
        "<article_id><![CDATA[forged-article-id]]></article_id>"
        "</PublishEventInfo>",
    )


def test_the_publish_finished_event_makes_the_delivery_due_so_the_worker_records_it(
    client, wechat_account, wechat_simulator, column, portals, staff
):
    services.sync_targets()
    admin = staff("nanning", "admin")
    client.force_login(admin)
    target = ChannelTarget.objects.get(code="wechat-gxxf")
    client.post(reverse("channel_targets:edit", args=[target.pk]), {"columns": [column.pk]})
    wechat_simulator.publish_result(0, after_polls=1)
    page = publish_from_admin(client, article(column, portals))
    work()
    delivery = Delivery.objects.get(page=page)
    assert delivery.state == "pending" and delivery.next_attempt_at > timezone.now()
    polls = len(wechat_simulator.calls("freepublish/get"))
    other = Delivery.objects.create(
        page=page,
        channel="wechat-gxxf",
        action="publish",
        state="failed",
        progress={"publish_id": delivery.progress["publish_id"]},
        next_attempt_at=timezone.now() + timedelta(hours=1),
    )
    client.logout()

    response = post_plain(
        client, wechat_account, publish_finished_xml(delivery.progress["publish_id"])
    )
    assert response.status_code == 200 and response.content == b"success"
    delivery.refresh_from_db()
    assert delivery.state == "pending" and delivery.next_attempt_at <= timezone.now()
    other.refresh_from_db()
    assert other.next_attempt_at > timezone.now()  # only a pending delivery is woken
    assert len(wechat_simulator.calls("freepublish/get")) == polls  # no remote call in the request

    work()
    delivery.refresh_from_db()
    assert delivery.state == "published"
    assert delivery.remote_id != "forged-article-id"  # the result comes from WeChat's API


def test_a_publish_finished_event_for_no_delivery_changes_nothing(client, wechat_account):
    response = post_plain(client, wechat_account, publish_finished_xml("2247503051"))
    assert response.content == b"success"


# --- the admin ---------------------------------------------------------------------------------


def test_a_superuser_creates_a_keyword_reply_through_the_snippet_form(
    client, wechat_account, column, django_user_model
):
    user = django_user_model.objects.create_superuser("wechat-admin", password="Pw-wechat-2026")
    client.force_login(user)
    url = reverse("wagtailsnippets_channels_wechatkeywordreply:add")
    sidebar = client.get("/admin/").content.decode()  # the menu is JSON, text escaped
    assert json.dumps({"name": "wechat", "label": "微信公众号"})[1:-1] in sidebar
    assert client.get(url).status_code == 200

    empty = client.post(url, {"account": "gxxf", "keyword": "指南", "match": "exact"})
    assert empty.status_code == 200
    assert "请填写“回复文字”或选择“回复栏目”" in empty.content.decode()

    response = client.post(
        url,
        {
            "account": "gxxf",
            "keyword": "指南",
            "match": "exact",
            "reply_text": "",
            "column": column.pk,
            "enabled": "on",
        },
    )
    assert response.status_code == 302
    reply = WeChatKeywordReply.objects.get(keyword="指南")
    assert reply.account == "gxxf" and reply.column_id == column.pk and reply.enabled
    listing = client.get(reverse("wagtailsnippets_channels_wechatkeywordreply:list"), {"q": "指南"})
    assert listing.status_code == 200 and "指南" in listing.content.decode()

"""The WeChat API client against the loopback simulator: tokens, retries, errors, base URL."""

from __future__ import annotations

import json
import time

import pytest

from channels.wechat.client import client_for
from channels.wechat.errors import (
    WeChatBusyError,
    WeChatCredentialError,
    WeChatError,
    WeChatQuotaError,
    WeChatTimeoutError,
    WeChatTransportError,
)


def forced(simulator) -> list[bool]:
    return [r["force_refresh"] for r in simulator.token_requests]


# --- access tokens ---------------------------------------------------------------------------


def test_two_processes_share_one_token(wechat_account, wechat_simulator):
    # Two clients built independently stand for two worker processes: the token is in the
    # shared cache, so WeChat hands it out once.
    first, second = client_for(wechat_account), client_for(wechat_account)
    first.draft.count()
    second.draft.count()
    second.freepublish.batchget()
    assert wechat_simulator.token_issues == 1
    assert len(wechat_simulator.calls("stable_token")) == 1
    body = wechat_simulator.calls("stable_token")[0].json()
    assert body == {
        "grant_type": "client_credential",
        "appid": wechat_simulator.app_id,
        "secret": wechat_simulator.secret,
        "force_refresh": False,
    }
    tokens = {
        r.path.split("access_token=")[1].split("&")[0]
        for r in wechat_simulator.calls("draft/count")
    }
    assert len(tokens) == 1


def test_an_expired_token_is_refreshed_once_and_the_call_succeeds(wechat_client, wechat_simulator):
    wechat_client.draft.count()
    wechat_simulator.expire_token()
    assert wechat_client.draft.count() == {"total_count": 0}
    assert forced(wechat_simulator) == [False, False]  # normal mode was enough
    assert wechat_simulator.token_issues == 2
    answers = [r.answer.get("errcode") for r in wechat_simulator.calls("draft/count")]
    assert answers == [None, 42001, None]


def test_a_rejected_token_that_normal_mode_returns_again_is_force_refreshed(
    wechat_client, wechat_simulator
):
    wechat_client.draft.count()
    wechat_simulator.revoke_token()
    assert wechat_client.draft.count() == {"total_count": 0}
    assert forced(wechat_simulator) == [False, False, True]


def test_a_token_refreshed_by_another_process_is_picked_up_without_asking_wechat(
    wechat_account, wechat_simulator
):
    worker_a, worker_b = client_for(wechat_account), client_for(wechat_account)
    worker_a.draft.count()
    wechat_simulator.expire_token()
    worker_a.draft.count()  # refreshes
    worker_b.draft.count()  # reads the new token from the cache
    assert forced(wechat_simulator) == [False, False]
    assert [r.answer.get("errcode") for r in wechat_simulator.calls("draft/count")] == [
        None,
        42001,
        None,
        None,
    ]


def test_a_token_refused_even_after_refresh_is_a_credential_error_not_a_loop(
    wechat_client, wechat_simulator
):
    wechat_client.draft.count()
    wechat_simulator.script_endpoint(
        "draft/count", "invalid_token", "invalid_token", "invalid_token"
    )
    with pytest.raises(WeChatCredentialError) as caught:
        wechat_client.draft.count()
    assert caught.value.temporary is False
    assert "access_token" in str(caught.value)
    assert len(wechat_simulator.calls("draft/count")) == 3  # first call, then one repeat
    assert len(wechat_simulator.token_requests) == 3  # initial, normal, forced


def test_a_wrong_secret_says_so_in_chinese(wechat_account, wechat_simulator):
    wechat_simulator.secret = "f" * 32
    client = client_for(wechat_account)
    with pytest.raises(WeChatCredentialError) as caught:
        client.draft.count()
    assert "AppSecret 无效" in str(caught.value)
    assert caught.value.errcode == 40125
    assert wechat_simulator.calls("draft/count") == []


# --- busy, quota, timeouts, transport -------------------------------------------------------------


def test_busy_is_retried_with_backoff_then_succeeds(wechat_client, wechat_simulator):
    wechat_client.draft.count()
    wechat_simulator.answer_busy(2, endpoint="freepublish/batchget")
    assert wechat_client.freepublish.batchget()["total_count"] == 0
    assert [r.answer.get("errcode") for r in wechat_simulator.calls("freepublish/batchget")] == [
        -1,
        -1,
        None,
    ]


def test_busy_beyond_the_retry_budget_is_a_temporary_error(wechat_client, wechat_simulator):
    wechat_client.draft.count()
    wechat_simulator.answer_busy(10, endpoint="draft/count")
    with pytest.raises(WeChatBusyError) as caught:
        wechat_client.draft.count()
    assert caught.value.temporary is True
    assert "繁忙" in str(caught.value)
    assert len(wechat_simulator.calls("draft/count")) == 1 + 1 + 3  # warm-up, try, 3 retries


def test_an_exhausted_quota_is_raised_at_once_and_never_retried(wechat_client, wechat_simulator):
    wechat_client.draft.count()
    wechat_simulator.exhaust_quota("freepublish/batchget")
    with pytest.raises(WeChatQuotaError) as caught:
        wechat_client.freepublish.batchget()
    assert "调用次数已用完" in str(caught.value)
    assert caught.value.errcode == 45009
    assert caught.value.temporary is False
    assert len(wechat_simulator.calls("freepublish/batchget")) == 1


def test_a_timeout_is_temporary_and_the_call_is_not_repeated(wechat_client, wechat_simulator):
    wechat_client.draft.count()
    wechat_simulator.script_endpoint("draft/count", "timeout")
    started = time.monotonic()
    with pytest.raises(WeChatTimeoutError) as caught:
        wechat_client.draft.count()
    assert time.monotonic() - started < wechat_simulator.delay
    assert caught.value.temporary is True
    assert "超时" in str(caught.value)
    assert len(wechat_simulator.calls("draft/count")) == 2


def test_a_server_error_is_temporary_and_not_repeated(wechat_client, wechat_simulator):
    wechat_client.draft.count()
    wechat_simulator.script_endpoint("draft/count", "http_500")
    with pytest.raises(WeChatTransportError) as caught:
        wechat_client.draft.count()
    assert caught.value.temporary is True
    assert "HTTP 503" in str(caught.value)
    assert len(wechat_simulator.calls("draft/count")) == 2


def test_an_unreachable_server_is_temporary_and_the_error_carries_no_token(
    wechat_client, wechat_simulator
):
    wechat_client.draft.count()
    token = wechat_simulator.current_token
    wechat_simulator.stop()
    with pytest.raises(WeChatTransportError) as caught:
        wechat_client.draft.count()
    error = caught.value
    assert error.temporary is True
    # Tracebacks do not show the requests exception either: its text quotes the URL.
    assert error.__suppress_context__ is True
    for text in (str(error), repr(error), str(error.errmsg)):
        assert token not in text
        assert "access_token=" not in text


# --- one base URL for every group -----------------------------------------------------------------


def test_wechatpy_groups_reach_the_configured_base(wechat_client, wechat_simulator):
    assert wechat_client.menu.get() is None  # 46003 still means "no menu" to wechatpy
    wechat_client.menu.create(
        {"button": [{"type": "view", "name": "我要信访", "url": "https://example.org/"}]}
    )
    assert wechat_client.menu.get()["menu"]["button"][0]["name"] == "我要信访"
    assert wechat_client.user.get("oGXXF-citizen-0001")["subscribe"] == 1
    wechat_client.message.send_text("oGXXF-citizen-0001", "您的信访事项已受理")
    assert wechat_simulator.custom_messages[0]["text"]["content"] == "您的信访事项已受理"
    paths = [r.path.split("?")[0] for r in wechat_simulator.calls()]
    assert "/cgi-bin/menu/create" in paths and "/cgi-bin/user/info" in paths
    assert "/cgi-bin/message/custom/send" in paths


def test_urls_wechatpy_writes_in_full_are_moved_to_the_base(wechat_client, wechat_simulator):
    # customservice writes https://api.weixin.qq.com/customservice/... and datacube has its own
    # API_BASE_URL: both must arrive at the simulator (which does not implement them: 404).
    with pytest.raises(WeChatError, match="HTTP 404"):
        wechat_client.customservice.add_account("kf2001@gxxf", "客服", "x")
    with pytest.raises(WeChatError, match="HTTP 404"):
        wechat_client.datacube.get_user_summary("2026-01-01", "2026-01-02")
    paths = [r.path.split("?")[0] for r in wechat_simulator.calls()]
    assert "/customservice/kfaccount/add" in paths
    assert "/datacube/getusersummary" in paths
    assert wechat_client.media.get_url("MEDIA").startswith(
        wechat_simulator.url + "/cgi-bin/media/get?"
    )


def test_chinese_reaches_wechat_unescaped(wechat_client, wechat_simulator):
    wechat_client.menu.create({"button": [{"type": "click", "name": "信访指南", "key": "GUIDE"}]})
    body = wechat_simulator.calls("menu/create")[0].body
    assert "信访指南".encode() in body
    assert json.loads(body)["button"][0]["name"] == "信访指南"

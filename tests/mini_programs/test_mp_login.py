"""Signing in from the mini-program: jscode2session against the loopback WeChat, the backend's
own session token, its expiry, and the about endpoint."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone

from mini_programs.models import MpSession
from tests.mini_programs.conftest import Diner

pytestmark = pytest.mark.django_db


def post_login(client, code):
    return client.post("/api/mp/v1/login", {"code": code}, content_type="application/json")


def test_a_good_code_signs_in_with_our_own_token_and_keeps_the_session_key(client, mp):
    code = mp.login_code("oMP-good-user")
    response = post_login(client, code)
    assert response.status_code == 200
    body = response.json()
    assert body["bound"] is False and body["diner"] is None
    assert len(body["token"]) > 30
    assert "session_key" not in response.content.decode()
    session = MpSession.objects.get()
    assert session.openid == "oMP-good-user" and session.session_key
    (call,) = mp.calls("sns/jscode2session")
    assert "access_token" not in call.path  # login is by AppID and secret only
    assert mp.token_requests == []


def test_a_bad_code_is_refused_in_chinese(client, mp):
    response = post_login(client, "not-a-code-wechat-gave")
    assert response.status_code == 401
    assert response.json()["code"] == "login_refused"
    assert "登录凭证无效或已过期" in response.json()["message"]
    assert not MpSession.objects.exists()


def test_an_expired_code_is_refused(client, mp):
    code = mp.login_code()
    mp.expire_login_codes()
    response = post_login(client, code)
    assert response.status_code == 401
    assert "已过期" in response.json()["message"]


def test_a_code_works_once(client, mp):
    code = mp.login_code()
    assert post_login(client, code).status_code == 200
    again = post_login(client, code)
    assert again.status_code == 401
    assert "已被使用" in again.json()["message"]


def test_wechat_unreachable_is_a_503_not_a_500(client, mp, settings):
    mp.stop()
    response = post_login(client, "any-code")
    assert response.status_code in (502, 503)
    assert response.json()["message"].startswith("微信")


def test_every_call_but_login_and_about_needs_the_token(client, mp, make_meal):
    meal = make_meal()
    for method, path in (
        ("get", "/me"),
        ("get", "/meals"),
        ("get", "/orders"),
        ("post", "/orders"),
        ("get", "/bills/2026-12"),
        ("post", f"/orders/{meal.pk}/cancel"),
    ):
        response = getattr(client, method)("/api/mp/v1" + path)
        assert response.status_code == 401, path
        assert response.json()["code"] == "unauthorized"
        assert "登录已失效" in response.json()["message"]


def test_tokens_expire(client, mp):
    body = post_login(client, mp.login_code()).json()
    user = Diner(client, body["token"], "")
    assert user.get("/me").status_code == 200
    MpSession.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert user.get("/me").status_code == 401


def test_logout_ends_the_session(client, mp):
    body = post_login(client, mp.login_code()).json()
    user = Diner(client, body["token"], "")
    assert user.post("/logout").status_code == 200
    assert user.get("/me").status_code == 401


def test_about_shows_the_configured_entity_and_filing_number(client, mp):
    response = client.get("/api/mp/v1/about")
    assert response.status_code == 200
    assert response.json()["entity"] == "广西壮族自治区信访局"
    assert response.json()["filing_number"] == "桂ICP备00000001号-2X"
    assert response.json()["app_id"] == mp.app_id


def test_about_without_configuration_says_so(client, settings):
    settings.WECHAT_MINI_PROGRAM = {}
    response = client.get("/api/mp/v1/about")
    assert response.status_code == 503
    assert "尚未配置" in response.json()["message"]


def test_the_notice_timer_also_purges_expired_sessions(client, mp):
    from django.core.management import call_command

    post_login(client, mp.login_code())
    post_login(client, mp.login_code())
    MpSession.objects.filter(pk=MpSession.objects.first().pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    call_command("mp_send_notices", stdout=io.StringIO())
    assert MpSession.objects.count() == 1


def test_unknown_paths_and_methods_answer_in_the_one_error_shape(client):
    missing = client.get("/api/mp/v1/no-such-thing")
    assert missing.status_code == 404
    assert missing.json() == {"code": "not_found", "message": "接口不存在。", "details": {}}
    wrong = client.delete("/api/mp/v1/about")
    assert wrong.status_code == 405 and wrong.json()["code"] == "method_not_allowed"

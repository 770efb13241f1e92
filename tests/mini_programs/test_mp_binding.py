"""Binding a WeChat user to a staff record: name + phone with an SMS code (through the
project's SMS provider and its captcha), or an invitation code from the canteen."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from backend_bridge import captcha
from mini_programs.models import WeChatBinding
from mini_programs.services.accounts import issue_invitation

pytestmark = pytest.mark.django_db


def solved_captcha(user):
    body = user.post("/bind/captcha").json()
    key = body["captcha_key"]
    return key, cache.get(f"{captcha.KEY_PREFIX}:{key}")["answer"]


def request_code(user, name, phone):
    key, answer = solved_captcha(user)
    return user.post(
        "/bind/sms-code",
        {"name": name, "phone": phone, "captcha_key": key, "captcha_answer": answer},
    )


def test_binding_by_name_phone_and_sms_code(sign_in, make_diner, sms_outbox):
    diner = make_diner("李明")
    user = sign_in(None)
    assert user.get("/meals").json()["code"] == "not_bound"
    assert request_code(user, "李明", diner.phone).status_code == 200
    (message,) = sms_outbox
    code = message["params"]["code"]
    response = user.post("/bind/sms", {"name": "李明", "phone": diner.phone, "sms_code": code})
    assert response.status_code == 200
    assert response.json()["diner"]["name"] == "李明"
    assert WeChatBinding.objects.get(openid=user.openid).diner == diner
    assert user.get("/meals").status_code == 200


def test_a_wrong_sms_code_does_not_bind(sign_in, make_diner, sms_outbox):
    diner = make_diner("李明")
    user = sign_in(None)
    request_code(user, "李明", diner.phone)
    response = user.post("/bind/sms", {"name": "李明", "phone": diner.phone, "sms_code": "000000"})
    if response.status_code == 200:  # one in a million: the drawn code was 000000
        return
    assert response.status_code == 400
    assert "验证码" in response.json()["message"]
    assert not WeChatBinding.objects.exists()


def test_someone_not_on_the_staff_list_gets_the_same_answer_and_no_sms(
    sign_in, make_diner, sms_outbox
):
    make_diner("李明")
    user = sign_in(None)
    response = request_code(user, "王五", "13912345678")
    assert response.status_code == 200
    assert sms_outbox == []


def test_a_wrong_captcha_sends_nothing(sign_in, make_diner, sms_outbox):
    diner = make_diner("李明")
    user = sign_in(None)
    key, _ = solved_captcha(user)
    response = user.post(
        "/bind/sms-code",
        {"name": "李明", "phone": diner.phone, "captcha_key": key, "captcha_answer": "999"},
    )
    assert response.status_code == 400
    assert "图形验证码" in response.json()["message"]
    assert sms_outbox == []


def test_binding_by_invitation_code_works_once(sign_in, make_diner):
    diner = make_diner("张华")
    invitation = issue_invitation(diner)
    first = sign_in(None)
    assert (
        first.post("/bind/invitation", {"invitation_code": invitation.code.lower()}).status_code
        == 200
    )
    second = sign_in(None)
    response = second.post("/bind/invitation", {"invitation_code": invitation.code})
    assert response.status_code == 400
    assert "邀请码无效、已使用或已过期" in response.json()["message"]


def test_an_expired_invitation_is_refused(sign_in, make_diner):
    invitation = issue_invitation(make_diner())
    invitation.expires_at = timezone.now() - timedelta(minutes=1)
    invitation.save()
    response = sign_in(None).post("/bind/invitation", {"invitation_code": invitation.code})
    assert response.status_code == 400


def test_a_diner_bound_to_one_wechat_cannot_be_taken_by_another(sign_in, make_diner):
    diner = make_diner()
    sign_in(diner)
    other = sign_in(None)
    response = other.post("/bind/invitation", {"invitation_code": issue_invitation(diner).code})
    assert response.status_code == 409
    assert "已绑定其他微信账号" in response.json()["message"]


def test_a_bound_user_signs_in_as_the_diner_next_time(client, mp, sign_in, make_diner):
    diner = make_diner("周敏")
    user = sign_in(diner)
    code = mp.login_code(user.openid)
    body = client.post("/api/mp/v1/login", {"code": code}, content_type="application/json").json()
    assert body["bound"] is True and body["diner"]["name"] == "周敏"

"""The second factor (django-otp) as staff meet it: enrolment on first login, then a code at every
login, for the Wagtail admin and /django-admin/; a half-signed-in session is good for nothing."""

import pytest
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice

from backend_bridge.providers import ConsoleSmsProvider
from security.models import SMSDevice

pytestmark = pytest.mark.django_db
PASSWORD = "Xinfang#Secure2026"


@pytest.fixture
def editor(portals):
    from django.contrib.auth.models import Group

    from sites.models import AccountProfile
    from sites.registry import group_name

    user = get_user_model().objects.create_user(username="otp_editor", password=PASSWORD)
    user.groups.add(Group.objects.get(name=group_name(portals["nanning"].name, "editor")))
    AccountProfile.objects.create(user=user, phone="13800138000")
    return user


def _throttle_over(device):
    type(device).objects.filter(pk=device.pk).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )


def test_first_login_enrols_a_totp_app_with_a_qr_code_before_the_admin_opens(
    client, editor, post_login, totp_now
):
    response = post_login(client, "otp_editor", PASSWORD)
    assert response.status_code == 302
    admin = client.get("/admin/")
    assert admin.status_code == 302 and admin["Location"].startswith("/admin/otp/")
    step = client.get(admin["Location"])
    assert step.status_code == 302 and step["Location"].startswith("/admin/otp/setup/")
    setup = client.get(step["Location"])
    html = setup.content.decode()
    assert (
        setup.status_code == 200
        and "data:image/svg+xml;base64," in html
        and "扫描下方二维码" in html
    )
    device = TOTPDevice.objects.get(user=editor, confirmed=False)

    wrong = client.post(
        "/admin/otp/setup/", {"method": "totp", "token": "000000", "next": "/admin/"}
    )
    assert wrong.status_code == 200 and "动态验证码不正确" in wrong.content.decode()
    letters = client.post(
        "/admin/otp/setup/", {"method": "totp", "token": "abc", "next": "/admin/"}
    )
    assert "应为 6 位数字" in letters.content.decode()
    throttled = client.post(
        "/admin/otp/setup/", {"method": "totp", "token": totp_now(device), "next": "/admin/"}
    )
    assert "错误次数过多" in throttled.content.decode()
    _throttle_over(device)

    done = client.post(
        "/admin/otp/setup/", {"method": "totp", "token": totp_now(device), "next": "/admin/"}
    )
    assert done.status_code == 302 and done["Location"] == "/admin/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/admin/").status_code == 200


def test_every_later_login_asks_for_the_code(client, editor, post_login, totp_now):
    device = TOTPDevice.objects.create(user=editor, name="app", confirmed=True)
    post_login(client, "otp_editor", PASSWORD)
    step = client.get("/admin/pages/", follow=True)
    assert "登录验证（第二步）" in step.content.decode()
    wrong = client.post(
        "/admin/otp/", {"action": "verify", "token": "123456", "next": "/admin/pages/"}
    )
    assert wrong.status_code == 200 and "动态验证码不正确或已过期" in wrong.content.decode()
    assert client.get("/admin/pages/").status_code == 302
    _throttle_over(device)  # one wrong try made the next one wait a second
    ok = client.post(
        "/admin/otp/", {"action": "verify", "token": totp_now(device), "next": "/admin/pages/"}
    )
    assert ok.status_code == 302 and ok["Location"] == "/admin/pages/"
    assert client.get("/admin/").status_code == 200


def test_repeated_wrong_codes_are_throttled(client, editor, post_login, totp_now):
    device = TOTPDevice.objects.create(user=editor, name="app", confirmed=True)
    post_login(client, "otp_editor", PASSWORD)
    client.post("/admin/otp/", {"action": "verify", "token": "111111"})
    # Right after a wrong code even the right one is refused until the throttle delay is over.
    again = client.post("/admin/otp/", {"action": "verify", "token": totp_now(device)})
    assert again.status_code == 200 and "错误次数过多" in again.content.decode()
    assert client.get("/admin/").status_code == 302


def test_sms_is_the_alternative_for_enrolment_and_login(client, editor, post_login, totp_now):
    ConsoleSmsProvider.sent.clear()
    post_login(client, "otp_editor", PASSWORD)
    page = client.get("/admin/otp/setup/?method=sms&next=/admin/")
    assert page.status_code == 200 and 'value="13800138000"' in page.content.decode()
    bad = client.post("/admin/otp/setup/", {"method": "sms", "action": "send", "phone": "12345"})
    assert "手机号格式不正确" in bad.content.decode()
    sent = client.post(
        "/admin/otp/setup/", {"method": "sms", "action": "send", "phone": "13800138000"}
    )
    assert "验证码已发送至 138****8000" in sent.content.decode()
    code = ConsoleSmsProvider.sent[-1]["params"]["code"]
    done = client.post(
        "/admin/otp/setup/", {"method": "sms", "action": "verify", "token": code, "next": "/admin/"}
    )
    assert done.status_code == 302
    assert SMSDevice.objects.get(user=editor).confirmed
    assert client.get("/admin/").status_code == 200

    client.post("/admin/logout/")
    post_login(client, "otp_editor", PASSWORD)
    step = client.get("/admin/otp/")
    assert "短信验证码（138****8000）" in step.content.decode()
    client.post("/admin/otp/", {"action": "send"})
    code = ConsoleSmsProvider.sent[-1]["params"]["code"]
    assert ConsoleSmsProvider.sent[-1]["phone"] == "13800138000"
    ok = client.post("/admin/otp/", {"action": "verify", "token": code, "next": "/admin/"})
    assert ok.status_code == 302 and client.get("/admin/").status_code == 200


def test_a_second_device_cannot_be_added_before_the_code_is_given(
    client, editor, post_login, totp_now
):
    TOTPDevice.objects.create(user=editor, name="app", confirmed=True)
    post_login(client, "otp_editor", PASSWORD)
    response = client.get("/admin/otp/setup/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/otp/?")
    assert not TOTPDevice.objects.filter(user=editor, confirmed=False).exists()


def test_a_half_signed_in_session_cannot_call_staff_apis(client, editor, post_login, totp_now):
    TOTPDevice.objects.create(user=editor, name="app", confirmed=True)
    post_login(client, "otp_editor", PASSWORD)
    response = client.post(
        "/api/v1/sensitive-words/check",
        {"text": "测试"},
        content_type="application/json",
    )
    assert response.status_code in (401, 403)
    assert response.json()["code"] == "not_authenticated"


def test_the_django_admin_needs_the_second_factor_too(client, post_login, totp_now):
    root = get_user_model().objects.create_superuser("otp_root", password=PASSWORD)
    device = TOTPDevice.objects.create(user=root, name="app", confirmed=True)
    response = post_login(
        client, "otp_root", PASSWORD, path="/django-admin/login/?next=/django-admin/"
    )
    assert response.status_code == 302
    admin = client.get("/django-admin/")
    assert admin.status_code == 302 and admin["Location"].startswith(
        "/admin/otp/?next=/django-admin/"
    )
    assert client.get("/django-admin/auth/user/").status_code == 302
    ok = client.post(
        "/admin/otp/", {"action": "verify", "token": totp_now(device), "next": "/django-admin/"}
    )
    assert ok["Location"] == "/django-admin/"
    assert client.get("/django-admin/").status_code == 200


def test_the_next_address_after_the_code_stays_on_this_site(client, editor, post_login, totp_now):
    device = TOTPDevice.objects.create(user=editor, name="app", confirmed=True)
    post_login(client, "otp_editor", PASSWORD)
    ok = client.post(
        "/admin/otp/",
        {"action": "verify", "token": totp_now(device), "next": "https://evil.example/"},
    )
    assert ok.status_code == 302 and ok["Location"] == "/admin/"

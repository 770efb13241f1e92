"""Helpers of the APP API tests: a device's HTTP calls, the picture captcha and SMS code the way
the APP gets them (the answer read back from the server's own store, the code from the console
SMS provider), a citizen's sign-in, and a staff member with a TOTP device."""

from __future__ import annotations

import json

from django.core.cache import cache

API = "/api/app/v1"


class Device:
    """One phone running the APP: its device id on every request, its bearer token once signed in."""

    def __init__(self, client, device_id: str = "device-0001", token: str = ""):
        self.client = client
        self.device_id = device_id
        self.token = token

    def headers(self, extra=None) -> dict:
        headers = {"X-Device-Id": self.device_id}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        headers.update(extra or {})
        return headers

    def get(self, path, **query):
        return self.client.get(API + path, query, headers=self.headers())

    def post(self, path, body=None, headers=None):
        return self.client.post(
            API + path,
            json.dumps(body if body is not None else {}),
            content_type="application/json",
            headers=self.headers(headers),
        )

    def put(self, path, body):
        return self.client.put(
            API + path, json.dumps(body), content_type="application/json", headers=self.headers()
        )

    def form(self, path, data):
        return self.client.post(API + path, data, headers=self.headers())


def solve_captcha(device: Device) -> tuple[str, str]:
    response = device.post("/sms/captchas")
    assert response.status_code == 201, response.content
    key = response.json()["captcha_key"]
    return key, cache.get(f"bb:captcha:{key}")["answer"]


def sms_code(device: Device, phone: str, purpose: str = "submit") -> str:
    """Ask for a code as the APP does (captcha first) and read it from the console provider."""
    from backend_bridge.providers.sms import ConsoleSmsProvider

    key, answer = solve_captcha(device)
    response = device.post(
        "/sms/codes",
        {"phone": phone, "purpose": purpose, "captcha_key": key, "captcha_answer": answer},
    )
    assert response.status_code == 202, response.content
    return [m for m in ConsoleSmsProvider.sent if m["phone"] == phone][-1]["params"]["code"]


def sign_in(client, phone: str, device_id: str = "device-0001") -> Device:
    device = Device(client, device_id)
    code = sms_code(device, phone, "login")
    response = device.post("/account/login", {"phone": phone, "sms_code": code})
    assert response.status_code == 200, response.content
    device.token = response.json()["access_token"]
    device.refresh_token = response.json()["refresh_token"]
    return device


def petition_body(id_number: str, phone: str, code: str, **overrides) -> dict:
    data = {
        "portal": "nanning",
        "petition_type": "complaint",
        "title": "小区门口道路长期积水",
        "content": "青秀区某小区门口道路一下雨就积水，已经持续半年，居民出行困难，请求尽快处理。",
        "region_code": "450100",
        "county": "青秀区",
        "name": "张三丰",
        "id_number": id_number,
        "phone": phone,
        "sms_code": code,
    }
    data.update(overrides)
    return data


def submit_petition(device: Device, id_number: str, phone: str, **overrides):
    code = sms_code(device, phone)
    return device.form("/petitions", petition_body(id_number, phone, code, **overrides))


def totp_device(user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.create(user=user, name="手机动态口令", confirmed=True)


def totp_now(device) -> str:
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def staff_sign_in(client, user, device_id: str = "staff-phone-01") -> Device:
    device = Device(client, device_id)
    otp = totp_device(user)
    response = device.post(
        "/staff/sessions",
        {
            "username": user.username,
            "password": f"Pw-{user.username}-2026",
            "otp_token": totp_now(otp),
        },
    )
    assert response.status_code == 200, response.content
    device.token = response.json()["access_token"]
    return device


# --- fixtures (imported by name into each APP test module) --------------------------------------

import pytest  # noqa: E402


@pytest.fixture
def app_settings(settings):
    """SMS and write limits out of the way (tests of the limits set their own), no case system."""
    from backend_bridge.providers.sms import ConsoleSmsProvider

    settings.SMS_PROVIDER = "backend_bridge.providers.ConsoleSmsProvider"
    settings.ID_VERIFY_PROVIDER = "backend_bridge.providers.ConsoleIdVerifier"
    for name in ("INTERVAL", "HOUR", "DAY"):
        setattr(settings, f"SMS_LIMIT_PHONE_{name}", 0)
    settings.SMS_LIMIT_IP_HOUR = settings.SMS_LIMIT_IP_DAY = 0
    settings.APP_WRITE_RATE_DEVICE = settings.APP_WRITE_RATE_IP = ""
    settings.APP_PUSH_PROVIDERS = ["channels.app.push.ConsolePushProvider"]
    settings.CASE_SYSTEM_URL = ""
    ConsoleSmsProvider.sent.clear()
    return settings


@pytest.fixture
def app_id_number():
    from backend_bridge.idcard import build_id_number

    return build_id_number("450103", seq=17)


@pytest.fixture
def case_system(settings):
    """The case-system simulator, with CASE_SYSTEM_URL pointing at it."""
    from tests.simulators.case_system import CaseSystemSimulator

    with CaseSystemSimulator(
        secret=settings.CASE_SYSTEM_SECRET,
        api_key="portal",
        webhook_secret=settings.CASE_WEBHOOK_SECRET,
    ) as sim:
        settings.CASE_SYSTEM_URL, settings.CASE_SYSTEM_KEY = sim.url, "portal"
        settings.CASE_SYSTEM_TIMEOUT = 1.0
        yield sim

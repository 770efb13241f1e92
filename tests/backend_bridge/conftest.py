"""Fixtures of the bridge's tests: a valid petition, an SMS check that accepts one code, the
case-system simulator wired into settings, and a small image and PDF."""

from __future__ import annotations

import io

import pytest
from PIL import Image

GOOD_CODE = "246810"


@pytest.fixture
def sms_ok(monkeypatch):
    """SMS codes: ``GOOD_CODE`` is right for any phone and purpose; anything else is wrong."""
    from backend_bridge import verification

    calls = []

    def check_code(phone, purpose, code, *, consume=True):
        if consume:  # the codes spent (a check before the real-name check spends nothing)
            calls.append((phone, purpose, code))
        if code != GOOD_CODE:
            raise verification.VerificationError("code_invalid", "验证码不正确，请重新输入。")

    monkeypatch.setattr(verification, "check_code", check_code)
    return calls


@pytest.fixture
def id_number():
    from backend_bridge.idcard import build_id_number

    return build_id_number("450103", seq=17)


@pytest.fixture
def petition(id_number):
    """A factory of valid PetitionInput objects; keyword arguments override fields."""
    from backend_bridge.services.submission import PetitionInput

    def make(**overrides):
        data = {
            "petition_type": "complaint",
            "title": "小区门口道路长期积水",
            "content": "青秀区某小区门口道路一下雨就积水，已经持续半年，居民出行困难，请求尽快处理。",
            "region_code": "450100",
            "county": "青秀区",
            "address": "民族大道某号",
            "respondent": "某街道办事处",
            "name": "张三丰",
            "id_number": id_number,
            "phone": "13800138000",
            "sms_code": GOOD_CODE,
        }
        data.update(overrides)
        return PetitionInput(**data)

    return make


@pytest.fixture
def submit(portals, petition, sms_ok):
    """Submit a petition on the 南宁 portal: submit(**overrides) -> Accepted."""
    from backend_bridge.services.submission import submit_petition

    def run(portal_code="nanning", channel="online", **overrides):
        return submit_petition(portals[portal_code], petition(**overrides), channel=channel)

    return run


@pytest.fixture
def simulator(settings):
    """The case-system simulator, running, with CASE_SYSTEM_URL pointing at it."""
    from tests.simulators.case_system import CaseSystemSimulator

    sim = CaseSystemSimulator(
        secret=settings.CASE_SYSTEM_SECRET,
        api_key="portal",
        webhook_secret=settings.CASE_WEBHOOK_SECRET,
    )
    sim.start()
    settings.CASE_SYSTEM_URL = sim.url
    settings.CASE_SYSTEM_KEY = "portal"
    settings.CASE_SYSTEM_TIMEOUT = 0.5
    yield sim
    sim.stop()


def png_bytes(size=(40, 30), color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def samples():
    """Attachment samples: samples.png(), samples.PDF."""

    class Samples:
        png = staticmethod(png_bytes)
        PDF = PDF_BYTES

    return Samples

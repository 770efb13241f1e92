"""Fixtures for the channel tests: the WeChat simulator and an account configured against it."""

from __future__ import annotations

import json
import struct
import zlib

import pytest

from tests.simulators.push import PushSimulator
from tests.simulators.wechat import WeChatSimulator


@pytest.fixture
def wechat_simulator():
    """A loopback WeChat API; answers held by ``timeout`` last longer than the test timeout."""
    with WeChatSimulator(delay=3.0) as simulator:
        yield simulator


@pytest.fixture
def wechat_account(wechat_simulator, settings):
    """The account ``gxxf`` (服务号), configured as an operator would, pointing at the simulator."""
    from channels.wechat.accounts import get_account

    settings.WECHAT_API_BASE = wechat_simulator.url
    settings.WECHAT_ACCOUNTS = json.dumps(
        [wechat_simulator.account_entry(code="gxxf", name="广西信访", kind="service")],
        ensure_ascii=False,
    )
    settings.WECHAT_TIMEOUT = 1.0
    settings.WECHAT_BUSY_RETRIES = 3
    settings.WECHAT_BUSY_BACKOFF_SECONDS = 0.01
    return get_account("gxxf")


@pytest.fixture
def wechat_client(wechat_account):
    from channels.wechat.client import client_for

    return client_for(wechat_account)


def png_bytes(width: int = 2, height: int = 2, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A small valid PNG, built byte by byte so the tests need no image library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def png():
    return png_bytes


# --- WeChat H5 pages (tests/channels/test_wechat_h5.py, test_wechat_notices.py) ----------------


@pytest.fixture
def h5_host(portals):
    """The WeChat H5 pages are served on the regional portal's host (网页授权域名)."""
    return portals["gx"].site.hostname


@pytest.fixture
def h5_accounts(wechat_simulator, wechat_account, settings):
    """The service account ``gxxf`` and a subscription account ``gxdy``; WeChat's authorize page
    is the simulator's."""
    settings.WECHAT_OPEN_BASE = wechat_simulator.url
    settings.WECHAT_ACCOUNTS = json.dumps(
        [
            wechat_simulator.account_entry(code="gxxf", name="广西信访", kind="service"),
            {
                **wechat_simulator.account_entry(code="gxdy", name="广西信访订阅号"),
                "kind": "subscription",
                "app_id": "wx00112233445566ff",
            },
        ],
        ensure_ascii=False,
    )
    return wechat_simulator


@pytest.fixture
def h5_sms_ok(monkeypatch):
    """SMS codes: ``246810`` is right (the real path is exercised in the first test)."""
    from backend_bridge import verification

    def check_code(phone, purpose, code, *, consume=True):
        if code != "246810":
            raise verification.VerificationError("code_invalid", "验证码不正确，请重新输入。")

    monkeypatch.setattr(verification, "check_code", check_code)


@pytest.fixture
def h5_id_number():
    from backend_bridge.idcard import build_id_number

    return build_id_number("450103", seq=17)


# Fixtures of the APP API tests (tests/channels/test_app_*.py).
from tests.channels.app_helpers import app_id_number, app_settings, case_system  # noqa: E402,F401


@pytest.fixture
def push_service(settings):
    """The APP's HUAWEI-style push provider pointed at the loopback push service."""
    with PushSimulator(app_id="104000001", client_secret="push-secret") as simulator:
        settings.APP_PUSH_PROVIDERS = [
            "channels.app.push.ConsolePushProvider",
            "channels.app.push.HuaweiPushProvider",
        ]
        settings.PUSH_HUAWEI_APP_ID = "104000001"
        settings.PUSH_HUAWEI_CLIENT_SECRET = "push-secret"
        settings.PUSH_HUAWEI_OAUTH_URL = simulator.url + "/oauth2/v3/token"
        settings.PUSH_HUAWEI_API_BASE = simulator.url
        settings.APP_PUSH_TIMEOUT = 2.0
        yield simulator

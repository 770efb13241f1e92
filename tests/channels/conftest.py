"""Fixtures for the channel tests: the WeChat simulator and an account configured against it."""

from __future__ import annotations

import json
import struct
import zlib

import pytest

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

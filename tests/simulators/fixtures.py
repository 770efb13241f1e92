"""Pytest fixtures for the SMS and ID-verification simulators, for any test module to reuse.

Use them by importing into a test module or a conftest::

    from tests.simulators.fixtures import aliyun_sms_simulator, sms_outbox  # noqa: F401

or by listing ``"tests.simulators.fixtures"`` in a root conftest's ``pytest_plugins``.
Each simulator is started per test on a free loopback port and stopped afterwards.
"""

from __future__ import annotations

import pytest

from tests.simulators.idverify import IdVerifySimulator
from tests.simulators.sms import AliyunSmsSimulator, TencentSmsSimulator


@pytest.fixture
def aliyun_sms_simulator():
    with AliyunSmsSimulator() as simulator:
        yield simulator


@pytest.fixture
def tencent_sms_simulator():
    with TencentSmsSimulator() as simulator:
        yield simulator


@pytest.fixture
def idverify_simulator():
    with IdVerifySimulator() as simulator:
        yield simulator


@pytest.fixture
def sms_outbox():
    """The console SMS provider's list of sent messages, empty at the start of the test."""
    from backend_bridge.providers import ConsoleSmsProvider

    ConsoleSmsProvider.sent.clear()
    yield ConsoleSmsProvider.sent
    ConsoleSmsProvider.sent.clear()


@pytest.fixture
def mini_program_simulator(settings):
    """A loopback WeChat mini-program (tests.simulators.wechat.MiniProgramSimulator) that
    ``WECHAT_API_BASE`` and ``WECHAT_MINI_PROGRAM`` point at."""
    from tests.simulators.wechat import MiniProgramSimulator

    with MiniProgramSimulator() as simulator:
        settings.WECHAT_API_BASE = simulator.url
        settings.WECHAT_MINI_PROGRAM = {
            "app_id": simulator.app_id,
            "secret": simulator.secret,
            "entity": "广西壮族自治区信访局",
            "filing_number": "桂ICP备00000001号-2X",
            "templates": {"reminder": "TPL-mp-reminder", "meal_cancelled": "TPL-mp-cancelled"},
        }
        yield simulator

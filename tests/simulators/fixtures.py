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

"""Fixtures of the operations tests: no inspection ever reaches the real Internet."""

import socket

import pytest


@pytest.fixture(autouse=True)
def _offline_inspection(settings):
    # A closed loopback port: "network unreachable", answered at once. Tests that check
    # external links point the probe at their own loopback server.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.INSPECTION_NETWORK_PROBE_URL = f"http://127.0.0.1:{port}/"
    # The footer's filing sites are real hosts: never looked up from a test.
    settings.INSPECTION_INTERNAL_HOSTS = ["bszs.conac.cn", "beian.miit.gov.cn", "beian.mps.gov.cn"]

"""Helpers of the sign-in tests: a fake clock for delays and timeouts, and signing in through the
admin's own login form as a person would."""

import time

import pytest


@pytest.fixture
def clock(monkeypatch):
    """Time as the lockout delays and session timeouts see it; ``clock.advance(seconds)``."""

    class Clock:
        def __init__(self):
            self.now = time.time()

        def __call__(self):
            return self.now

        def advance(self, seconds):
            self.now += seconds

    fake = Clock()
    monkeypatch.setattr("security.lockout.time.time", fake)
    monkeypatch.setattr("security.sessions.time.time", fake)
    return fake


@pytest.fixture
def post_login():
    """Post a login form (the Wagtail admin's by default) as a person would."""

    def post(client, username, password, path="/admin/login/", **extra):
        return client.post(path, {"username": username, "password": password}, **extra)

    return post


@pytest.fixture
def totp_now():
    """The code a TOTP app shows now for a device."""
    from django_otp.oath import totp

    def code(device) -> str:
        return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"

    return code

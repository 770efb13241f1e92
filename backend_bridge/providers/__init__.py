"""Pluggable external services, chosen by settings the way Django chooses ``EMAIL_BACKEND``.

``get_sms_provider()`` builds the class named by ``settings.SMS_PROVIDER`` and
``get_id_verifier()`` the one named by ``settings.ID_VERIFY_PROVIDER``; both default to the
console providers, and keyword arguments override the options read from settings (tests point a
real provider at a loopback simulator that way). A new instance is built per call: they are
cheap and hold no state that other processes would need to see.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from .base import ProviderError
from .idverify import BaseIdVerifier, ConsoleIdVerifier, HttpIdVerifier
from .sms import (
    AliyunSmsProvider,
    BaseSmsProvider,
    ConsoleSmsProvider,
    SendResult,
    TencentSmsProvider,
)

DEFAULT_SMS_PROVIDER = "backend_bridge.providers.ConsoleSmsProvider"
DEFAULT_ID_VERIFIER = "backend_bridge.providers.ConsoleIdVerifier"

__all__ = [
    "AliyunSmsProvider",
    "BaseIdVerifier",
    "BaseSmsProvider",
    "ConsoleIdVerifier",
    "ConsoleSmsProvider",
    "HttpIdVerifier",
    "ProviderError",
    "SendResult",
    "TencentSmsProvider",
    "get_id_verifier",
    "get_sms_provider",
]


def get_sms_provider(path: str | None = None, **options) -> BaseSmsProvider:
    """The configured SMS provider (``settings.SMS_PROVIDER``), or the class at ``path``."""
    cls = import_string(path or getattr(settings, "SMS_PROVIDER", "") or DEFAULT_SMS_PROVIDER)
    return cls(**options)


def get_id_verifier(path: str | None = None, **options) -> BaseIdVerifier:
    """The configured real-name verifier (``settings.ID_VERIFY_PROVIDER``), or the class at ``path``."""
    cls = import_string(path or getattr(settings, "ID_VERIFY_PROVIDER", "") or DEFAULT_ID_VERIFIER)
    return cls(**options)

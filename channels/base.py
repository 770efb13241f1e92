"""What a channel is, and the registry of the channels this installation publishes to.

A channel is a small class: a code, a label, ``accepts(page)``, ``deliver(delivery)`` and
``withdraw(delivery)``. The portals are the origin, not a channel. The channels come from
settings (``CHANNELS``: a list of ``{"class": dotted path, **options}``) plus one per WeChat
account of ``WECHAT_ACCOUNTS`` once the WeChat channel is configured, so adding an account
needs no code.

A channel raises :class:`TemporaryFailure` (retried with backoff) or :class:`PermanentFailure`
(the delivery fails and says why in Chinese); whatever it creates remotely it records first with
``delivery.record(...)``, so that a worker that dies mid-way resumes instead of creating it twice.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.utils.module_loading import import_string


class DeliveryError(Exception):
    """A delivery did not succeed; ``message`` is shown to editors (zh-hans)."""

    temporary = True

    def __init__(self, message: str, *, retry_after: float | None = None):
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


class TemporaryFailure(DeliveryError):
    temporary = True


class PermanentFailure(DeliveryError):
    temporary = False


class Channel:
    """One destination of publication (an APP, a WeChat official account)."""

    code: str = ""
    label: str = ""
    kind: str = ""
    #: Page types (app_label.model) this channel can carry.
    page_types: tuple[str, ...] = ("cms.articlepage", "cms.topicpage")
    #: Whether a portal update is sent again by itself (WeChat articles cannot be edited).
    republishes_updates: bool = True

    def __init__(self, code: str = "", label: str = "", **options):
        self.code = code or self.code
        self.label = label or self.label
        self.options = options

    def accepts(self, page) -> bool:
        meta = page.specific_class._meta if hasattr(page, "specific_class") else page._meta
        return f"{meta.app_label}.{meta.model_name}" in self.page_types

    def deliver(self, delivery) -> None:  # pragma: no cover - every channel implements it
        raise NotImplementedError

    def withdraw(self, delivery) -> None:  # pragma: no cover - every channel implements it
        raise NotImplementedError

    def __repr__(self):
        return f"<{type(self).__name__} {self.code}>"


@lru_cache(maxsize=1)
def _registry() -> dict[str, Channel]:
    from .wechat.accounts import get_accounts
    from .wechat.channel import WeChatChannel

    channels: dict[str, Channel] = {}
    for account in get_accounts():
        channel = WeChatChannel(account)
        channels[channel.code] = channel
    for spec in getattr(settings, "CHANNELS", []):
        spec = dict(spec)
        channel = import_string(spec.pop("class"))(**spec)
        channels[channel.code] = channel
    return channels


def get_channels() -> dict[str, Channel]:
    """Every configured channel by code, in configuration order."""
    return _registry()


def get_channel(code: str) -> Channel | None:
    return _registry().get(code)


def forget_channels() -> None:
    """Rebuild the registry from settings on next use (tests that change ``CHANNELS``)."""
    _registry.cache_clear()

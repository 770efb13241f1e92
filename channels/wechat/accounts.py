"""The WeChat official accounts this installation publishes to, from ``settings.WECHAT_ACCOUNTS``.

The environment variable ``WECHAT_ACCOUNTS`` holds a JSON list, one object per account::

    [{"code": "gxxf", "name": "广西信访", "kind": "service", "app_id": "wx0123456789abcdef",
      "secret": "…32 characters…", "token": "…", "aes_key": "…43 characters…"}]

``kind`` is ``service`` (服务号) or ``subscription`` (订阅号); ``token`` and ``aes_key`` are the
message-server settings of the account (may be empty until the callback is configured);
``portal`` (optional, default ``gx``, the regional portal) is the code of the portal that the
citizens' submissions through the account's H5 pages belong to. The list
is parsed and checked once per value; a mistake is an ``ImproperlyConfigured`` that names the
entry and the field, in English for operators, and never repeats a secret.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KINDS = {"service": "服务号", "subscription": "订阅号"}
REQUIRED = ("code", "name", "kind", "app_id", "secret")
OPTIONAL = ("token", "aes_key", "portal")
DEFAULT_PORTAL = "gx"

CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
APP_ID_RE = re.compile(r"^wx[0-9a-fA-F]{16}$")
SECRET_RE = re.compile(r"^[0-9A-Za-z]{32}$")
TOKEN_RE = re.compile(r"^[0-9A-Za-z]{3,32}$")
AES_KEY_RE = re.compile(r"^[0-9A-Za-z]{43}$")


class AccountNotConfigured(LookupError):
    """No account with this code in ``WECHAT_ACCOUNTS`` (``str()`` is for editors)."""

    def __init__(self, code: str):
        super().__init__(f"未配置代码为“{code}”的微信公众号，请管理员检查 WECHAT_ACCOUNTS")
        self.code = code


@dataclass(frozen=True)
class WeChatAccount:
    """One official account. Secrets stay out of ``repr()`` and ``str()``."""

    code: str
    name: str
    kind: str
    app_id: str
    secret: str = field(repr=False)
    token: str = field(default="", repr=False)
    aes_key: str = field(default="", repr=False)
    portal: str = DEFAULT_PORTAL

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]

    @property
    def is_service(self) -> bool:
        return self.kind == "service"

    def __str__(self) -> str:
        return f"{self.name}（{self.kind_label}）"


def _fail(index: int, entry, problem: str):
    code = entry.get("code") if isinstance(entry, dict) else None
    label = f"WECHAT_ACCOUNTS[{index}]" + (f" (code {code!r})" if isinstance(code, str) else "")
    raise ImproperlyConfigured(f"{label}: {problem}")


def _check_entry(index: int, entry) -> WeChatAccount:
    if not isinstance(entry, dict):
        _fail(index, entry, f"each account must be a JSON object, got {type(entry).__name__}")
    unknown = sorted(set(entry) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        _fail(
            index,
            entry,
            f"unknown field(s) {', '.join(unknown)}; allowed: {', '.join(REQUIRED + OPTIONAL)}",
        )
    for name in REQUIRED:
        if name not in entry:
            _fail(index, entry, f"{name!r} is required")
    for name in REQUIRED + OPTIONAL:
        if name in entry and not isinstance(entry[name], str):
            _fail(index, entry, f"{name!r} must be a string")
    values = {name: entry.get(name, "").strip() for name in REQUIRED + OPTIONAL}
    if not CODE_RE.match(values["code"]):
        _fail(index, entry, "'code' must be 1-32 of a-z, 0-9, '-' or '_', starting alphanumeric")
    if not values["name"]:
        _fail(index, entry, "'name' must not be empty")
    if values["kind"] not in KINDS:
        _fail(index, entry, f"'kind' must be 'service' or 'subscription', got {values['kind']!r}")
    if not APP_ID_RE.match(values["app_id"]):
        _fail(index, entry, f"'app_id' must look like wx + 16 hex digits, got {values['app_id']!r}")
    # Secret problems are described, never echoed.
    if not SECRET_RE.match(values["secret"]):
        _fail(index, entry, "'secret' must be the 32-character AppSecret")
    if values["token"] and not TOKEN_RE.match(values["token"]):
        _fail(index, entry, "'token' must be 3-32 letters or digits (or empty)")
    if values["aes_key"] and not AES_KEY_RE.match(values["aes_key"]):
        _fail(index, entry, "'aes_key' must be the 43-character EncodingAESKey (or empty)")
    values["portal"] = values["portal"] or DEFAULT_PORTAL
    if not CODE_RE.match(values["portal"]):
        _fail(
            index, entry, f"'portal' must be a portal code such as 'gx', got {values['portal']!r}"
        )
    return WeChatAccount(**values)


@lru_cache(maxsize=8)
def _parse(raw: str) -> dict[str, WeChatAccount]:
    try:
        data = json.loads(raw) if raw.strip() else []
    except ValueError as error:
        # The message of a JSON error quotes no content, only the position.
        raise ImproperlyConfigured(f"WECHAT_ACCOUNTS is not valid JSON: {error}") from None
    if not isinstance(data, list):
        raise ImproperlyConfigured("WECHAT_ACCOUNTS must be a JSON list of account objects")
    accounts: dict[str, WeChatAccount] = {}
    app_ids: dict[str, str] = {}
    for index, entry in enumerate(data):
        account = _check_entry(index, entry)
        if account.code in accounts:
            _fail(index, entry, f"code {account.code!r} is used by an earlier account")
        if account.app_id in app_ids:
            _fail(index, entry, f"app_id is already used by account {app_ids[account.app_id]!r}")
        accounts[account.code] = account
        app_ids[account.app_id] = account.code
    return accounts


def _configured() -> dict[str, WeChatAccount]:
    raw = getattr(settings, "WECHAT_ACCOUNTS", "")
    if not isinstance(raw, str):  # a list set directly in settings (tests, local overrides)
        raw = json.dumps(raw, ensure_ascii=False)
    return _parse(raw or "")


def get_accounts() -> list[WeChatAccount]:
    """Every configured account, in configuration order."""
    return list(_configured().values())


def get_account(code: str) -> WeChatAccount:
    """The account with this code; ``AccountNotConfigured`` when there is none."""
    try:
        return _configured()[code]
    except KeyError:
        raise AccountNotConfigured(code) from None


def check_accounts() -> None:
    """Parse the setting now (raises ImproperlyConfigured), e.g. from a system check."""
    _configured()

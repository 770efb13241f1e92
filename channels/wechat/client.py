"""The WeChat official-account API client: wechatpy's ``WeChatClient``, made fit for production.

What the subclass changes, and why:

- **One base URL.** Every call goes to ``settings.WECHAT_API_BASE`` (default
  ``https://api.weixin.qq.com``): the client's own ``cgi-bin/`` base, the groups that carry
  their own ``API_BASE_URL`` and the few URLs wechatpy writes out in full are all moved there,
  so a proxy or the test simulator can stand in for WeChat.
- **Stable tokens, shared.** Access tokens come from ``cgi-bin/stable_token`` and live in the
  Django cache (``DjangoCacheStorage``), so all processes and hosts use one token per account.
  When WeChat rejects the token we sent (40001, 40014, 42001) the client refreshes once and
  repeats the call once: first in normal mode, which returns the platform's current token, and
  in ``force_refresh`` mode only if normal mode hands back the very token that was rejected.
- **Busy is retried, nothing else is.** ``-1`` (system busy) is retried a bounded number of
  times with exponential backoff. A timeout, a 5xx or a lost answer is never repeated here: the
  call may have been carried out (a draft created, an article published), and only the caller
  who recorded its intent can decide. An exhausted quota (45009) is raised at once.
- **Timeouts and readable errors.** Every request has a timeout (``WECHAT_TIMEOUT``); failures
  are the exceptions of ``channels.wechat.errors`` with Chinese messages and a ``temporary``
  flag, and they never carry a URL (it contains the access token).

The draft box and free publishing groups (``client.draft``, ``client.freepublish``) are attached
like wechatpy's own. ``client_for(account)`` builds a client for a configured account.
"""

from __future__ import annotations

import json
import logging
import time
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from wechatpy import WeChatClient

from .accounts import WeChatAccount, get_account
from .api import WeChatDraft, WeChatFreePublish, WeChatMediaRebased
from .errors import (
    BUSY,
    TOKEN_ERRCODES,
    WeChatBusyError,
    WeChatError,
    WeChatTimeoutError,
    WeChatTransportError,
    error_for,
)
from .session import DjangoCacheStorage

logger = logging.getLogger(__name__)

OFFICIAL_API_BASE = "https://api.weixin.qq.com"
_OFFICIAL_ORIGINS = ("https://api.weixin.qq.com", "http://api.weixin.qq.com")
# Never sleep longer than this between two busy answers.
BUSY_BACKOFF_CAP_SECONDS = 8.0
# A token is dropped from the cache this long before WeChat says it expires, so no call goes
# out with a token about to lapse on the way.
TOKEN_EXPIRY_MARGIN_SECONDS = 300


def _setting(name: str, default):
    return getattr(settings, name, default)


class WeChatApiClient(WeChatClient):
    """wechatpy's client for one official account, with the changes described in the module."""

    draft = WeChatDraft()
    freepublish = WeChatFreePublish()
    media = WeChatMediaRebased()
    #: The configured account, when built by :func:`client_for`.
    account: WeChatAccount | None = None

    def __init__(
        self,
        appid: str,
        secret: str,
        access_token: str | None = None,
        session=None,
        timeout: float | None = None,
        auto_retry: bool = True,
        *,
        api_base: str | None = None,
        busy_retries: int | None = None,
        busy_backoff: float | None = None,
    ):
        if timeout is None:
            timeout = float(_setting("WECHAT_TIMEOUT", 10.0))
        super().__init__(
            appid,
            secret,
            access_token=access_token,
            session=session or DjangoCacheStorage(),
            timeout=timeout,
            auto_retry=auto_retry,
        )
        base = api_base or _setting("WECHAT_API_BASE", "") or OFFICIAL_API_BASE
        if not base.lower().startswith(("http://", "https://")):
            raise ImproperlyConfigured(f"WECHAT_API_BASE must be an http(s) URL, got {base!r}")
        self.api_base = base.rstrip("/")
        # An instance attribute wins over wechatpy's class attribute for every relative path.
        self.API_BASE_URL = f"{self.api_base}/cgi-bin/"
        self.busy_retries = int(
            _setting("WECHAT_BUSY_RETRIES", 3) if busy_retries is None else busy_retries
        )
        self.busy_backoff = float(
            _setting("WECHAT_BUSY_BACKOFF_SECONDS", 1.0) if busy_backoff is None else busy_backoff
        )

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.appid} via {self.api_base}>"

    # --- URLs ------------------------------------------------------------------------------------
    def rebase(self, url: str) -> str:
        """``url`` with WeChat's API origin replaced by ``WECHAT_API_BASE``."""
        for origin in _OFFICIAL_ORIGINS:
            if url == origin or url.startswith(origin + "/"):
                return self.api_base + url[len(origin) :]
        return url

    def _resolve(self, url_or_endpoint: str, api_base_url: str | None) -> str:
        if url_or_endpoint.startswith(("http://", "https://")):
            return self.rebase(url_or_endpoint)
        return self.rebase((api_base_url or self.API_BASE_URL) + url_or_endpoint)

    # --- access tokens ---------------------------------------------------------------------------
    @property
    def access_token(self) -> str:
        """The account's current token from the shared cache, fetched when there is none."""
        token = self.session.get(self.access_token_key)
        if token:
            return token
        return self._store_token(self._stable_token(force_refresh=False))

    def fetch_access_token(self) -> dict:
        """Ask WeChat for the account's current token (normal mode) and share it."""
        result = self._stable_token(force_refresh=False)
        self._store_token(result)
        return result

    def _stable_token(self, *, force_refresh: bool) -> dict:
        logger.info(
            "WeChat %s: fetching a stable access token (force_refresh=%s)",
            self.appid,
            force_refresh,
        )
        url = f"{self.api_base}/cgi-bin/stable_token"
        body = {
            "grant_type": "client_credential",
            "appid": self.appid,
            "secret": self.secret,
            "force_refresh": force_refresh,
        }
        result = self._send(
            "post",
            url,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json; charset=utf-8"},
            timeout=self.timeout,
        )
        endpoint = urlsplit(url).path
        if not isinstance(result, dict):
            raise WeChatTransportError(errmsg="stable_token answer is not JSON", endpoint=endpoint)
        if result.get("errcode"):
            raise error_for(result["errcode"], result.get("errmsg", ""), endpoint=endpoint)
        if not isinstance(result.get("access_token"), str) or not result["access_token"]:
            raise WeChatError(
                errmsg="stable_token answer without access_token",
                message="微信未返回接口凭证（access_token）",
                endpoint=endpoint,
            )
        return result

    def _store_token(self, result: dict) -> str:
        token = result["access_token"]
        try:
            expires_in = int(result.get("expires_in", 7200))
        except (TypeError, ValueError):
            expires_in = 7200
        if expires_in > 2 * TOKEN_EXPIRY_MARGIN_SECONDS:
            ttl = expires_in - TOKEN_EXPIRY_MARGIN_SECONDS
        else:
            ttl = max(expires_in // 2, 1)
        self.session.set(self.access_token_key, token, ttl)
        self.expires_at = int(time.time()) + expires_in
        return token

    def _refresh_access_token(self, rejected: str | None) -> str:
        """A token to repeat a call with, after WeChat rejected ``rejected``."""
        current = self.session.get(self.access_token_key)
        if current and current != rejected:
            return current  # another process refreshed it meanwhile
        result = self._stable_token(force_refresh=False)
        if result["access_token"] == rejected:
            # The platform still calls it current although it was refused: only a forced
            # refresh (limited per day, and it invalidates the old token everywhere) helps.
            result = self._stable_token(force_refresh=True)
        return self._store_token(result)

    # --- requests --------------------------------------------------------------------------------
    @staticmethod
    def _rewinder(files):
        """A function that puts every uploaded file object back where it started, so a
        repeated request sends the same bytes again."""
        positions = []
        for value in (files or {}).values():
            stream = value[1] if isinstance(value, tuple) and len(value) > 1 else value
            if hasattr(stream, "seek") and hasattr(stream, "tell"):
                positions.append((stream, stream.tell()))

        def rewind():
            for stream, position in positions:
                stream.seek(position)

        return rewind

    def _send(self, method: str, url: str, *, rewind=None, **kwargs):
        """One call, repeated only while WeChat answers busy. Returns the decoded JSON object,
        or the ``requests`` response itself when the body is a file (media downloads)."""
        endpoint = urlsplit(url).path
        attempt = 0
        while True:
            if rewind is not None:
                rewind()
            try:
                response = self._http.request(method=method, url=url, **kwargs)
            except requests.Timeout:
                raise WeChatTimeoutError(
                    errmsg=f"no answer within {kwargs.get('timeout')} s", endpoint=endpoint
                ) from None
            except requests.RequestException as error:
                # The exception's text quotes the URL, and with it the access token.
                raise WeChatTransportError(errmsg=type(error).__name__, endpoint=endpoint) from None
            status = response.status_code
            if status >= 500:
                raise WeChatTransportError(
                    errmsg=f"HTTP {status}",
                    message=f"微信服务器暂时不可用（HTTP {status}），稍后将自动重试",
                    endpoint=endpoint,
                )
            if status >= 400:
                raise WeChatError(
                    errmsg=f"HTTP {status}",
                    message=f"微信接口拒绝了请求（HTTP {status}），请管理员检查接口地址",
                    endpoint=endpoint,
                )
            result = self._decode_result(response)
            if not isinstance(result, dict):
                if response.headers.get("Content-Type", "").startswith(
                    ("text/", "application/json")
                ):
                    raise WeChatTransportError(
                        errmsg="answer is not a JSON object",
                        message="微信服务器返回了无法识别的内容，稍后将自动重试",
                        endpoint=endpoint,
                    )
                return response
            if "base_resp" in result:  # a few groups nest the error like this
                result.update(result.pop("base_resp"))
            if "errcode" in result:
                try:
                    result["errcode"] = int(result["errcode"])
                except (TypeError, ValueError):
                    result["errcode"] = -1000
            if result.get("errcode") == BUSY:
                if attempt >= self.busy_retries:
                    raise WeChatBusyError(
                        BUSY,
                        result.get("errmsg", ""),
                        message=f"微信系统繁忙，已重试 {attempt} 次，稍后将自动重试",
                        endpoint=endpoint,
                    )
                delay = min(self.busy_backoff * 2**attempt, BUSY_BACKOFF_CAP_SECONDS)
                attempt += 1
                logger.warning(
                    "WeChat %s: %s busy, try %d of %d in %.2f s",
                    self.appid,
                    endpoint,
                    attempt,
                    self.busy_retries,
                    delay,
                )
                time.sleep(delay)
                continue
            return result

    def _request(self, method, url_or_endpoint, **kwargs):
        url = self._resolve(url_or_endpoint, kwargs.pop("api_base_url", None))
        endpoint = urlsplit(url).path
        result_processor = kwargs.pop("result_processor", None)
        if kwargs.get("params") is None:
            kwargs["params"] = {}
        params = kwargs["params"]
        if isinstance(params, dict) and "access_token" not in params:
            params["access_token"] = self.access_token
        if isinstance(kwargs.get("data"), dict | list):
            # Chinese stays Chinese: WeChat shows \uXXXX escapes literally in articles.
            kwargs["data"] = json.dumps(kwargs["data"], ensure_ascii=False).encode("utf-8")
            headers = dict(kwargs.get("headers") or {})
            headers.setdefault("Content-Type", "application/json; charset=utf-8")
            kwargs["headers"] = headers
        kwargs["timeout"] = kwargs.get("timeout") or self.timeout
        rewind = self._rewinder(kwargs.get("files"))
        refreshed = False
        while True:
            result = self._send(method, url, rewind=rewind, **kwargs)
            if not isinstance(result, dict):
                return result
            errcode = result.get("errcode", 0)
            if (
                errcode in TOKEN_ERRCODES
                and self.auto_retry
                and not refreshed
                and isinstance(params, dict)
            ):
                refreshed = True
                logger.info(
                    "WeChat %s: access token rejected by %s (%s), refreshing once",
                    self.appid,
                    endpoint,
                    errcode,
                )
                params["access_token"] = self._refresh_access_token(params.get("access_token"))
                continue
            if errcode:
                raise error_for(errcode, result.get("errmsg", ""), endpoint=endpoint, answer=result)
            return result_processor(result) if result_processor else result


def client_for(account: WeChatAccount | str, **options) -> WeChatApiClient:
    """A client for a configured account (an account or its code); ``options`` go to
    :class:`WeChatApiClient` (``timeout``, ``api_base`` …)."""
    if isinstance(account, str):
        account = get_account(account)
    client = WeChatApiClient(account.app_id, account.secret, **options)
    client.account = account
    return client

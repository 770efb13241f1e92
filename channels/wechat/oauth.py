"""Web authorisation (网页授权, ``snsapi_base``) of a service account, for the H5 pages.

The flow, as WeChat documents it: the page sends the citizen's WeChat to
``{WECHAT_OPEN_BASE}/connect/oauth2/authorize?appid=…&redirect_uri=…&response_type=code&scope=
snsapi_base&state=…#wechat_redirect``; WeChat comes back to ``redirect_uri?code=…&state=…``; the
server exchanges the code at ``{WECHAT_API_BASE}/sns/oauth2/access_token`` for the citizen's
OpenID. ``snsapi_base`` asks the citizen nothing and gives only the OpenID.

- The ``state`` is random, kept in the session with where to go next, usable once and for
  ``STATE_TTL`` seconds: a link forged or replayed into someone's browser finds no state there.
- The OpenID is kept in the session, per account; the session key is cycled when it is set.
- Failures are :class:`OAuthFailed` with a Chinese message for the citizen and an HTTP status.

A subscription account (订阅号) has no web authorisation: its pages work without an OpenID.
"""

from __future__ import annotations

import logging
import secrets
import time

import requests
from django.conf import settings
from django.urls import reverse
from wechatpy.exceptions import WeChatOAuthException
from wechatpy.oauth import WeChatOAuth

from .accounts import WeChatAccount
from .client import OFFICIAL_API_BASE
from .errors import WeChatError, WeChatTimeoutError, WeChatTransportError, error_for

logger = logging.getLogger(__name__)

OFFICIAL_OPEN_BASE = "https://open.weixin.qq.com"
SESSION_OPENIDS = "wechat_openids"  # {account code: openid}
SESSION_STATES = "wechat_oauth_states"  # {state: {"account", "next", "issued_at"}}
STATE_TTL = 600
#: States kept per session (several tabs may be authorising at once); older ones are dropped.
STATES_KEPT = 5
#: WeChat's answers about the citizen's code itself (invalid, used, missing, expired).
CODE_ERRCODES = frozenset({40029, 40163, 41008, 42003})


class OAuthFailed(Exception):
    """The authorisation did not complete; ``message`` is for the citizen."""

    def __init__(self, message: str, *, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


class WeChatOAuthClient(WeChatOAuth):
    """wechatpy's OAuth helper with both bases from the settings, a timeout, and the project's
    WeChat errors instead of wechatpy's (whose text would carry the secret in the URL)."""

    def __init__(self, account: WeChatAccount, redirect_uri: str = "", state: str = ""):
        super().__init__(account.app_id, account.secret, redirect_uri, "snsapi_base", state)
        api_base = (getattr(settings, "WECHAT_API_BASE", "") or OFFICIAL_API_BASE).rstrip("/")
        open_base = (getattr(settings, "WECHAT_OPEN_BASE", "") or OFFICIAL_OPEN_BASE).rstrip("/")
        self.API_BASE_URL = f"{api_base}/"
        self.OAUTH_BASE_URL = f"{open_base}/connect/"
        self.timeout = float(getattr(settings, "WECHAT_TIMEOUT", 10.0))

    def _request(self, method, url_or_endpoint, **kwargs):
        endpoint = "/" + url_or_endpoint.split("?")[0].removeprefix(self.API_BASE_URL)
        kwargs.setdefault("timeout", self.timeout)
        try:
            return super()._request(method, url_or_endpoint, **kwargs)
        except requests.Timeout:
            raise WeChatTimeoutError(errmsg="no answer", endpoint=endpoint) from None
        except requests.RequestException as error:
            raise WeChatTransportError(errmsg=type(error).__name__, endpoint=endpoint) from None
        except ValueError:
            raise WeChatTransportError(errmsg="answer is not JSON", endpoint=endpoint) from None
        except WeChatOAuthException as error:
            if error.errcode is None:  # an HTTP error status
                raise WeChatTransportError(errmsg="HTTP error", endpoint=endpoint) from None
            raise error_for(int(error.errcode), error.errmsg or "", endpoint=endpoint) from None


def return_path(account: WeChatAccount) -> str:
    return reverse("wechat:h5_oauth", kwargs={"code": account.code})


def start(request, account: WeChatAccount, next_path: str) -> str:
    """The authorize URL to send the citizen to; remembers a new state in the session."""
    state = secrets.token_urlsafe(24)
    states = dict(request.session.get(SESSION_STATES) or {})
    states[state] = {"account": account.code, "next": next_path, "issued_at": time.time()}
    newest = sorted(states.items(), key=lambda item: item[1]["issued_at"])[-STATES_KEPT:]
    request.session[SESSION_STATES] = dict(newest)
    redirect_uri = request.build_absolute_uri(return_path(account))
    return WeChatOAuthClient(account, redirect_uri, state).authorize_url


def _take_state(request, account: WeChatAccount, state: str) -> dict:
    states = dict(request.session.get(SESSION_STATES) or {})
    entry = states.pop(state or "", None)
    request.session[SESSION_STATES] = states  # used once, whatever happens next
    if (
        entry is None
        or entry["account"] != account.code
        or time.time() - entry["issued_at"] > STATE_TTL
    ):
        raise OAuthFailed("授权链接已失效或已使用过，请返回公众号菜单重新进入。", status=403)
    return entry


def complete(request, account: WeChatAccount, code: str, state: str) -> str:
    """Check the state, exchange the code for the OpenID and keep it; returns the next path."""
    entry = _take_state(request, account, state)
    if not code:
        raise OAuthFailed("您未同意微信授权，无法使用需要登录的服务。请返回公众号菜单重新进入。")
    try:
        answer = WeChatOAuthClient(account).fetch_access_token(code)
        openid = str(answer["openid"] or "")
    except WeChatError as error:
        # A citizen's code is worth a note; the account's credentials failing is an operator's.
        level = logging.INFO if error.errcode in CODE_ERRCODES else logging.WARNING
        logger.log(level, "WeChat %s: OAuth code exchange failed: %r", account.code, error)
        if error.temporary:
            raise OAuthFailed("暂时无法连接微信，请稍后重试。", status=503) from None
        raise OAuthFailed(
            "微信授权已失效（授权码无效、已使用或已过期），请重新进入。", status=400
        ) from None
    except (KeyError, TypeError):  # an answer without the documented fields
        openid = ""
    if not openid:
        raise OAuthFailed("微信未返回您的身份信息，请重新进入。", status=502)
    if answer.get("is_snapshotuser") == 1:
        # A page opened from a Moments snapshot gets a virtual OpenID that is nobody's.
        raise OAuthFailed("您正在浏览页面快照，请点击屏幕下方的“使用完整服务”后再办理。")
    request.session.cycle_key()
    openids = dict(request.session.get(SESSION_OPENIDS) or {})
    openids[account.code] = openid
    request.session[SESSION_OPENIDS] = openids
    return entry["next"]


def openid_for(request, account: WeChatAccount) -> str:
    """The citizen's OpenID for this account in this session, or ""."""
    return (request.session.get(SESSION_OPENIDS) or {}).get(account.code, "")

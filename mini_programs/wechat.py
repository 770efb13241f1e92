"""The mini-program's WeChat client: the project's official-account client (one base URL,
shared stable tokens, readable errors) used for the mini-program's AppID.

Login (``sns/jscode2session``) goes through wechatpy's ``WeChatWxa.code_to_session``; it is
authenticated by AppID and secret, so no access token is fetched for it. Subscribe messages
(``message/subscribe/send``) use the access token from the shared, cross-process token store.
"""

from __future__ import annotations

# Only the client module of channels is used (design rule); its errors come with it.
from channels.wechat.client import WeChatApiClient, WeChatError, WeChatTimeoutError

from .services.config import get_config

__all__ = ["MiniProgramClient", "WeChatError", "WeChatTimeoutError", "mini_program_client"]

APP_SECRET_ENDPOINTS = ("sns/jscode2session",)


class MiniProgramClient(WeChatApiClient):
    def _request(self, method, url_or_endpoint, **kwargs):
        if any(endpoint in url_or_endpoint for endpoint in APP_SECRET_ENDPOINTS):
            # A None value is left out of the query by requests: no token is fetched or sent.
            params = kwargs.get("params")
            if isinstance(params, dict):
                params.setdefault("access_token", None)
        return super()._request(method, url_or_endpoint, **kwargs)


def mini_program_client() -> MiniProgramClient:
    config = get_config()
    return MiniProgramClient(config.app_id, config.secret)

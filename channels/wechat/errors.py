"""What can go wrong when talking to WeChat, as a small exception hierarchy.

Every error carries WeChat's own ``errcode``/``errmsg`` (for operators and logs), a ``message`` in
Chinese that an editor can read on the page's channel status, and ``temporary``: whether the
same call may succeed later without anyone changing anything (busy, timeouts, 5xx) or needs a
person first (credentials, permissions, quota, content). The delivery worker retries the first
kind with backoff and shows the second.

The classes derive from wechatpy's ``WeChatClientException`` so that wechatpy's own API groups,
which catch it for expected codes (``menu.get`` turns 46003 into ``None``), keep working.
"""

from __future__ import annotations

from wechatpy.exceptions import WeChatClientException


class WeChatError(WeChatClientException):
    """A WeChat API call did not succeed. ``str(error)`` is the Chinese message for editors."""

    temporary = False
    default_message = "微信接口调用失败"

    def __init__(
        self,
        errcode: int | str | None = None,
        errmsg: str = "",
        *,
        message: str = "",
        endpoint: str = "",
        temporary: bool | None = None,
        retry_after: float | None = None,
        answer: dict | None = None,
    ):
        # No request is kept (its URL carries the access token); ``answer`` is WeChat's JSON
        # body, for the few errors that carry data (45065 names the earlier mass send).
        super().__init__(errcode, errmsg)
        self.answer = answer or {}
        self.message = message or self.default_message
        self.endpoint = endpoint
        if temporary is not None:
            self.temporary = temporary
        self.retry_after = retry_after

    def __str__(self) -> str:
        if isinstance(self.errcode, int):
            return f"{self.message}（微信错误码 {self.errcode}）"
        return self.message

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(errcode={self.errcode!r}, errmsg={self.errmsg!r}, "
            f"endpoint={self.endpoint!r}, temporary={self.temporary})"
        )


class WeChatTransportError(WeChatError):
    """No usable answer: the connection failed, the server answered 5xx or something not JSON."""

    temporary = True
    default_message = "暂时无法连接微信服务器，稍后将自动重试"


class WeChatTimeoutError(WeChatTransportError):
    """No answer within the timeout. The call may still have been carried out by WeChat."""

    default_message = "微信服务器响应超时，稍后将自动重试"


class WeChatBusyError(WeChatError):
    """WeChat said it is busy (-1) or that we call too often this minute (45011)."""

    temporary = True
    default_message = "微信系统繁忙，稍后将自动重试"


class WeChatCredentialError(WeChatError):
    """The account's AppID/AppSecret/IP whitelist or the access token is not accepted."""

    default_message = "公众号接口凭证无效，请管理员检查 AppID、AppSecret 与 IP 白名单"


class WeChatQuotaError(WeChatError):
    """The daily call quota of this interface is used up (45009); retrying only burns more."""

    default_message = "该公众号今日的接口调用次数已用完，请明天再试或由管理员在公众平台清零"


class WeChatPermissionError(WeChatError):
    """The account may not use this interface (not verified, not authorised, restricted)."""

    default_message = "该公众号没有使用此接口的权限"


class WeChatContentError(WeChatError):
    """What we sent was refused: missing or bad material, sizes, formats, publication checks."""

    default_message = "微信拒绝了提交的内容"


# errcode -> (class, message for editors). Messages are ours, written for the people who see
# them; WeChat's own errmsg is kept on the exception for operators.
ERRORS: dict[int, tuple[type[WeChatError], str]] = {
    -1: (WeChatBusyError, "微信系统繁忙，稍后将自动重试"),
    45011: (WeChatBusyError, "调用微信接口过于频繁，稍后将自动重试"),
    40001: (WeChatCredentialError, "公众号 AppSecret 错误或接口凭证（access_token）无效"),
    40002: (WeChatCredentialError, "接口凭证类型不正确"),
    40013: (WeChatCredentialError, "公众号 AppID 无效，请管理员检查配置"),
    40014: (WeChatCredentialError, "接口凭证（access_token）不合法"),
    40125: (WeChatCredentialError, "公众号 AppSecret 无效，请管理员检查配置"),
    40164: (
        WeChatCredentialError,
        "服务器 IP 地址不在公众号的 IP 白名单中，请管理员在公众平台添加",
    ),
    41001: (WeChatCredentialError, "缺少接口凭证（access_token）"),
    41002: (WeChatCredentialError, "缺少公众号 AppID"),
    41004: (WeChatCredentialError, "缺少公众号 AppSecret"),
    42001: (WeChatCredentialError, "接口凭证（access_token）已过期"),
    45009: (
        WeChatQuotaError,
        "该公众号今日的接口调用次数已用完，请明天再试或由管理员在公众平台清零",
    ),
    48001: (WeChatPermissionError, "接口未授权：该公众号没有此接口的权限（如未认证）"),
    48004: (WeChatPermissionError, "接口已被封禁，请登录公众平台查看详情"),
    50001: (WeChatPermissionError, "该公众号未获得此接口的授权"),
    50002: (WeChatPermissionError, "该公众号受限，可能因违规被封禁了接口"),
    40004: (WeChatContentError, "不支持的素材类型"),
    40005: (WeChatContentError, "不支持的文件格式"),
    40006: (WeChatContentError, "文件大小不符合要求"),
    40007: (WeChatContentError, "素材不存在（media_id 无效），可能已被删除"),
    40009: (WeChatContentError, "图片大小超过限制"),
    40097: (WeChatContentError, "请求参数错误"),
    44002: (WeChatContentError, "提交的内容为空"),
    44003: (WeChatContentError, "图文内容为空"),
    45001: (WeChatContentError, "文件大小超过限制"),
    45002: (WeChatContentError, "正文内容超过长度限制"),
    45003: (WeChatContentError, "标题超过长度限制"),
    45004: (WeChatContentError, "摘要超过长度限制"),
    45005: (WeChatContentError, "链接超过长度限制"),
    45008: (WeChatContentError, "图文消息超过篇数限制"),
    46003: (WeChatContentError, "公众号尚未设置自定义菜单"),
    47001: (WeChatContentError, "提交的数据格式错误"),
    53503: (WeChatContentError, "草稿未通过发布检查，请检查内容后重新发布"),
    53504: (WeChatContentError, "该草稿需前往公众平台官网使用"),
    53505: (WeChatContentError, "请在公众平台手动保存该草稿后再发布"),
    53600: (WeChatContentError, "文章不存在（article_id 无效），可能已被删除"),
    45028: (
        WeChatQuotaError,
        "该公众号本期的群发次数已用完（服务号每月 4 次，订阅号每天 1 次），请到下一期再群发",
    ),
    45065: (WeChatContentError, "相同的群发已经提交过"),
    45066: (WeChatBusyError, "相同的群发重试过快，一分钟后将自动重试"),
    45067: (WeChatContentError, "群发标识过长"),
    # users and tags (account migration)
    40003: (WeChatContentError, "OpenID 无效：该用户没有关注本公众号"),
    40032: (WeChatContentError, "一次提交的 OpenID 数量不符合微信的要求"),
    45056: (WeChatContentError, "公众号的标签已达上限（100 个）"),
    45059: (WeChatContentError, "该粉丝身上的标签已达上限（20 个）"),
    45157: (WeChatContentError, "标签名已存在或不合法"),
    45158: (WeChatContentError, "标签名超过 30 个字符"),
    45159: (WeChatContentError, "标签不存在（tagid 无效）"),
    # Web authorisation (snsapi_base) and subscribe messages (订阅通知).
    40029: (WeChatCredentialError, "微信网页授权码（code）无效"),
    40163: (WeChatCredentialError, "微信网页授权码（code）已被使用"),
    41008: (WeChatCredentialError, "缺少微信网页授权码（code）"),
    42003: (WeChatCredentialError, "微信网页授权码（code）已过期"),
    40037: (WeChatContentError, "订阅通知模板 ID 无效，请管理员检查 WECHAT_NOTICE_TEMPLATES"),
    43101: (WeChatContentError, "用户拒绝接收此订阅通知（或未订阅该模板）"),
    47003: (WeChatContentError, "订阅通知的模板参数不符合要求"),
}

#: Codes that say the access token we sent is not (or no longer) valid.
TOKEN_ERRCODES = frozenset({40001, 40014, 42001})
BUSY = -1


def error_for(
    errcode: int, errmsg: str = "", *, endpoint: str = "", answer: dict | None = None
) -> WeChatError:
    """The exception for WeChat's answer ``{"errcode": errcode, "errmsg": errmsg, …}``."""
    cls, message = ERRORS.get(errcode, (WeChatError, ""))
    if not message:
        message = f"微信接口返回错误：{errmsg}" if errmsg else WeChatError.default_message
    retry_after = 60.0 if errcode in (45011, 45066) else None
    return cls(
        errcode, errmsg, message=message, endpoint=endpoint, retry_after=retry_after, answer=answer
    )

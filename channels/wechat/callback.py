"""The message callback of an official account (消息推送): what WeChat sends, what we answer.

WeChat calls the server URL configured on the platform (``/wechat/<code>/``) with a GET to check
it (we echo ``echostr``) and a POST for every message and event a follower causes. Each request
carries ``signature`` = SHA-1 over the account's token, ``timestamp`` and ``nonce``; in safe
mode (``encrypt_type=aes``) the body is AES-encrypted with the account's EncodingAESKey and
signed again by ``msg_signature``. wechatpy does the cryptography (``check_signature``,
``WeChatCrypto``), the parsing (``parse_message``) and the replies (``wechatpy.replies``).

The answer must be ready within WeChat's 5 seconds, so nothing here calls a remote service: the
replies come from the database (welcome text, keyword replies, a column's live articles) and
the ``PUBLISHJOBFINISH`` event only makes the matching delivery due, for the worker to poll
WeChat and record the result. The event's content is never trusted beyond the publish_id.

WeChat repeats a message it got no answer for (three times within 15 seconds); a message seen
before — same MsgId, or for events the same sender and CreateTime — is answered with
``success`` (nothing is shown to the follower). The marks live in the shared Django cache, so
every web node agrees.

The view (``channels.wechat.views``) is a thin door over :func:`handle_get` and
:func:`handle_post`, which raise :class:`SignatureError` (403) or :class:`MessageError` (400).
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass

import xmltodict
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.replies import ArticlesReply, BaseReply, TextReply
from wechatpy.utils import check_signature

from .accounts import WeChatAccount
from .menu import portal_base, service_url

logger = logging.getLogger(__name__)

#: What WeChat expects when there is nothing to say (it shows nothing and does not retry).
NOTHING = "success"
#: WeChat allows at most 8 articles in a news reply.
NEWS_MAX = 8
#: How long a message is remembered against WeChat's repeats (they come within 15 seconds).
REPLAY_TTL_SECONDS = 600
#: Requests whose timestamp is further than this from our clock are refused as replays.
DEFAULT_MAX_AGE_SECONDS = 300
DESCRIPTION_MAX = 120

DEFAULT_WELCOME = "欢迎关注“{name}”！"
DEFAULT_ANSWER = (
    "您好！如需反映信访诉求，请通过{petition}提交；"
    "查询已提交信访件的办理情况或进行评价，请使用{lookup}。"
    "您也可以回复关键词获取相关信息。"
)


class SignatureError(Exception):
    """The request is not from WeChat for this account (bad or stale signature, no token).
    The message is for the log, in English; the caller answers 403."""


class MessageError(Exception):
    """The body is not a message WeChat would send (the caller answers 400)."""


@dataclass(frozen=True)
class CallbackQuery:
    """The query string WeChat adds to every callback request."""

    signature: str = ""
    timestamp: str = ""
    nonce: str = ""
    echostr: str = ""
    encrypt_type: str = ""
    msg_signature: str = ""

    @classmethod
    def from_querydict(cls, params) -> CallbackQuery:
        return cls(**{name: params.get(name, "") for name in cls.__dataclass_fields__})

    @property
    def encrypted(self) -> bool:
        return self.encrypt_type.lower() == "aes"


# --- verifying ----------------------------------------------------------------------------------


def _max_age() -> int:
    return int(getattr(settings, "WECHAT_CALLBACK_MAX_AGE_SECONDS", DEFAULT_MAX_AGE_SECONDS))


def verify(account: WeChatAccount, query: CallbackQuery, *, now: float | None = None) -> None:
    """Raise :class:`SignatureError` unless WeChat signed this request with the account's token
    and its timestamp is recent."""
    if not account.token:
        raise SignatureError("the account has no token configured")
    if not (query.signature and query.timestamp and query.nonce):
        raise SignatureError("signature, timestamp or nonce missing")
    try:
        check_signature(account.token, query.signature, query.timestamp, query.nonce)
    except InvalidSignatureException:
        raise SignatureError("signature does not match") from None
    try:
        sent = int(query.timestamp)
    except ValueError:
        raise SignatureError("timestamp is not a number") from None
    if abs((time.time() if now is None else now) - sent) > _max_age():
        raise SignatureError("timestamp outside the accepted window")


def handle_get(account: WeChatAccount, query: CallbackQuery) -> str:
    """The platform's check of the server URL: the ``echostr`` back, once the signature holds."""
    verify(account, query)
    return query.echostr


# --- reading ------------------------------------------------------------------------------------


def _crypto(account: WeChatAccount) -> WeChatCrypto:
    if not account.aes_key:
        raise SignatureError("safe mode message but the account has no aes_key configured")
    return WeChatCrypto(account.token, account.aes_key, account.app_id)


@dataclass(frozen=True)
class Incoming:
    """A verified message: its XML elements (``data``) and wechatpy's typed ``message``."""

    data: dict
    message: object


def read(account: WeChatAccount, query: CallbackQuery, body: bytes) -> Incoming:
    """The message WeChat sent (decrypted in safe mode)."""
    xml = body
    if query.encrypted:
        if not query.msg_signature:
            raise SignatureError("msg_signature missing in safe mode")
        try:
            xml = _crypto(account).decrypt_message(
                body, query.msg_signature, query.timestamp, query.nonce
            )
        except InvalidSignatureException:
            raise SignatureError("msg_signature does not match") from None
        except InvalidAppIdException:
            raise SignatureError("message encrypted for another AppID") from None
        except Exception as error:  # noqa: BLE001 - any malformed envelope is the sender's fault
            raise MessageError(f"cannot decrypt the message: {type(error).__name__}") from None
    try:
        # xmltodict refuses entity declarations by default (no entity expansion attacks).
        data = xmltodict.parse(xml, disable_entities=True)["xml"]
        if not isinstance(data, dict) or not data.get("MsgType"):
            raise MessageError("message without MsgType")
        message = parse_message(xml)
    except MessageError:
        raise
    except Exception as error:  # noqa: BLE001 - expat, key and type errors alike
        raise MessageError(f"not a WeChat XML message: {type(error).__name__}") from None
    return Incoming(data=data, message=message)


# --- replays ------------------------------------------------------------------------------------


def replay_key(account: WeChatAccount, data: dict) -> str:
    """The identity of a message: its MsgId, or for events (which have none) the sender and
    CreateTime, as WeChat's documentation recommends."""
    if data.get("MsgId"):
        identity = f"id:{data['MsgId']}"
    else:
        identity = f"ev:{data.get('FromUserName', '')}:{data.get('CreateTime', '')}"
    digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
    return f"wechat:callback:{account.code}:{digest}"


def first_time(account: WeChatAccount, data: dict) -> bool:
    """True the first time this message arrives on any web node (an atomic ``cache.add``)."""
    return cache.add(replay_key(account, data), 1, REPLAY_TTL_SECONDS)


def forget(account: WeChatAccount, data: dict) -> None:
    """Let WeChat's next repeat be answered after all (our first answer failed)."""
    cache.delete(replay_key(account, data))


# --- deciding -----------------------------------------------------------------------------------


def _normalise(text: str) -> str:
    return " ".join((text or "").split()).casefold()


def find_keyword_reply(account: WeChatAccount, text: str):
    """The enabled keyword reply for ``text``: an exact match first, else the longest keyword
    that the text contains."""
    from channels.models import WeChatKeywordReply

    wanted = _normalise(text)
    if not wanted:
        return None
    contained = None
    replies = WeChatKeywordReply.objects.filter(account=account.code, enabled=True)
    for reply in replies.order_by("pk"):
        keyword = _normalise(reply.keyword)
        if not keyword:
            continue
        if keyword == wanted:
            return reply
        if (
            reply.match == WeChatKeywordReply.Match.CONTAINS
            and keyword in wanted
            and (contained is None or len(keyword) > len(_normalise(contained.keyword)))
        ):
            contained = reply
    return contained


def _cdata_safe(text: str) -> str:
    # wechatpy puts text in CDATA sections: a literal "]]>" would end one early.
    return (text or "").replace("]]>", "]]]]><![CDATA[>")


def _shorten(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def column_news(column) -> list[dict]:
    """The column's newest live articles as news items (title, digest, portal URL)."""
    column = column.specific
    if not hasattr(column, "articles"):
        return []
    base = column.get_full_url()
    if not base:
        return []
    items = []
    for article in column.articles()[:NEWS_MAX]:
        items.append(
            {
                "title": _cdata_safe(article.title),
                "description": _cdata_safe(_shorten(article.summary, DESCRIPTION_MAX)),
                "image": "",
                "url": _cdata_safe(article.url_in_column(column, base)),
            }
        )
    return items


def default_answer(account: WeChatAccount) -> str:
    """What a message without a keyword gets: the account's own text or the built-in one."""
    from channels.models import WeChatWelcome

    own = WeChatWelcome.objects.filter(account=account.code).values_list("default_text", flat=True)
    text = next(iter(own), "").strip()
    if text:
        return text
    base = portal_base()
    # A service account's links open its H5 pages (signed in through web authorisation).
    petition = service_url("petition", base, account)
    lookup = service_url("lookup", base, account)
    return DEFAULT_ANSWER.format(
        petition=f'<a href="{petition}">“网上信访”</a>',
        lookup=f'<a href="{lookup}">“信访件查询评价”</a>',
    )


def welcome(account: WeChatAccount) -> str:
    from channels.models import WeChatWelcome

    own = WeChatWelcome.objects.filter(account=account.code).values_list("welcome_text", flat=True)
    text = next(iter(own), "").strip()
    return text or DEFAULT_WELCOME.format(name=account.name) + default_answer(account)


def keyword_answer(reply, message) -> BaseReply:
    if reply.column_id:
        items = column_news(reply.column)
        if items:
            return ArticlesReply(message=message, articles=items)
        return TextReply(message=message, content="该栏目暂无文章，请稍后再来看看。")
    return TextReply(message=message, content=_cdata_safe(reply.reply_text))


def publication_finished(account: WeChatAccount, data: dict) -> int:
    """``PUBLISHJOBFINISH``: make the pending delivery with this publish_id due now, so the
    worker asks WeChat for the result at once. Returns how many deliveries were woken (0 or 1).

    Only the publish_id is taken from the event: the result itself is what the worker reads
    from ``freepublish/get`` with the account's own token."""
    from channels import services
    from channels.models import Delivery

    info = data.get("PublishEventInfo")
    publish_id = str(info.get("publish_id") or "").strip() if isinstance(info, dict) else ""
    if not publish_id or len(publish_id) > 64:
        return 0
    woken = Delivery.objects.filter(
        channel=f"wechat-{account.code}",
        state=Delivery.State.PENDING,
        progress__publish_id=publish_id,
    ).update(next_attempt_at=timezone.now())
    if woken:
        logger.info(
            "WeChat %s: publication %s finished, delivery due now", account.code, publish_id
        )
        transaction.on_commit(services.kick)
    return woken


def mass_send_finished(account: WeChatAccount, data: dict) -> int:
    """``MASSSENDJOBFINISH``: make the mass send with this MsgID due now (the worker asks
    ``message/mass/get`` for the outcome) and keep the event's counts and article links, which
    WeChat gives nowhere else. Returns how many deliveries were woken (0 or 1)."""
    from channels import services
    from channels.models import Delivery

    msg_id = str(data.get("MsgID") or data.get("MsgId") or "").strip()
    if not msg_id or len(msg_id) > 64:
        return 0
    delivery = Delivery.objects.filter(
        channel=f"wechat-{account.code}", progress__msg_id=msg_id
    ).first()
    if delivery is None:
        return 0
    counts = {
        key: str(data.get(key) or "")[:32]
        for key in ("Status", "TotalCount", "FilterCount", "SentCount", "ErrorCount")
    }
    items = ((data.get("ArticleUrlResult") or {}).get("ResultList") or {}).get("item") or []
    if isinstance(items, dict):
        items = [items]
    urls = [
        str(item.get("ArticleUrl") or "")[:500]
        for item in sorted(items, key=lambda item: int(item.get("ArticleIdx") or 0))
        if isinstance(item, dict) and str(item.get("ArticleUrl") or "").startswith("http")
    ]
    progress = {**delivery.progress, "mass_result": counts}
    fields = {"progress": progress}
    if urls:
        progress["article_urls"] = urls
        if not delivery.remote_url:
            fields["remote_url"] = urls[0]
    if delivery.state == Delivery.State.PENDING:
        fields["next_attempt_at"] = timezone.now()
        transaction.on_commit(services.kick)
    Delivery.objects.filter(pk=delivery.pk).update(**fields)
    logger.info("WeChat %s: mass send %s finished: %s", account.code, msg_id, counts["Status"])
    return 1


def decide(account: WeChatAccount, incoming: Incoming) -> BaseReply | None:
    """The reply to a verified message, or None for "nothing to say"."""
    data, message = incoming.data, incoming.message
    msg_type = str(data.get("MsgType", "")).lower()
    if msg_type == "event":
        event = str(data.get("Event", "")).lower()
        if event == "subscribe":  # also from a QR code (EventKey qrscene_…)
            return TextReply(message=message, content=_cdata_safe(welcome(account)))
        if event == "publishjobfinish":
            publication_finished(account, data)
            return None
        if event == "masssendjobfinish":
            mass_send_finished(account, data)
            return None
        if event == "click":
            # A menu button with a key answers like the keyword of that name.
            reply = find_keyword_reply(account, str(data.get("EventKey") or ""))
            return keyword_answer(reply, message) if reply else None
        return None  # unsubscribe, view, location and the like need no answer
    if msg_type == "text":
        reply = find_keyword_reply(account, str(data.get("Content") or ""))
        if reply:
            return keyword_answer(reply, message)
    return TextReply(message=message, content=_cdata_safe(default_answer(account)))


# --- answering ----------------------------------------------------------------------------------


def render(account: WeChatAccount, query: CallbackQuery, reply: BaseReply | None) -> str:
    """The response body: the reply XML (encrypted in safe mode) or ``success``."""
    if reply is None:
        return NOTHING
    xml = reply.render()
    if query.encrypted:
        return _crypto(account).encrypt_message(xml, query.nonce, query.timestamp)
    return xml


def handle_post(account: WeChatAccount, query: CallbackQuery, body: bytes) -> str:
    """Verify, read, de-duplicate, decide and render one message from WeChat."""
    verify(account, query)
    incoming = read(account, query, body)
    if not first_time(account, incoming.data):
        logger.info("WeChat %s: repeated message answered with success", account.code)
        return NOTHING
    try:
        return render(account, query, decide(account, incoming))
    except Exception:
        forget(account, incoming.data)
        raise

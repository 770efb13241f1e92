"""HTTP API of sensitive_words for staff and channel services: ``POST /api/v1/sensitive-words/check``.

Mounted by the project's one NinjaAPI (``cms/api.py``). The check is not public. A caller is
either a staff member logged in to the Wagtail admin (session cookie, ``wagtailadmin.access_admin``;
CSRF is checked with django-ninja's own check for session authentication) or a service sending an
API key as ``Authorization: Bearer <key>`` or ``X-API-Key: <key>``. Keys are configured in
``SENSITIVE_WORDS_API_KEYS`` as ``name:sha256-hex`` entries, so only digests of the keys are kept.
Each caller (key name or user) is rate-limited with django-ratelimit on the Django cache
(``SENSITIVE_WORDS_API_RATE``). With ``"format": "html"`` the text is HTML: its visible text is
checked (:mod:`sensitive_words.richtext`) and the hits' offsets point into the submitted HTML.

The gates run in this order, all before the body is read: who is calling (401, 403), then the
rate (429, or 503 when the cache that counts does not answer); only then the body (400, 413,
422). They are done here rather than with ninja's ``auth=``, whose refusals go through the
API-wide handler, which has no code of its own for them, no Chinese message and no
``Retry-After``. Every error has the project's JSON shape
``{"code", "message", "details"}`` with a zh-hans message.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from dataclasses import dataclass
from typing import Literal

import pydantic_core
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, RequestDataTooBig
from django.http import HttpRequest, JsonResponse, RawPostDataException
from django_ratelimit.core import get_usage
from ninja import Router, Schema, Status
from ninja.utils import check_csrf
from pydantic import Field, ValidationError

from . import richtext, services

logger = logging.getLogger(__name__)

router = Router(tags=["敏感词"])

MAX_TEXT_CHARS = 200_000
DEFAULT_RATE = "120/m"
RATE_GROUP = "sensitive_words.api.check"
STAFF_PERMISSION = "wagtailadmin.access_admin"
_DIGEST = re.compile(r"[0-9a-fA-F]{64}")
_RATE = re.compile(r"\d+/\d*[smhd]")


class CheckIn(Schema):
    text: str = Field(..., description="要检查的文本；format 为 html 时是 HTML")
    site: str | None = Field(None, description="门户站点代码；留空只用全站通用词库")
    format: Literal["text", "html"] = Field(
        "text", description="text：纯文本；html：富文本，去掉标签后检查，命中位置指向提交的 HTML"
    )


class HitOut(Schema):
    start: int = Field(..., description="命中在提交的文本（或 HTML）中的起始位置")
    end: int = Field(..., description="结束位置（不含）")
    word: str
    matched_text: str = Field(..., description="命中的可见文字")
    category: str
    level: str
    suggestion: str
    dictionary: str
    kind: str
    via: str = Field(
        "", description="命中依赖的跨句连接、拼音等归一方式；这类命中最高为人工审核级别"
    )


class CheckOut(Schema):
    hits: list[HitOut]
    masked_text: str = Field(..., description="脱敏后的文本；format 为 html 时是脱敏后的 HTML")
    level: str | None = Field(None, description="最严重的命中级别：block / review / replace")
    version: int = Field(..., description="所用词库版本")


class ErrorOut(Schema):
    code: str
    message: str
    details: dict


# --- refusals ---------------------------------------------------------------------------------


class Refusal(Exception):
    """A request this API turns down, with the response that says why."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: dict | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(code)
        self.status, self.code, self.message = status, code, message
        self.details = details or {}
        self.headers = headers or {}

    def response(self) -> JsonResponse:
        response = JsonResponse(
            {"code": self.code, "message": self.message, "details": self.details},
            status=self.status,
        )
        for name, value in self.headers.items():
            response[name] = value
        return response


# --- who is calling ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Caller:
    kind: str  # "key" or "user"
    name: str  # the key's name or the user's pk

    @property
    def rate_key(self) -> str:
        return f"{self.kind}:{self.name}"


@dataclass(frozen=True)
class ApiKey:
    name: str
    digest: bytes  # SHA-256 of the key


def configured_keys() -> list[ApiKey]:
    """The keys of ``SENSITIVE_WORDS_API_KEYS`` (``name:sha256-hex`` entries)."""
    entries = getattr(settings, "SENSITIVE_WORDS_API_KEYS", None) or []
    if isinstance(entries, str):
        entries = entries.split(",")
    keys = []
    for position, entry in enumerate(entries, 1):
        if not entry.strip():
            continue
        name, _, digest = entry.strip().rpartition(":")
        if not name.strip() or not _DIGEST.fullmatch(digest.strip()):
            raise ImproperlyConfigured(
                f"SENSITIVE_WORDS_API_KEYS entry {position} is not name:sha256-hex-of-the-key "
                "(a name, a colon and 64 hexadecimal characters)"
            )
        keys.append(ApiKey(name.strip(), bytes.fromhex(digest.strip())))
    return keys


def key_name(key: str) -> str | None:
    """The name ``key`` is configured under (digests compared in constant time), else None."""
    digest = hashlib.sha256(key.encode()).digest()
    found = None
    for configured in configured_keys():  # no early exit: the time says nothing about the match
        if hmac.compare_digest(digest, configured.digest) and found is None:
            found = configured.name
    return found


def presented_key(request: HttpRequest) -> str | None:
    """The API key sent with the request: ``Authorization: Bearer <key>`` or ``X-API-Key``."""
    scheme, _, credentials = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return request.headers.get("X-API-Key", "").strip() or None


_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="sensitive-words"'}


def identify(request: HttpRequest) -> Caller:
    """The caller of ``request``, or a :class:`Refusal` (401 anonymous, 403 not allowed)."""
    key = presented_key(request)
    if key is not None:
        name = key_name(key)
        if name is None:
            logger.warning("Sensitive-words API: an unknown API key was refused")
            raise Refusal(401, "invalid_api_key", "API 密钥无效", headers=_CHALLENGE)
        return Caller("key", name)
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        raise Refusal(
            401,
            "not_authenticated",
            "请先登录管理后台，或在请求头中提供 API 密钥（Authorization: Bearer <密钥>）",
            headers=_CHALLENGE,
        )
    # A session comes with every request the browser sends, including forged ones: the same CSRF
    # check as django-ninja's session authentication (the cookie csrftoken and the X-CSRFToken
    # header must agree).
    if check_csrf(request) is not None:
        raise Refusal(
            403,
            "csrf_failed",
            "CSRF 校验失败：请在请求头 X-CSRFToken 中带上 Cookie csrftoken 的值后重试",
        )
    if not user.has_perm(STAFF_PERMISSION):
        raise Refusal(403, "permission_denied", "没有使用敏感词检查接口的权限")
    return Caller("user", str(user.pk))


# --- how often --------------------------------------------------------------------------------


def configured_rate() -> str | None:
    """``SENSITIVE_WORDS_API_RATE`` (e.g. ``120/m``); empty turns the limit off."""
    rate = getattr(settings, "SENSITIVE_WORDS_API_RATE", DEFAULT_RATE)
    if not rate:
        return None
    if not _RATE.fullmatch(str(rate)):
        raise ImproperlyConfigured(
            f"SENSITIVE_WORDS_API_RATE {rate!r} is not a rate such as 120/m, 10/s, 5000/h or 100/5m"
        )
    return str(rate)


def enforce_rate(request: HttpRequest, caller: Caller) -> None:
    """Count the request against its caller's limit; a :class:`Refusal` (429) over it."""
    rate = configured_rate()
    if rate is None:
        return
    try:
        usage = get_usage(
            request,
            group=RATE_GROUP,
            key=lambda group, request: caller.rate_key,
            rate=rate,
            increment=True,
        )
    except Exception as exc:  # the cache (Redis) does not answer: refuse rather than go unlimited
        logger.exception("Sensitive-words API: the rate limit cannot be counted")
        raise Refusal(503, "rate_limit_unavailable", "服务暂时不可用，请稍后再试") from exc
    if usage is None or not usage["should_limit"]:
        return
    retry_after = max(1, int(usage["time_left"]))
    logger.warning("Sensitive-words API: %s is over its rate %s", caller.rate_key, rate)
    raise Refusal(
        429,
        "rate_limited",
        f"请求过于频繁，请 {retry_after} 秒后再试",
        {"rate": rate, "retry_after": retry_after},
        {"Retry-After": str(retry_after)},
    )


# --- what was sent ----------------------------------------------------------------------------

_ERROR_MESSAGES = {
    "missing": "缺少字段 {field}",
    "string_type": "{field} 必须是字符串",
    "literal_error": "{field} 只能是 {allowed}",
}
_ALLOWED = {"format": '"text"（纯文本）或 "html"（富文本）'}


def read_payload(request: HttpRequest) -> CheckIn:
    """The request's JSON body as a :class:`CheckIn`, or a :class:`Refusal` (400, 413, 422)."""
    try:
        body = request.body
    except RequestDataTooBig as exc:
        raise Refusal(
            413,
            "request_too_large",
            "请求体过大",
            {"max_bytes": settings.DATA_UPLOAD_MAX_MEMORY_SIZE},
        ) from exc
    except RawPostDataException as exc:  # a multipart body already read as a form
        raise Refusal(
            400, "invalid_json", "请求体必须是 JSON（Content-Type: application/json）"
        ) from exc
    try:
        # pydantic's parser, unlike json.loads, refuses lone surrogates that no engine can encode.
        data = pydantic_core.from_json(body)
    except ValueError as exc:
        raise Refusal(
            400,
            "invalid_json",
            "请求体不是有效的 JSON",
            {"error": str(exc)},
        ) from exc
    if not isinstance(data, dict):
        raise Refusal(422, "invalid_input", '请求体必须是 JSON 对象，例如 {"text": "要检查的文本"}')
    try:
        payload = CheckIn.model_validate(data)
    except ValidationError as exc:
        raise _invalid_input(exc) from exc
    if len(payload.text) > MAX_TEXT_CHARS:
        raise Refusal(
            413,
            "text_too_long",
            f"文本过长，单次最多 {MAX_TEXT_CHARS} 个字符",
            {"max_chars": MAX_TEXT_CHARS, "chars": len(payload.text)},
        )
    return payload


def _invalid_input(exc: ValidationError) -> Refusal:
    errors = []
    for error in exc.errors(include_url=False, include_context=False, include_input=False):
        field = ".".join(str(part) for part in error["loc"]) or "请求体"
        template = _ERROR_MESSAGES.get(error["type"], "{field} 的值不正确")
        message = template.format(field=field, allowed=_ALLOWED.get(field, ""))
        errors.append({"type": error["type"], "loc": list(error["loc"]), "msg": message})
    return Refusal(
        422,
        "invalid_input",
        "请求参数不正确：" + "；".join(e["msg"] for e in errors),
        {"errors": errors},
    )


# --- the check --------------------------------------------------------------------------------

_ERRORS = dict.fromkeys((400, 401, 403, 413, 422, 429, 503), ErrorOut)


@router.post(
    "/check",
    response={200: CheckOut, **_ERRORS},
    summary="检查文本中的敏感词",
    description=(
        "供后台工作人员和渠道服务调用，不对公众开放。身份验证二选一：已登录管理后台的会话"
        "（需带 X-CSRFToken 请求头），或 API 密钥（Authorization: Bearer <密钥>，"
        "也可用 X-API-Key 请求头）。每个调用方按 SENSITIVE_WORDS_API_RATE 限流，"
        "超出时返回 429 和 Retry-After。"
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": CheckIn.model_json_schema()}},
        }
    },
)
def check(request: HttpRequest):
    try:
        caller = identify(request)
        enforce_rate(request, caller)
        payload = read_payload(request)
    except Refusal as refusal:
        return refusal.response()
    engine = services.get_engine()
    if payload.format == "html":
        visible = richtext.visible_text(payload.text)
        hits = engine.check(visible.text, site=payload.site)
        masked = visible.mask_source(services.mask_text(visible.text, hits))
        hits_out = []
        for hit in hits:
            start, end = visible.source_span(hit.start, hit.end)
            hits_out.append(hit.as_dict() | {"start": start, "end": end})
    else:
        hits = engine.check(payload.text, site=payload.site)
        masked = services.mask_text(payload.text, hits)
        hits_out = [hit.as_dict() for hit in hits]
    return Status(
        200,
        {
            "hits": hits_out,
            "masked_text": masked,
            "level": services.max_level(hits),
            "version": engine.version,
        },
    )

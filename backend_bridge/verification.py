"""SMS verification codes for citizens' phones, guarded by a captcha and rate limits.

The flow: ``new_captcha(ip)`` → the citizen solves it → ``request_code(phone, purpose, ip,
captcha_key, captcha_answer)`` sends a 6-digit code → ``check_code(phone, purpose, code)``.

- A captcha is needed for every code and is used up by the attempt, right or wrong.
- Sending is limited per phone (one per ``SMS_LIMIT_PHONE_INTERVAL`` seconds, per hour, per day),
  per IP address (per hour, per day) and for the whole site per day; a refusal says when to try
  again (``retry_after``). A limit set to 0 is off.
- The code is made by ``secrets``; only its keyed hash is stored, in Django's cache (shared by
  every process and host), for ``SMS_CODE_TTL`` seconds. It is valid once; after
  ``SMS_CODE_MAX_ATTEMPTS`` wrong guesses it is dead and a new one must be requested. A new
  request replaces the previous code of the same phone and purpose.

Time comes from the module attribute ``clock`` (``time.time``); tests replace it to move time.
Errors are ``VerificationError`` with a machine ``code``, a zh-hans ``message`` and, for rate
limits, ``retry_after`` seconds.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import time
import unicodedata

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError

from backend_bridge import captcha
from backend_bridge.idcard import validate_mobile
from backend_bridge.providers import ProviderError, SendResult, get_sms_provider
from backend_bridge.ratelimit import RateLimit, hit_all

logger = logging.getLogger(__name__)

clock = time.time

CODE_PREFIX = "bb:smscode"
_PURPOSE_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_CODE_RE = re.compile(r"^\d{6}$")


class VerificationError(Exception):
    """Why a captcha, a code request or a code check was refused.

    ``code``: rate_limited, captcha_invalid, phone_invalid, sms_failed, code_expired,
    code_invalid, too_many_attempts. ``message``: zh-hans, for the citizen. ``retry_after``:
    seconds (rate limits only). ``scope``: which limit refused (phone_interval, phone_hour,
    phone_day, ip_hour, ip_day, global_day), for logs and the API's details.
    """

    def __init__(self, code: str, message: str, *, retry_after: int | None = None, scope: str = ""):
        super().__init__(message)
        self.code = code
        self.message = message
        self.retry_after = retry_after
        self.scope = scope

    def as_dict(self) -> dict:
        """The project's API error shape."""
        details = {}
        if self.retry_after is not None:
            details["retry_after"] = self.retry_after
        if self.scope:
            details["scope"] = self.scope
        return {"code": self.code, "message": self.message, "details": details}


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def code_ttl() -> int:
    return _setting("SMS_CODE_TTL", 300)


def max_attempts() -> int:
    return _setting("SMS_CODE_MAX_ATTEMPTS", 5)


def _now() -> float:
    return clock()


def _wait_text(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds}秒"
    if seconds < 3600:
        return f"{-(-seconds // 60)}分钟"
    return f"{-(-seconds // 3600)}小时"


# (scope, setting, default, window seconds or None for the interval itself, message)
_LIMITS = (
    (
        "phone_interval",
        "SMS_LIMIT_PHONE_INTERVAL",
        60,
        None,
        "获取验证码过于频繁，请{wait}后再试。",
    ),
    ("phone_hour", "SMS_LIMIT_PHONE_HOUR", 5, 3600, "该手机号获取验证码次数过多，请{wait}后再试。"),
    (
        "phone_day",
        "SMS_LIMIT_PHONE_DAY",
        10,
        86400,
        "该手机号今日获取验证码次数已达上限，请{wait}后再试。",
    ),
    ("ip_hour", "SMS_LIMIT_IP_HOUR", 20, 3600, "您所在网络获取验证码次数过多，请{wait}后再试。"),
    (
        "ip_day",
        "SMS_LIMIT_IP_DAY",
        100,
        86400,
        "您所在网络今日获取验证码次数已达上限，请{wait}后再试。",
    ),
    ("global_day", "SMS_LIMIT_GLOBAL_DAY", 20000, 86400, "短信服务繁忙，请{wait}后再试。"),
)


def _limits(phone: str, ip: str) -> list[tuple[str, str, RateLimit, str]]:
    """(scope, message, limiter, identifier) for every limit that is on."""
    idents = {"phone": phone, "ip": ip or "unknown", "global": "all"}
    result = []
    for scope, setting, default, window, message in _LIMITS:
        value = _setting(setting, default)
        if value <= 0:
            continue
        if window is None:  # the interval: one code per `value` seconds
            limiter = RateLimit(f"sms-{scope}", 1, value, buckets=min(value, 120), clock=_now)
        else:
            limiter = RateLimit(f"sms-{scope}", value, window, buckets=60, clock=_now)
        result.append((scope, message, limiter, idents[scope.split("_")[0]]))
    return result


# Captchas cost CPU and cache space: (scope, setting, default, window seconds) per address.
_CAPTCHA_LIMITS = (
    ("minute", "CAPTCHA_LIMIT_IP_MINUTE", 30, 60),
    ("hour", "CAPTCHA_LIMIT_IP_HOUR", 300, 3600),
)


# Each says what went wrong and what to do next; the page shows a new picture at once.
CAPTCHA_MESSAGES = {
    captcha.WRONG: (
        f"图形验证码填写不正确。请看新换的图片，填写图中的{captcha.DIGITS}位数字"
        "（看不清可点“换一张”），再点“获取短信验证码”。"
    ),
    captcha.EXPIRED: (
        f"图形验证码已超过{{minutes}}分钟失效。已为您换了一张新图片，请填写新图中的"
        f"{captcha.DIGITS}位数字，再点“获取短信验证码”。"
    ),
    captcha.MISSING: "图形验证码没有加载成功。请点“换一张”显示图片，填写图中的数字后再获取短信验证码。",
}


def new_captcha(ip: str, large: bool = False) -> tuple[str, bytes]:
    """A new captcha for the citizen at ``ip``: (key, PNG image). The answer stays server-side,
    for one use. Raises VerificationError (rate_limited) when one address asks too often."""
    now = _now()
    limits = [
        RateLimit(f"captcha-{scope}", _setting(name, default), window, buckets=12, clock=_now)
        for scope, name, default, window in _CAPTCHA_LIMITS
        if _setting(name, default) > 0
    ]
    refused = hit_all(((limit, ip or "unknown") for limit in limits), now=now)
    if refused is not None:
        limiter, decision = refused
        from backend_bridge.signals import abuse_refused

        # A flood of captchas is the first step of SMS bombing: recorded like the SMS limits.
        abuse_refused.send(
            None,
            kind="captcha_rate_limited",
            ip=ip or "",
            details={"scope": getattr(limiter, "name", "")},
        )
        raise VerificationError(
            "rate_limited",
            f"获取图形验证码过于频繁，请{_wait_text(decision.retry_after)}后再试。",
            retry_after=decision.retry_after,
            scope="captcha",
        )
    return captcha.create(now, large)


def _phone(phone: object) -> str:
    try:
        return validate_mobile(phone)
    except ValidationError as error:
        raise VerificationError("phone_invalid", error.messages[0]) from None


def _check_purpose(purpose: str) -> None:
    if not _PURPOSE_RE.match(purpose or ""):
        raise ValueError(f"purpose must match {_PURPOSE_RE.pattern}: {purpose!r}")


def _record_key(phone: str, purpose: str) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"{purpose}:{phone}".encode(), hashlib.sha256
    ).hexdigest()[:32]
    return f"{CODE_PREFIX}:{purpose}:{digest}"


def _code_hash(record_id: str, code: str) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(), f"{record_id}:{code}".encode(), hashlib.sha256
    ).hexdigest()


def _attempts_key(record_id: str) -> str:
    return f"{CODE_PREFIX}:tries:{record_id}"


def request_code(
    phone: str,
    purpose: str,
    ip: str | None,
    captcha_key: str,
    captcha_answer: str,
    *,
    attested: bool = False,
) -> SendResult:
    """Check the captcha and the limits, then send a new code to ``phone`` for ``purpose``;
    the provider's receipt back (see :func:`development_notice`).

    ``attested``: the caller proved a genuine APP on a real device instead (the APP's device
    attestation, ``channels.app.attestation``); the limits apply all the same."""
    _check_purpose(purpose)
    phone = _phone(phone)
    now = _now()
    if not attested:
        verdict = captcha.check(captcha_key, captcha_answer, now)
        if verdict != captcha.OK:
            raise VerificationError(
                "captcha_invalid",
                CAPTCHA_MESSAGES[verdict].format(minutes=max(1, captcha.ttl() // 60)),
            )

    limits = _limits(phone, ip or "")
    refused = hit_all(((limiter, ident) for _, _, limiter, ident in limits), now=now)
    if refused is not None:
        limiter, decision = refused
        scope, message = next((s, m) for s, m, lim, _ in limits if lim is limiter)
        logger.info("SMS code refused by limit %s (retry after %ss)", scope, decision.retry_after)
        from backend_bridge.signals import abuse_refused

        abuse_refused.send(
            None,
            kind="sms_rate_limited",
            ip=ip or "",
            details={"scope": scope, "phone": phone[-4:]},
        )
        raise VerificationError(
            "rate_limited",
            message.format(wait=_wait_text(decision.retry_after)),
            retry_after=decision.retry_after,
            scope=scope,
        )

    code = f"{secrets.randbelow(10**6):06d}"
    record_id = secrets.token_hex(12)
    ttl = code_ttl()
    cache.set(
        _record_key(phone, purpose),
        {"id": record_id, "hash": _code_hash(record_id, code), "expires_at": now + ttl},
        timeout=ttl + 60,
    )
    minutes = max(1, ttl // 60)
    values = {"code": code, "minutes": str(minutes)}
    names = getattr(settings, "SMS_VERIFICATION_PARAMS", None) or ["code", "minutes"]
    params = {name: values[name] for name in names if name in values}
    template = getattr(settings, "SMS_TEMPLATE_VERIFICATION_CODE", "") or "verification_code"
    try:
        return get_sms_provider().send(phone, template, params)
    except ProviderError as error:
        # The code stays: after a timeout the message may still arrive and then it must work.
        logger.warning("SMS code to %s***%s not sent: %s", phone[:3], phone[-2:], error.reason)
        raise VerificationError("sms_failed", "短信发送失败，请稍后重试。") from error


def development_notice(result: SendResult | None) -> str:
    """With DEBUG on and the console provider, the text of the SMS that was not really sent, so
    that a developer sees the code on the form; empty everywhere else (never in production)."""
    if not settings.DEBUG or result is None or result.provider != "console":
        return ""
    return str(result.raw.get("text", ""))


def check_code(phone: str, purpose: str, code: str, *, consume: bool = True) -> None:
    """Accept ``code`` once, or raise VerificationError (code_invalid, code_expired,
    too_many_attempts). ``consume=False`` checks it and keeps it for the real acceptance (a
    right answer also clears the count of wrong ones, so that acceptance is not refused)."""
    _check_purpose(purpose)
    try:
        phone = validate_mobile(phone)
    except ValidationError:
        raise VerificationError("code_invalid", "手机号码或短信验证码不正确。") from None
    given = unicodedata.normalize("NFKC", str(code or "")).strip()
    if not _CODE_RE.match(given):
        raise VerificationError("code_invalid", "短信验证码应为6位数字。")

    key = _record_key(phone, purpose)
    record = cache.get(key)
    expired = VerificationError("code_expired", "短信验证码已失效，请重新获取。")
    if record is None:
        raise expired
    if _now() >= record["expires_at"]:
        cache.delete(key)
        raise expired

    limit = max_attempts()
    attempts_key = _attempts_key(record["id"])
    # Counted before comparing, atomically, so parallel guesses cannot exceed the limit.
    cache.add(attempts_key, 0, timeout=code_ttl() + 60)
    try:
        tries = cache.incr(attempts_key)
    except ValueError:
        tries = limit + 1
    too_many = VerificationError("too_many_attempts", "短信验证码错误次数过多，请重新获取。")
    if tries > limit:
        cache.delete(key)
        raise too_many

    if not hmac.compare_digest(record["hash"], _code_hash(record["id"], given)):
        if tries >= limit:
            cache.delete(key)
            raise too_many
        raise VerificationError("code_invalid", f"短信验证码不正确，还可以尝试{limit - tries}次。")
    if not consume:
        cache.delete(attempts_key)
        return
    # Valid once: of two requests with the right code, only the one that deletes it succeeds.
    if not cache.delete(key):
        raise expired
    cache.delete(attempts_key)

"""Signing in and binding: WeChat login, the backend's sessions, binding a WeChat user to a diner.

- ``login(code)``: ``wx.login``'s code is exchanged with WeChat (jscode2session); the answer's
  ``session_key`` stays in the database and the mini-program gets the backend's own token,
  valid ``MP_SESSION_TTL`` seconds. A user already bound under the AppID in use is signed in as
  that diner; a user whose UnionID is bound (under any AppID, e.g. the one before a change of
  owning entity) is bound to the same diner at once.
- ``bind_by_sms`` (name + phone, code sent through ``backend_bridge.verification``, the
  project's SMS provider, behind its captcha and limits) or ``bind_by_invitation``: the WeChat
  user becomes the diner whose record matches. Diners are the canteen's records; they are never
  created from the mini-program.
- ``rebind_report()``: after a change to a new AppID, who has and has not re-bound.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from backend_bridge import captcha, verification
from backend_bridge.idcard import validate_mobile

from ..models import Diner, Invitation, MpSession, WeChatBinding
from ..wechat import WeChatError, WeChatTimeoutError, mini_program_client
from .config import get_config
from .errors import MealError

logger = logging.getLogger(__name__)

SMS_PURPOSE = "mp_bind"
INVITATION_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
LOGIN_CODE_ERRORS = {
    40029: "登录凭证无效或已过期，请重新打开小程序。",
    40163: "登录凭证已被使用，请重新打开小程序。",
    40226: "微信判定该账号存在风险，暂时无法登录。",
    45011: "登录过于频繁，请稍后再试。",
}


def session_ttl() -> int:
    return int(getattr(settings, "MP_SESSION_TTL", 24 * 3600))


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class LoginResult:
    token: str
    expires_at: object
    session: MpSession


def login(code: str) -> LoginResult:
    """Exchange ``wx.login``'s code for a session of ours (MealError on a refused code)."""
    code = (code or "").strip()
    if not code or len(code) > 128:
        raise MealError("invalid_code", "登录凭证不能为空。", 400)
    config = get_config()
    try:
        answer = mini_program_client().wxa.code_to_session(code)
    except WeChatTimeoutError:
        raise MealError("wechat_unavailable", "微信登录服务暂时无响应，请稍后重试。", 503) from None
    except WeChatError as error:
        message = LOGIN_CODE_ERRORS.get(error.errcode)
        if message:
            raise MealError("login_refused", message, 401, {"errcode": error.errcode}) from None
        logger.warning("jscode2session failed: %s", error)
        status = 503 if error.temporary else 502
        raise MealError("wechat_error", f"微信登录失败：{error.message}", status) from None
    openid = answer.get("openid")
    if not isinstance(openid, str) or not openid:
        raise MealError("wechat_error", "微信登录失败：未返回用户标识。", 502)
    unionid = answer.get("unionid") or ""
    diner = _diner_for(config.app_id, openid, unionid)
    token = secrets.token_urlsafe(32)
    session = MpSession.objects.create(
        key_hash=_hash(token),
        app_id=config.app_id,
        openid=openid,
        unionid=unionid,
        session_key=str(answer.get("session_key") or ""),
        diner=diner,
        expires_at=timezone.now() + timedelta(seconds=session_ttl()),
    )
    return LoginResult(token, session.expires_at, session)


def _diner_for(app_id: str, openid: str, unionid: str) -> Diner | None:
    binding = WeChatBinding.objects.select_related("diner").filter(app_id=app_id, openid=openid)
    found = binding.first()
    if found:
        if unionid and not found.unionid:
            WeChatBinding.objects.filter(pk=found.pk).update(unionid=unionid)
        return found.diner
    if not unionid:
        return None
    earlier = (
        WeChatBinding.objects.select_related("diner")
        .filter(unionid=unionid)
        .exclude(app_id=app_id)
        .order_by("-bound_at")
        .first()
    )
    if earlier is None:
        return None
    _bind(earlier.diner, app_id, openid, unionid, WeChatBinding.Method.UNIONID)
    return earlier.diner


def authenticate(token: str) -> MpSession | None:
    """The live session of a bearer token, or None (unknown or expired)."""
    if not token or len(token) > 128:
        return None
    session = (
        MpSession.objects.select_related("diner", "diner__department")
        .filter(key_hash=_hash(token), expires_at__gt=timezone.now())
        .first()
    )
    if session is None:
        return None
    if session.app_id != get_config().app_id:
        return None  # signed in with an AppID no longer in use: sign in again
    return session


def logout(session: MpSession) -> None:
    session.delete()


def _bind(diner: Diner, app_id: str, openid: str, unionid: str, method: str) -> WeChatBinding:
    existing = WeChatBinding.objects.filter(app_id=app_id, diner=diner).first()
    if existing and existing.openid != openid:
        raise MealError(
            "already_bound", "该人员已绑定其他微信账号，如需更换请联系食堂管理员解除绑定。", 409
        )
    if existing:
        return existing
    try:
        with transaction.atomic():
            return WeChatBinding.objects.create(
                diner=diner, app_id=app_id, openid=openid, unionid=unionid, method=method
            )
    except IntegrityError:
        raise MealError("already_bound", "该微信账号已绑定其他人员。", 409) from None


def _attach(session: MpSession, diner: Diner, method: str) -> Diner:
    if session.diner_id and session.diner_id != diner.pk:
        raise MealError("already_bound", "该微信账号已绑定其他人员。", 409)
    if not diner.active:
        raise MealError("not_allowed", "您暂无订餐权限，请联系食堂管理员。", 403)
    _bind(diner, session.app_id, session.openid, session.unionid, method)
    MpSession.objects.filter(app_id=session.app_id, openid=session.openid).update(diner=diner)
    session.diner = diner
    return diner


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", str(text or "")).strip()


def _matching_diner(name: str, phone: str) -> Diner | None:
    try:
        phone = validate_mobile(phone)
    except ValidationError:
        return None
    return Diner.objects.with_phone(phone).filter(name=_normal(name)).first()


def captcha_for_binding(ip: str) -> tuple[str, bytes]:
    try:
        return verification.new_captcha(ip)
    except verification.VerificationError as error:
        raise MealError(error.code, error.message, 429, error.as_dict()["details"]) from None


def request_bind_code(
    session: MpSession, name: str, phone: str, captcha_key: str, captcha_answer: str, ip: str
) -> None:
    """Send an SMS code to ``phone`` if it belongs to the staff member ``name``. When it does
    not, the answer is the same (no one learns who is on the staff list) and nothing is sent."""
    try:
        if _matching_diner(name, phone) is None:
            # Still spends the captcha, like a real request, so it cannot probe the list.
            if not captcha.consume(captcha_key, captcha_answer, verification.clock()):
                raise verification.VerificationError(
                    "captcha_invalid", "图形验证码错误或已过期，请刷新后重新输入。"
                )
            try:
                validate_mobile(_normal(phone))
            except ValidationError as error:
                raise verification.VerificationError("phone_invalid", error.messages[0]) from None
            return
        verification.request_code(_normal(phone), SMS_PURPOSE, ip, captcha_key, captcha_answer)
    except verification.VerificationError as error:
        status = 429 if error.code == "rate_limited" else 502 if error.code == "sms_failed" else 400
        raise MealError(error.code, error.message, status, error.as_dict()["details"]) from None


def bind_by_sms(session: MpSession, name: str, phone: str, code: str) -> Diner:
    """Bind the signed-in WeChat user to the diner ``name``/``phone`` after checking the code."""
    try:
        verification.check_code(_normal(phone), SMS_PURPOSE, code)
    except verification.VerificationError as error:
        raise MealError(error.code, error.message, 400) from None
    diner = _matching_diner(name, phone)
    if diner is None:
        raise MealError(
            "no_such_diner", "未找到与姓名和手机号对应的用餐人员，请联系食堂管理员。", 404
        )
    return _attach(session, diner, WeChatBinding.Method.SMS)


def bind_by_invitation(session: MpSession, code: str) -> Diner:
    code = _normal(code).upper()
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .select_related("diner")
            .filter(code=code, used_at__isnull=True, expires_at__gt=timezone.now())
            .first()
        )
        if invitation is None:
            raise MealError("invitation_invalid", "邀请码无效、已使用或已过期。", 400)
        diner = _attach(session, invitation.diner, WeChatBinding.Method.INVITATION)
        invitation.used_at = timezone.now()
        invitation.save(update_fields=["used_at"])
    return diner


def new_invitation_code() -> str:
    """8 characters that are easy to read out and type; unique by the database constraint."""
    return "".join(secrets.choice(INVITATION_ALPHABET) for _ in range(8))


def issue_invitation(diner: Diner, days: int = 7) -> Invitation:
    """A new one-time code for ``diner``, valid ``days`` days."""
    for _ in range(5):
        try:
            with transaction.atomic():
                return Invitation.objects.create(
                    diner=diner,
                    code=new_invitation_code(),
                    expires_at=timezone.now() + timedelta(days=days),
                )
        except IntegrityError:
            continue
    raise RuntimeError("could not draw a free invitation code")


@dataclass
class RebindReport:
    app_id: str
    previous_app_id: str
    rebound: list[Diner]
    pending: list[Diner]


def rebind_report() -> RebindReport:
    """Diners bound under the previous AppID, split by whether they have bound under the new
    one. Without ``previous_app_id`` every diner bound under another AppID counts."""
    config = get_config()
    old = WeChatBinding.objects.exclude(app_id=config.app_id)
    if config.previous_app_id:
        old = old.filter(app_id=config.previous_app_id)
    diner_ids = set(old.values_list("diner_id", flat=True))
    rebound_ids = set(
        WeChatBinding.objects.filter(app_id=config.app_id, diner_id__in=diner_ids).values_list(
            "diner_id", flat=True
        )
    )
    diners = Diner.objects.filter(pk__in=diner_ids).select_related("department")
    return RebindReport(
        app_id=config.app_id,
        previous_app_id=config.previous_app_id,
        rebound=[d for d in diners if d.pk in rebound_ids],
        pending=[d for d in diners if d.pk not in rebound_ids],
    )


def purge_expired_sessions() -> int:
    """Delete sessions past their expiry (they no longer authenticate anyway)."""
    deleted, _ = MpSession.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted

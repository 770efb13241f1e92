"""Signed-in devices of the APPs: issuing, checking, rotating and revoking their tokens.

A session belongs to a citizen's :class:`~channels.models.AppAccount` or to a staff user, and to
one device id. It has two random tokens: an access token (``APP_ACCESS_TOKEN_SECONDS``, sent as
``Authorization: Bearer``) and a refresh token that obtains a new pair and is then spent
(rotation). Only keyed HMAC-SM3 digests of the tokens are stored (``crypto.blind_index``), so a
copy of the database opens nothing. A refresh token presented again after it was rotated is a
stolen copy or a replay: the whole session is revoked. Every token works only together with the
device id (``X-Device-Id``) it was issued to.

Both front doors (``channels.app.accounts`` for citizens, ``channels.app.staff`` for staff) use
these same functions — :func:`issue`, :func:`rotate`, :func:`session_for` (through the ninja
authentication classes at the end), :func:`revoke` and :func:`revoke_all` — and differ only in
how the owner is proven and what they answer besides the tokens.
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from ninja.security import HttpBearer

from backend_bridge import crypto
from backend_bridge.web import client_ip

from ..models import AppSession
from .api import AppError

DEVICE_HEADER = "X-Device-Id"
DEVICE_RE = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
ACCESS_PREFIX, REFRESH_PREFIX = "at_", "rt_"


def _digest(token: str, purpose: str) -> str:
    return crypto.blind_index(token, purpose)


def device_id(request) -> str:
    """The device id the request names, or a 400 saying what is wrong with it."""
    value = (request.headers.get(DEVICE_HEADER) or "").strip()
    if not DEVICE_RE.match(value):
        raise AppError(
            400,
            "invalid_device",
            "缺少或无法识别设备标识（请求头 X-Device-Id，8–64 位字母、数字或 ._:-）",
        )
    return value


def _ip(request) -> str | None:
    address = client_ip(request)
    return address or None


def _new_pair() -> tuple[str, str]:
    return ACCESS_PREFIX + secrets.token_hex(32), REFRESH_PREFIX + secrets.token_hex(32)


def _lifetimes(kind: str) -> tuple[timedelta, timedelta]:
    refresh = (
        settings.APP_STAFF_REFRESH_TOKEN_SECONDS
        if kind == AppSession.Kind.STAFF
        else settings.APP_REFRESH_TOKEN_SECONDS
    )
    return timedelta(seconds=settings.APP_ACCESS_TOKEN_SECONDS), timedelta(seconds=refresh)


def tokens_out(session: AppSession, access: str, refresh: str) -> dict:
    """What the APP receives after a login or a refresh."""
    return {
        "access_token": access,
        "refresh_token": refresh,
        "token_type": "Bearer",
        "expires_in": settings.APP_ACCESS_TOKEN_SECONDS,
        "refresh_expires_at": session.refresh_expires_at,
    }


def issue(request, *, kind: str, account=None, user=None) -> tuple[AppSession, dict]:
    """Open a session for the device the request names: (the session, its tokens, shown only
    now). The one implementation of sign-in's token issue for citizens and staff."""
    device = device_id(request)
    access, refresh = _new_pair()
    access_life, refresh_life = _lifetimes(kind)
    now = timezone.now()
    session = AppSession.objects.create(
        kind=kind,
        account=account,
        user=user,
        device_id=device,
        access_digest=_digest(access, "app_access"),
        access_expires_at=now + access_life,
        refresh_digest=_digest(refresh, "app_refresh"),
        refresh_expires_at=now + refresh_life,
        ip=_ip(request),
        created_at=now,
        last_used_at=now,
    )
    return session, tokens_out(session, access, refresh)


def _expired():
    return AppError(401, "token_expired", "登录已过期，请重新登录")


def rotate(request, refresh_token: str, *, kind: str) -> tuple[AppSession, dict]:
    """Spend a refresh token: (the session, its new tokens). The one implementation of rotation
    for citizens and staff; the staff door reads the signed-in user from the session."""
    device = device_id(request)
    token = str(refresh_token or "")
    if not token.startswith(REFRESH_PREFIX) or len(token) > 80:
        raise _expired()
    digest = _digest(token, "app_refresh")
    now = timezone.now()
    # A rotated token seen again: someone holds a copy. End the session for everyone (outside
    # the rotation's transaction, which the refusal rolls back).
    AppSession.objects.filter(
        previous_refresh_digest=digest, kind=kind, revoked_at__isnull=True
    ).update(revoked_at=now, revoke_reason="refresh_reused")
    with transaction.atomic():
        session = (
            AppSession.objects.select_for_update().filter(refresh_digest=digest, kind=kind).first()
        )
        if session is None:
            raise _expired()
        if (
            session.revoked_at is not None
            or session.refresh_expires_at <= now
            or session.device_id != device
            or not _owner_active(session)
        ):
            raise _expired()
        access, refresh = _new_pair()
        access_life, _ = _lifetimes(kind)
        session.previous_refresh_digest = session.refresh_digest
        session.refresh_digest = _digest(refresh, "app_refresh")
        session.access_digest = _digest(access, "app_access")
        session.access_expires_at = now + access_life
        session.last_used_at = now
        session.save(
            update_fields=[
                "previous_refresh_digest",
                "refresh_digest",
                "access_digest",
                "access_expires_at",
                "last_used_at",
            ]
        )
    return session, tokens_out(session, access, refresh)


def _owner_active(session: AppSession) -> bool:
    if session.kind == AppSession.Kind.STAFF:
        return session.user is not None and session.user.is_active
    return session.account is not None and session.account.is_active


def session_for(request, token: str, kind: str) -> AppSession | None:
    """The live session whose access token this is, on the device the request names."""
    token = str(token or "")
    if not token.startswith(ACCESS_PREFIX) or len(token) > 80:
        return None
    device = (request.headers.get(DEVICE_HEADER) or "").strip()
    digest = _digest(token, "app_access")
    session = (
        AppSession.objects.select_related("account", "user")
        .filter(access_digest=digest, kind=kind, revoked_at__isnull=True)
        .first()
    )
    now = timezone.now()
    if session is not None and session.device_id != device:
        _token_refused(session, "other_device")  # a copied token, used from another device
        return None
    if session is None:
        ended = AppSession.objects.filter(access_digest=digest, kind=kind).first()
        if ended is not None and ended.revoked_at is not None:
            _token_refused(ended, "revoked")  # a token used after sign-out or a reuse alarm
        return None
    if session.access_expires_at <= now or not _owner_active(session):
        return None
    if now - session.last_used_at > timedelta(minutes=1):  # not a write on every request
        AppSession.objects.filter(pk=session.pk).update(last_used_at=now)
    return session


def _token_refused(session: AppSession, why: str) -> None:
    from backend_bridge.signals import abuse_refused

    abuse_refused.send(
        None,
        kind="app_token_refused",
        details={"session": session.pk, "kind": session.kind, "reason": why},
    )


def revoke(session: AppSession, reason: str = "logout") -> None:
    AppSession.objects.filter(pk=session.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoke_reason=reason
    )


def revoke_all(session: AppSession, reason: str = "logout_all") -> int:
    """End every session of the same citizen or staff member (all devices)."""
    owner = {"account": session.account} if session.account_id else {"user": session.user}
    return AppSession.objects.filter(kind=session.kind, revoked_at__isnull=True, **owner).update(
        revoked_at=timezone.now(), revoke_reason=reason
    )


class _SessionBearer(HttpBearer):
    kind = ""

    def authenticate(self, request, token):
        session = session_for(request, token, self.kind)
        if session is not None:
            request.app_session = session
        return session


class CitizenAuth(_SessionBearer):
    """A citizen's access token on the device it was issued to."""

    kind = AppSession.Kind.CITIZEN


class StaffAuth(_SessionBearer):
    """A staff member's access token on the device it was issued to."""

    kind = AppSession.Kind.STAFF


def optional_citizen(request) -> AppSession | None:
    """The citizen's session when the request carries a valid one (submissions without an
    account work as on the portal)."""
    header = request.headers.get("Authorization") or ""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    session = session_for(request, token.strip(), AppSession.Kind.CITIZEN)
    if session is None:
        raise AppError(401, "unauthenticated", "请先登录或登录已过期")
    return session

"""Lookup (查询) by query code plus a second factor, with lockout, and short-lived access tokens.

The second factor is either the last 6 characters of the ID number, or the phone of the
submission with an SMS code (purpose ``lookup``). Wrong attempts are counted per query code and
per IP address (``backend_bridge.ratelimit``); past the limit the lookup is locked for a while.
Unknown codes and wrong factors get the same answer, so codes cannot be probed.

A successful lookup yields an access token (signed, 30 minutes) that evaluation and follow-up
require, so they need no second lookup.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from django.core import signing

from backend_bridge import crypto
from backend_bridge.models import EVALUABLE_STATUSES, FINAL_STATUSES, Submission
from backend_bridge.ratelimit import RateLimit

from . import phone as phone_service
from .errors import InvalidInput, LockedOut, LookupFailed
from .limits import time_limits
from .submission import normalize_query_code, query_code_indexes

FAILS_PER_CODE = RateLimit("bridge-lookup-code", 5, 1800)
FAILS_PER_IP = RateLimit("bridge-lookup-ip", 20, 3600)
TOKEN_SALT = "backend_bridge.lookup"  # noqa: S105 - a signing namespace, not a secret
TOKEN_MAX_AGE = 30 * 60


@dataclass
class LookupView:
    """What the citizen sees after a lookup: no unmasked personal data."""

    submission: Submission
    access_token: str

    @property
    def timeline(self):
        return list(self.submission.events.order_by("occurred_at", "id"))

    @property
    def limits(self):
        return time_limits(self.submission)

    @property
    def can_evaluate(self) -> bool:
        return self.submission.status in EVALUABLE_STATUSES and not hasattr_evaluation(
            self.submission
        )

    @property
    def can_follow_up(self) -> bool:
        return self.submission.status not in FINAL_STATUSES


def hasattr_evaluation(submission: Submission) -> bool:
    from backend_bridge.models import Evaluation

    return Evaluation.objects.filter(submission=submission).exists()


def _locked(code: str, ip: str) -> int:
    for limit, ident in ((FAILS_PER_CODE, code), (FAILS_PER_IP, ip or "-")):
        decision = limit.peek(ident)
        if not decision.allowed:
            return decision.retry_after
    return 0


def _refuse_if_locked(code: str, ip: str | None) -> None:
    retry_after = _locked(code, ip)
    if retry_after:
        from backend_bridge.signals import abuse_refused

        abuse_refused.send(
            None, kind="lookup_locked", ip=ip or "", details={"retry_after": retry_after}
        )
        raise LockedOut(
            "locked",
            f"验证失败次数过多，请{_minutes(retry_after)}分钟后再试。",
            details={"retry_after": retry_after},
        )


def _minutes(seconds: int) -> int:
    return max(1, (seconds + 59) // 60)


def lookup(
    query_code: str, *, id_tail: str = "", phone: str = "", sms_code: str = "", ip: str = ""
) -> LookupView:
    code = normalize_query_code(query_code)
    id_tail = "".join((id_tail or "").split()).upper()
    errors = {}
    if not code:
        errors["query_code"] = ["请填写查询码。"]
    if not id_tail and not (phone or "").strip():
        errors["id_tail"] = ["请填写身份证号码后6位，或改用手机号加短信验证码验证。"]
    elif not id_tail and not (sms_code or "").strip():
        errors["sms_code"] = ["请填写短信验证码。"]
    elif id_tail and len(id_tail) != 6:
        errors["id_tail"] = ["请填写身份证号码的后6位。"]
    if errors:
        raise InvalidInput(errors)
    _refuse_if_locked(code, ip)

    submission = (
        Submission.objects.select_related("portal")
        .filter(query_code_index__in=query_code_indexes(code))
        .first()
    )
    ok = False
    if submission is not None:
        if id_tail:
            ok = hmac.compare_digest(submission.id_number[-6:].upper(), id_tail)
        else:
            from django.core.exceptions import ValidationError

            from backend_bridge.idcard import validate_mobile

            try:
                normalized = validate_mobile(phone)
            except ValidationError as exc:
                raise InvalidInput({"phone": list(exc.messages)}) from exc
            if any(
                hmac.compare_digest(candidate, submission.phone_index)
                for candidate in crypto.blind_indexes(normalized, "phone")
            ):
                try:
                    phone_service.check_code(normalized, phone_service.LOOKUP, sms_code)
                    ok = True
                except InvalidInput:
                    ok = False
    if not ok:
        FAILS_PER_CODE.hit(code)
        FAILS_PER_IP.hit(ip or "-")
        _refuse_if_locked(code, ip)
        left = FAILS_PER_CODE.limit - FAILS_PER_CODE.peek(code).count
        raise LookupFailed(
            "lookup_failed",
            f"查询码或验证信息不正确，还可尝试{left}次。",
            details={"attempts_left": left},
        )
    FAILS_PER_CODE.reset(code)
    return LookupView(submission=submission, access_token=issue_access_token(submission))


def issue_access_token(submission: Submission) -> str:
    return signing.dumps(str(submission.reference), salt=TOKEN_SALT, compress=False)


def submission_for_token(token: str) -> Submission:
    """The submission an access token opens, or ``LookupFailed`` (expired or forged)."""
    try:
        reference = signing.loads(token or "", salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature as exc:
        raise LookupFailed(
            "access_expired", "查询已过期，请重新输入查询码查询。", status=401
        ) from exc
    submission = Submission.objects.select_related("portal").filter(reference=reference).first()
    if submission is None:
        raise LookupFailed("access_expired", "查询已过期，请重新输入查询码查询。", status=401)
    return submission


def view_for_token(token: str) -> LookupView:
    return LookupView(submission=submission_for_token(token), access_token=token)

"""Real-name check (实名核验) of a writer's name and ID number with the configured provider.

The check is a paid service over personal data, so it must not become an oracle for testing
name–ID pairs: :func:`verify_writer` first makes the writer prove the phone (the SMS code is
checked, not yet spent), then counts the check against limits per phone, ID number and address,
and only then asks the provider. Someone who has not proved the phone learns nothing about the
name and ID number. A mismatch is the citizen's error to correct (a field error, nothing stored,
the SMS code not spent). A provider that cannot answer must not cost the citizen the submission:
it is stored and marked for staff to verify.
"""

import hashlib
import hmac
import logging

from django.conf import settings
from django.core.cache import cache

from backend_bridge.models import IdentityCheck
from backend_bridge.providers import ProviderError, get_id_verifier
from backend_bridge.ratelimit import RateLimit, hit_all

from . import phone as phone_service
from .errors import InvalidInput, LockedOut

logger = logging.getLogger(__name__)

DAY = 86400
# (scope, setting, default per day): how many real-name checks one phone, one ID number and one
# network address may cause in a day.
LIMITS = (
    ("phone", "IDCHECK_LIMIT_PHONE_DAY", 5),
    ("id", "IDCHECK_LIMIT_ID_DAY", 5),
    ("ip", "IDCHECK_LIMIT_IP_DAY", 30),
)


def verify_identity(name: str, id_number: str) -> str:
    """The IdentityCheck value for this writer; raises InvalidInput when name and ID disagree.
    Callers outside this module go through :func:`verify_writer`."""
    if not id_number:
        return IdentityCheck.NOT_GIVEN
    try:
        matches = get_id_verifier().verify(name, id_number)
    except ProviderError as exc:
        logger.warning("identity verification unavailable: %s", exc)
        return IdentityCheck.UNAVAILABLE
    if not matches:
        raise InvalidInput({"id_number": ["姓名与身份证号码不一致，请核对后重新填写。"]})
    return IdentityCheck.VERIFIED


def _count_check(phone: str, id_number: str, ip: str) -> None:
    idents = {"phone": phone, "id": id_number, "ip": ip or "unknown"}
    limits = [
        (RateLimit(f"idcheck-{scope}", getattr(settings, name, default), DAY, buckets=24), scope)
        for scope, name, default in LIMITS
        if getattr(settings, name, default) > 0
    ]
    refused = hit_all((limit, idents[scope]) for limit, scope in limits)
    if refused is not None:
        limit, decision = refused
        logger.info("real-name check refused by limit %s", limit.name)
        raise LockedOut(
            "identity_rate_limited",
            "今日实名核验次数已达上限，请明天再试，或拨打信访服务电话咨询。",
            details={"retry_after": decision.retry_after},
        )


def _verified_key(name: str, id_number: str) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"{name}|{id_number}".encode(), hashlib.sha256
    ).hexdigest()[:32]
    return f"bb:idcheck-ok:{digest}"


def verify_writer(name: str, id_number: str, phone: str, sms_code: str, *, ip: str = "") -> str:
    """Prove the phone, then check the name and ID number, then spend the SMS code.

    A pair verified in the last day is not checked (nor counted) again: a citizen writing
    several times a day is not locked out, and the paid service is asked once. Returns the
    IdentityCheck value; raises InvalidInput (a wrong code on ``sms_code``, a mismatch on
    ``id_number``) or LockedOut (too many checks)."""
    phone_service.check_code(phone, phone_service.SUBMIT, sms_code, consume=False)
    if id_number and cache.get(_verified_key(name, id_number)):
        identity = IdentityCheck.VERIFIED
    else:
        if id_number:
            _count_check(phone, id_number, ip)
        identity = verify_identity(name, id_number)
        if identity == IdentityCheck.VERIFIED:
            cache.set(_verified_key(name, id_number), True, timeout=DAY)
    phone_service.check_code(phone, phone_service.SUBMIT, sms_code)
    return identity

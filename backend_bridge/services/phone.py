"""The bridge's one door to SMS verification (``backend_bridge.verification``).

Purposes: ``SUBMIT`` confirms the phone of a new submission, ``LOOKUP`` is the second factor of a
lookup. The verification module (codes, rate limits, captcha) belongs to the providers' part.
"""

from __future__ import annotations

from .errors import InvalidInput

SUBMIT = "submit"
LOOKUP = "lookup"


def check_code(
    phone: str, purpose: str, code: str, *, field: str = "sms_code", consume: bool = True
) -> None:
    """Consume a valid SMS code (or, with ``consume=False``, only check it) or raise
    ``InvalidInput`` on ``field`` with the zh message."""
    from backend_bridge import verification

    if not (code or "").strip():
        raise InvalidInput({field: ["请填写短信验证码。"]})
    try:
        verification.check_code(phone, purpose, code.strip(), consume=consume)
    except verification.VerificationError as exc:
        raise InvalidInput({field: [str(getattr(exc, "message", exc))]}) from exc

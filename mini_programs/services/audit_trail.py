"""What the canteen's screens and API write to the security audit log (``audit``): exports,
unmasked views of diners' phone numbers, and refused attempts at other diners' orders.

A refusal or an export stands even if its record cannot be written (the audit app logs why)."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def _record(category: str, action: str, **kwargs) -> None:
    try:
        from audit import services

        services.record(category, action, **kwargs)
    except Exception:  # noqa: BLE001 - never turn a refusal or an export into a 500
        logger.exception("audit record %s could not be written", action)


def exported(request, action: str, target: str, *, unmasked: bool = False, reason: str = ""):
    from audit.models import Category

    details = {"unmasked": unmasked}
    if unmasked:
        details["reason"] = reason
    _record(Category.EXPORT, action, request=request, target=target, details=details)
    if unmasked:
        _record(
            Category.PERSONAL_DATA,
            "diner_phone_revealed",
            request=request,
            target=target,
            details={"fields": "phone", "reason": reason},
        )


def order_access_denied(request, diner_id: int, order_id: int, attempt: str) -> None:
    """A signed-in diner asked for an order that is not theirs (reading, changing, cancelling,
    or guessing ids): answered 404, recorded as a refused access."""
    from audit.models import Category, Outcome

    _record(
        Category.ACCESS,
        "mp_order_access_denied",
        request=request,
        username=f"diner:{diner_id}",
        target=f"订单 #{order_id}",
        outcome=Outcome.DENIED,
        details={"attempt": attempt},
    )

"""What a citizen keeps of a submission: the query code, sent by SMS to the phone that was just
proven, and the facts the confirmation page and the printable receipt show.

The query code is never stored in clear (only its blind index), so it is sent once, right after
the submission is committed, from the request that made it; a gateway that fails does not undo
the submission (the page shows the code anyway and says the SMS did not go out).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils import timezone

from backend_bridge.providers import ProviderError, get_sms_provider

logger = logging.getLogger(__name__)

KIND_NAMES = {"leader_message": "留言", "suggestion": "建议"}


def send_query_code(phone: str, query_code: str) -> bool:
    """Text the query code to ``phone`` through the configured SMS provider; True when the
    gateway accepted it."""
    template = getattr(settings, "SMS_TEMPLATE_QUERY_CODE", "") or "query_code"
    names = getattr(settings, "SMS_QUERY_CODE_PARAMS", None) or ["code"]
    params = {name: value for name, value in {"code": query_code}.items() if name in names}
    try:
        get_sms_provider().send(phone, template, params)
    except ProviderError as error:
        logger.warning("query code SMS to %s***%s not sent: %s", phone[:3], phone[-2:], error)
        return False
    return True


def text_query_code(accepted) -> bool:
    """Text the query code of a committed submission to its writer's phone; every front door
    calls this after its transaction (a code must never go out for a rolled-back one)."""
    accepted.sms_sent = send_query_code(accepted.submission.phone, accepted.query_code)
    return accepted.sms_sent


def confirmation(accepted) -> dict:
    """The facts of the confirmation page and the receipt (kept in the citizen's session only)."""
    submission = accepted.submission
    return {
        "query_code": accepted.query_code,
        "title": submission.title,
        "duplicate": submission.is_duplicate_suspect,
        "kind": submission.kind,
        "kind_name": KIND_NAMES.get(submission.kind, "信访事项"),
        "reference": str(submission.reference),
        "portal_name": submission.portal.name,
        "submitted_at": timezone.localtime(submission.created_at).strftime("%Y年%m月%d日 %H:%M"),
        "masked_phone": submission.masked_phone,
        "sms_sent": accepted.sms_sent,
        "shown_at": timezone.now().timestamp(),
    }

"""Status coming back from the case system: the signed webhook, the periodic pull, and the
built-in inbox's status changes, all ending in ``record_event``.

Events are de-duplicated by the case system's event id (the same event may arrive by webhook
and by pull, or twice), and the submission's current status is that of its latest event, so
events arriving out of order do not move a case backwards.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from backend_bridge import crypto
from backend_bridge.case_system import CaseSystemError, get_client
from backend_bridge.models import FINAL_STATUSES, Status, StatusEvent, Submission
from backend_bridge.signals import status_changed

from .errors import BridgeError

logger = logging.getLogger(__name__)

STATUS_NOTES = {
    Status.ACCEPTED: "信访事项已受理。",
    Status.NOT_ACCEPTED: "信访事项不予受理。",
    Status.TRANSFERRED: "信访事项已转交有权处理的机关办理。",
    Status.HANDLING: "信访事项正在办理。",
    Status.EXTENDED: "办理期限已依法延长。",
    Status.REPLIED: "已出具处理意见。",
    Status.CLOSED: "信访事项已办结。",
}


def _when(value) -> datetime:
    if isinstance(value, datetime):
        moment = value
    else:
        moment = parse_datetime(str(value or "")) if value else None
    if moment is None:
        return timezone.now()
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def record_event(
    submission: Submission,
    *,
    status: str,
    occurred_at=None,
    note: str = "",
    origin: str,
    external_id: str = "",
    reply: str | None = None,
    handling_unit: str | None = None,
    extension_days: int | None = None,
    user=None,
) -> StatusEvent | None:
    """Add a timeline entry and bring the submission up to date; None if already recorded."""
    if status not in Status.values:
        raise BridgeError("invalid_status", f"未知的状态：{status}", status=422)
    occurred_at = _when(occurred_at)
    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=submission.pk)
        if external_id and submission.events.filter(external_id=external_id).exists():
            return None
        try:
            with transaction.atomic():
                event = StatusEvent.objects.create(
                    submission=submission,
                    status=status,
                    note=note or STATUS_NOTES.get(status, ""),
                    occurred_at=occurred_at,
                    origin=origin,
                    external_id=external_id[:64],
                    created_by=user,
                )
        except IntegrityError:
            return None
        latest = submission.events.order_by("-occurred_at", "-id").first()
        changed = ["status_synced_at", "updated_at"]
        previous = submission.status
        if latest.pk == event.pk:
            submission.status = status
            changed.append("status")
        if status == Status.ACCEPTED and not submission.accepted_at:
            submission.accepted_at = occurred_at
            changed.append("accepted_at")
        if status == Status.REPLIED and not submission.replied_at:
            submission.replied_at = occurred_at
            changed.append("replied_at")
        if status in FINAL_STATUSES and not submission.closed_at:
            submission.closed_at = occurred_at
            changed.append("closed_at")
        if reply is not None and reply != "":
            submission.reply = reply
            changed.append("reply")
        if handling_unit:
            submission.handling_unit = handling_unit[:128]
            changed.append("handling_unit")
        if extension_days is not None:
            submission.extension_days = max(0, min(int(extension_days), 365))
            changed.append("extension_days")
        submission.status_synced_at = timezone.now()
        submission.save(update_fields=changed)
        if submission.status != previous:
            status_changed.send(
                sender=Submission, submission=submission, event=event, previous=previous
            )
    return event


def apply_case_document(submission: Submission, document: dict, *, origin: str) -> int:
    """Apply a status document of the contract (``CaseStatus`` or a webhook ``StatusEvent``)."""
    events = document.get("events")
    if events is None:
        events = [document]
    recorded = 0
    ordered = sorted(events, key=lambda e: _when(e.get("occurred_at")))
    for index, event in enumerate(ordered):
        last = index == len(ordered) - 1
        done = record_event(
            submission,
            status=event.get("status", ""),
            occurred_at=event.get("occurred_at"),
            note=str(event.get("note") or "")[:2000],
            origin=origin,
            external_id=str(event.get("event_id") or ""),
            reply=(document.get("reply") or event.get("reply")) if last else None,
            handling_unit=document.get("handling_unit") if last else None,
            extension_days=document.get("extension_days") if last else None,
        )
        recorded += done is not None
    Submission.objects.filter(pk=submission.pk).update(status_synced_at=timezone.now())
    return recorded


# --- webhook ----------------------------------------------------------------------------------


def handle_webhook(body: bytes, timestamp: str, signature: str, *, now: float | None = None) -> int:
    """Check the signature and replay window of a status webhook, then apply it.

    Raises ``BridgeError`` with status 401 (bad signature), 403 (outside the replay window),
    400 (malformed) or 404 (unknown case).
    """
    secret = settings.CASE_WEBHOOK_SECRET
    if not crypto.verify_signature(secret, timestamp or "", body, signature or ""):
        raise BridgeError("bad_signature", "签名无效", status=401)
    try:
        sent_at = int(timestamp)
    except (TypeError, ValueError) as exc:
        raise BridgeError("bad_timestamp", "时间戳无效", status=403) from exc
    now = time.time() if now is None else now
    if abs(now - sent_at) > settings.CASE_WEBHOOK_WINDOW_SECONDS:
        raise BridgeError("stale_request", "请求已过期（时间戳超出允许范围）", status=403)
    try:
        document = json.loads(body)
        if not isinstance(document, dict):
            raise ValueError("not an object")
    except ValueError as exc:
        raise BridgeError("invalid_json", "请求体不是有效的 JSON 对象", status=400) from exc
    _check_events(document)
    submission = find_case(document)
    if submission is None:
        raise BridgeError("unknown_case", "找不到对应的信访件", status=404)
    return apply_case_document(submission, document, origin=StatusEvent.Origin.WEBHOOK)


def _check_events(document: dict) -> None:
    """Every event of a webhook must be what the contract says (docs/case-system-openapi.yaml,
    ``StatusEvent``): an ``event_id``, a known ``status`` and a readable ``occurred_at``.
    Anything else is refused whole with 400, before any event is recorded."""
    events = document.get("events", [document])
    if not isinstance(events, list) or not events:
        raise BridgeError("invalid_events", "events 必须是非空数组", status=400)
    for number, event in enumerate(events, start=1):
        where = f"第 {number} 个事件" if "events" in document else "事件"
        if not isinstance(event, dict):
            raise BridgeError("invalid_events", f"{where}不是 JSON 对象", status=400)
        event_id = event.get("event_id")
        if not isinstance(event_id, str | int) or not str(event_id).strip():
            raise BridgeError("missing_event_id", f"{where}缺少 event_id", status=400)
        if len(str(event_id)) > 128:
            raise BridgeError("invalid_event_id", f"{where}的 event_id 过长", status=400)
        if event.get("status") not in Status.values:
            raise BridgeError("invalid_status", f"{where}的 status 不是约定的状态", status=400)
        occurred_at = event.get("occurred_at")
        if not isinstance(occurred_at, str) or parse_datetime(occurred_at) is None:
            raise BridgeError(
                "invalid_occurred_at", f"{where}的 occurred_at 不是 ISO 8601 时间", status=400
            )


def find_case(document: dict) -> Submission | None:
    reference = str(document.get("reference") or "")
    case_id = str(document.get("case_id") or "")
    query = Q()
    if reference:
        try:
            import uuid

            query |= Q(reference=uuid.UUID(reference))
        except ValueError:
            pass
    if case_id:
        query |= Q(case_number=case_id)
    if not query:
        return None
    return Submission.objects.filter(query).first()


# --- pull -------------------------------------------------------------------------------------


def stale_cases(now=None):
    now = now or timezone.now()
    threshold = now - timedelta(minutes=settings.BRIDGE_PULL_STALE_MINUTES)
    return (
        Submission.objects.exclude(case_number="")
        .exclude(status__in=FINAL_STATUSES)
        .filter(Q(status_synced_at__isnull=True) | Q(status_synced_at__lt=threshold))
        .order_by("status_synced_at", "id")
    )


def pull(limit: int = 200, client=None) -> dict:
    """Fetch the status of cases not updated for a while; returns counts."""
    client = client or get_client()
    counts = {"checked": 0, "events": 0, "errors": 0}
    if client.is_inbox:
        return counts
    for submission in stale_cases()[:limit]:
        counts["checked"] += 1
        try:
            document = client.get_case(submission.case_number)
        except CaseSystemError as exc:
            counts["errors"] += 1
            logger.warning("pull of case %s failed: %s", submission.case_number, exc)
            continue
        if document:
            counts["events"] += apply_case_document(
                submission, document, origin=StatusEvent.Origin.PULL
            )
    return counts

"""The transactional outbox towards the case system and the worker that drains it.

Claiming: on PostgreSQL ``SELECT … FOR UPDATE SKIP LOCKED`` picks due items that no other worker
holds, and they get a lease (``lease_token``, ``lease_until``) in the same transaction; on SQLite
each candidate is taken with a conditional UPDATE (SQLite serialises writers). An item is due
when it is pending, its ``next_attempt_at`` has come, it holds no live lease (an expired lease is
a crashed worker's: the item is taken again) and every earlier item of its submission has been
delivered (in order per submission). Results are written only by the holder of the lease.

Exactly once on the case system's side: each request carries the item's idempotency key (one per
submission for the case itself), so a retry after a timeout that hid a success is answered with
the first result. Failures count, keep their reason and wait with exponential backoff; nothing
is ever dropped.
"""

from __future__ import annotations

import base64
import logging
import random
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, F, Max, OuterRef, Q
from django.utils import timezone

from backend_bridge.case_system import CaseSystemError, get_client
from backend_bridge.models import (
    CaseNote,
    Evaluation,
    FollowUp,
    OutboxItem,
    StatusEvent,
    Submission,
)

logger = logging.getLogger(__name__)


@dataclass
class RunStats:
    claimed: int = 0
    delivered: int = 0
    failed: int = 0


# --- writing ----------------------------------------------------------------------------------


def enqueue(submission: Submission, kind: str, object_id: int | None = None) -> OutboxItem:
    """Append an item after the submission's earlier ones; call inside the caller's transaction."""
    Submission.objects.select_for_update().filter(pk=submission.pk).first()
    last = submission.outbox_items.aggregate(m=Max("sequence"))["m"] or 0
    return OutboxItem.objects.create(
        submission=submission,
        kind=kind,
        sequence=last + 1,
        object_id=object_id,
        idempotency_key=f"{kind}-{uuid.uuid4()}",
    )


# --- claiming ---------------------------------------------------------------------------------


def _due(now):
    earlier_undelivered = OutboxItem.objects.filter(
        submission=OuterRef("submission"), sequence__lt=OuterRef("sequence")
    ).exclude(state=OutboxItem.State.DELIVERED)
    return OutboxItem.objects.filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now),
        state=OutboxItem.State.PENDING,
        next_attempt_at__lte=now,
    ).filter(~Exists(earlier_undelivered))


def lease_seconds() -> int:
    return settings.BRIDGE_LEASE_SECONDS


def lease_rows(due, batch: int, lease: dict) -> list[int]:
    """Give ``lease`` (field values) to up to ``batch`` rows of the queryset ``due``, oldest due
    first, that no other caller holds; returns their ids. Shared by every outbox of the project.

    PostgreSQL: ``SELECT … FOR UPDATE SKIP LOCKED`` and one UPDATE in a transaction. SQLite (one
    writer at a time): a conditional UPDATE per candidate, so a row taken meanwhile is skipped.
    """
    ordered = due.order_by("next_attempt_at", "id").values_list("id", flat=True)
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            ids = list(ordered.select_for_update(skip_locked=True, of=("self",))[:batch])
            due.model.objects.filter(pk__in=ids).update(**lease)
        return ids
    return [pk for pk in list(ordered[:batch]) if due.filter(pk=pk).update(**lease) == 1]


def renew_lease(model, token: str, ids, seconds: int) -> int:
    """Extend this caller's lease on the rows ``ids`` it still holds; returns how many.

    Called before each item of a batch, so that the items still waiting in a long batch are never
    taken over by a second worker while the first is busy with the ones before them (shared by
    every outbox of the project, like ``lease_rows``).
    """
    ids = list(ids)
    if not ids:
        return 0
    return model.objects.filter(pk__in=ids, lease_token=token).update(
        lease_until=timezone.now() + timedelta(seconds=seconds)
    )


def claim(batch: int = 20, *, now=None) -> tuple[str, list[int]]:
    """Lease up to ``batch`` due items to this caller: (lease token, item ids)."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    lease = {"lease_token": token, "lease_until": now + timedelta(seconds=lease_seconds())}
    return token, lease_rows(_due(now), batch, lease)


# --- delivering -------------------------------------------------------------------------------


def backoff_seconds(attempts: int) -> float:
    """30 s, 60 s, 120 s … capped at BRIDGE_BACKOFF_MAX_SECONDS, with ±10 % jitter."""
    base = settings.BRIDGE_BACKOFF_BASE_SECONDS * (2 ** min(max(attempts - 1, 0), 20))
    delay = min(base, settings.BRIDGE_BACKOFF_MAX_SECONDS)
    return delay * random.uniform(0.9, 1.1)


def submit_payload(submission: Submission) -> dict:
    """The case as the contract's ``CaseSubmission`` (personal data decrypted only here)."""
    attachments = []
    for attachment in submission.attachments.all():
        with attachment.file.open("rb") as handle:
            content = handle.read()
        attachments.append(
            {
                "name": attachment.original_name,
                "content_type": attachment.content_type,
                "size": attachment.size,
                "sha256": attachment.sha256,
                "content_base64": base64.b64encode(content).decode(),
            }
        )
    return {
        "reference": str(submission.reference),
        "portal": {"code": submission.portal.code, "name": submission.portal.name},
        "kind": submission.kind,
        "leader": {
            "id": submission.leader.pk,
            "name": submission.leader.name,
            "title": submission.leader.title,
        }
        if submission.leader
        else None,
        "domain": {"id": submission.domain.pk, "name": submission.domain.name}
        if submission.domain
        else None,
        "campaign": {"id": submission.campaign.pk, "title": submission.campaign.title}
        if submission.campaign
        else None,
        "publish_consent": submission.publish_consent,
        "channel": submission.channel,
        "source": submission.source,
        "priority": submission.priority,
        "type": submission.petition_type,
        "title": submission.title,
        "content": submission.content,
        "region": {"code": submission.region_code, "name": submission.region_name},
        "address": submission.address,
        "respondent": submission.respondent,
        "petitioner": {
            "name": submission.name,
            "id_number": submission.id_number,
            "phone": submission.phone,
        },
        "flags": {
            "needs_moderation": submission.needs_moderation,
            "duplicate_of": str(submission.duplicate_of.reference)
            if submission.duplicate_of
            else None,
        },
        "attachments": attachments,
        "submitted_at": submission.created_at.isoformat(),
    }


def deliver(item: OutboxItem, client=None) -> None:
    """Send one item; raises ``CaseSystemError`` when it did not get through."""
    from .status import apply_case_document

    client = client or get_client()
    submission = item.submission
    if item.kind == OutboxItem.Kind.SUBMIT:
        result = client.submit_case(submit_payload(submission), item.idempotency_key)
        Submission.objects.filter(pk=submission.pk).update(case_number=str(result["case_id"])[:64])
        submission.case_number = str(result["case_id"])[:64]
        if result.get("status"):
            apply_case_document(submission, result, origin="pull")
        return
    if not submission.case_number:  # cannot happen while items are delivered in order
        raise CaseSystemError("信访件尚未送达案件系统，暂无案件编号")
    if item.kind == OutboxItem.Kind.EVALUATION:
        evaluation = Evaluation.objects.get(pk=item.object_id)
        payload = {
            "rating": evaluation.rating,
            "reason": evaluation.reason,
            "evaluated_at": evaluation.created_at.isoformat(),
        }
        client.submit_evaluation(submission.case_number, payload, item.idempotency_key)
    elif item.kind == OutboxItem.Kind.FOLLOW_UP:
        follow_up = FollowUp.objects.get(pk=item.object_id)
        payload = {
            "content": follow_up.content,
            "needs_moderation": follow_up.needs_moderation,
            "added_at": follow_up.created_at.isoformat(),
        }
        client.submit_follow_up(submission.case_number, payload, item.idempotency_key)
    elif item.kind == OutboxItem.Kind.ACTION:
        event = StatusEvent.objects.select_related("created_by").get(pk=item.object_id)
        payload = {
            "type": "status",
            "status": event.status,
            "note": event.note,
            "reply": submission.reply if event.status == "replied" else "",
            "extension_days": submission.extension_days,
            "staff": event.created_by.get_username() if event.created_by else "",
            "acted_at": event.occurred_at.isoformat(),
        }
        result = client.submit_action(submission.case_number, payload, item.idempotency_key)
        # The case system's id of the step: its webhook or pull echoing it is recorded once.
        event_id = str((result or {}).get("event_id") or "")[:64]
        if event_id and not event.external_id:
            StatusEvent.objects.filter(pk=event.pk, external_id="").update(external_id=event_id)
    elif item.kind == OutboxItem.Kind.NOTE:
        note = CaseNote.objects.select_related("created_by").get(pk=item.object_id)
        payload = {
            "type": "note",
            "note": note.content,
            "staff": note.created_by.get_username() if note.created_by else "",
            "acted_at": note.created_at.isoformat(),
        }
        client.submit_action(submission.case_number, payload, item.idempotency_key)
    else:
        raise CaseSystemError(f"未知的消息类型：{item.kind}")


def process(item_id: int, token: str, client=None) -> bool:
    """Deliver a leased item and record the outcome (only while this lease still holds it)."""
    item = OutboxItem.objects.select_related("submission__portal").filter(pk=item_id).first()
    if item is None or item.lease_token != token:
        return False
    now = timezone.now()
    try:
        deliver(item, client)
    except Exception as exc:  # noqa: BLE001 - a worker must survive anything and record it
        if not isinstance(exc, CaseSystemError):
            logger.exception("outbox item %s failed unexpectedly", item_id)
        reason = (
            f"{type(exc).__name__}: {exc}" if not isinstance(exc, CaseSystemError) else str(exc)
        )
        failed_at = timezone.now()
        OutboxItem.objects.filter(pk=item_id, lease_token=token).update(
            attempts=F("attempts") + 1,
            last_error=reason[:2000],
            last_attempt_at=failed_at,
            next_attempt_at=failed_at + timedelta(seconds=backoff_seconds(item.attempts + 1)),
            lease_token="",
            lease_until=None,
        )
        return False
    OutboxItem.objects.filter(pk=item_id, lease_token=token).update(
        state=OutboxItem.State.DELIVERED,
        delivered_at=timezone.now(),
        last_attempt_at=now,
        lease_token="",
        lease_until=None,
    )
    return True


def run_once(batch: int = 20, client=None) -> RunStats:
    """Claim and deliver batches until nothing is due (one drain pass).

    Items unblocked by a delivery in this pass (the next item of the same submission) are
    delivered in the same pass; failed items wait for their backoff, so the pass ends.
    """
    stats = RunStats()
    client = client or get_client()
    while True:
        token, ids = claim(batch)
        stats.claimed += len(ids)
        for position, item_id in enumerate(ids):
            renew_lease(OutboxItem, token, ids[position:], lease_seconds())
            if process(item_id, token, client):
                stats.delivered += 1
            else:
                stats.failed += 1
        if not ids:
            return stats


def run_forever(batch: int = 20, interval: float = 2.0, stop=lambda: False) -> None:
    while not stop():
        stats = run_once(batch)
        if stats.claimed == 0:
            time.sleep(interval)


# --- staff actions ----------------------------------------------------------------------------


def retry_now(item_ids=None) -> int:
    """Make failing items due at once (one, several, or all pending); returns how many."""
    items = OutboxItem.objects.filter(state=OutboxItem.State.PENDING)
    if item_ids is not None:
        items = items.filter(pk__in=list(item_ids))
    return items.update(next_attempt_at=timezone.now())


def problem_items(stuck_after: timedelta = timedelta(hours=1)):
    """Items that failed at least once or have waited longer than ``stuck_after``."""
    now = timezone.now()
    return (
        OutboxItem.objects.filter(state=OutboxItem.State.PENDING)
        .filter(Q(attempts__gt=0) | Q(created_at__lt=now - stuck_after))
        .select_related("submission__portal")
        .order_by("created_at")
    )

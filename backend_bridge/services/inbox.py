"""The built-in case inbox for staff (used when no case system URL is configured), the outbox
view for staff, and the audit log of unmasked personal data.

Handling staff (受理, 办理 roles) see the submissions of their own portals (their Wagtail groups
are named after the portal); content roles (编辑, 审核, 终审, 管理员) never do; superusers see
all. Personal data is masked everywhere; revealing it requires a reason, is allowed to a portal's
办理 role, and is written to ``PiiAccessLog`` and the audit log (``pii_revealed`` signal).

Every front door of staff (the Wagtail admin's inbox, the staff simple-handling APP in
``channels.app.staff``) acts through :func:`handle` and :func:`add_note`. When a case system is
configured, each step and note is also queued in the outbox (kinds ``action`` and ``note``) in
the same transaction, and reaches the case system like a citizen's evaluation does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet

from backend_bridge.case_system import uses_inbox
from backend_bridge.models import (
    CaseNote,
    OutboxItem,
    PiiAccessLog,
    Status,
    StatusEvent,
    Submission,
)

from . import outbox
from .errors import InvalidInput, NotAllowed
from .status import record_event
from .submission import _clean_text

MAX_NOTE = 2000
MAX_EXTENSION_DAYS = 30

UNMASK_ROLES = ("handler",)


def _portal_roles(user) -> dict[int, set[str]]:
    """{portal id: roles} of the user's portal groups ("<portal name>-<role in Chinese>")."""
    from sites.models import Portal
    from sites.registry import ROLES

    by_group_name = {}
    for portal in Portal.objects.only("id", "name"):
        for role, label in ROLES.items():
            by_group_name[f"{portal.name}-{label}"] = (portal.pk, role)
    roles: dict[int, set[str]] = {}
    for name in user.groups.values_list("name", flat=True):
        if name in by_group_name:
            portal_id, role = by_group_name[name]
            roles.setdefault(portal_id, set()).add(role)
    return roles


def portal_ids_for(user) -> list[int]:
    """Ids of the portals the user is staff of (by their portal groups)."""
    return list(_portal_roles(user))


def portal_ids_with_roles(user, roles) -> list[int]:
    """Ids of the portals where the user holds one of ``roles`` (e.g. ("admin", "handler"))."""
    wanted = set(roles)
    return [pid for pid, held in _portal_roles(user).items() if held & wanted]


def handling_portal_ids(user) -> list[int]:
    """Ids of the portals where the user holds a handling role (受理 or 办理)."""
    from sites.registry import HANDLING_ROLES

    return [pid for pid, roles in _portal_roles(user).items() if roles & set(HANDLING_ROLES)]


def submissions_for(user) -> QuerySet[Submission]:
    queryset = Submission.objects.select_related("portal")
    if user.is_superuser:
        return queryset
    return queryset.filter(portal_id__in=handling_portal_ids(user))


def can_use_inbox(user) -> bool:
    return user.is_superuser or bool(handling_portal_ids(user))


def can_unmask(user, submission: Submission) -> bool:
    if user.is_superuser:
        return True
    return bool(set(UNMASK_ROLES) & _portal_roles(user).get(submission.portal_id, set()))


def can_handle(user, submission: Submission) -> bool:
    """Changing status, replying and notes: handling staff of the submission's portal. With a
    case system configured the steps are forwarded to it through the outbox."""
    return user.is_superuser or submission.portal_id in handling_portal_ids(user)


def reveal(user, submission: Submission, reason: str, ip: str = "") -> dict:
    """The unmasked personal data, after writing who saw it, when and why."""
    reason = (reason or "").strip()
    if not can_unmask(user, submission):
        raise NotAllowed("forbidden", "您没有查看完整个人信息的权限。", status=403)
    if len(reason) < 2:
        raise InvalidInput({"reason": ["请填写查看事由。"]})
    PiiAccessLog.objects.create(
        user=user,
        username=user.get_username(),
        submission=submission,
        fields="name,id_number,phone",
        reason=reason[:200],
        ip=ip or None,
    )
    from backend_bridge.signals import pii_revealed

    pii_revealed.send(
        Submission,
        user=user,
        submission=submission,
        fields="name,id_number,phone",
        reason=reason[:200],
        ip=ip,
    )
    return {"name": submission.name, "id_number": submission.id_number, "phone": submission.phone}


def handle(
    user,
    submission: Submission,
    *,
    status: str,
    note: str = "",
    reply: str = "",
    extension_days=None,
):
    """A staff member's step in the built-in inbox: new status, note and (optionally) the reply.

    ``extension_days`` may be the text of a form field: empty means no change."""
    if not can_handle(user, submission):
        raise NotAllowed("forbidden", "您无权办理本件。", status=403)
    note, reply = _clean_text(note), _clean_text(reply)
    errors = {}
    if extension_days is not None and str(extension_days).strip() != "":
        text = str(extension_days).strip()
        if not text.isdigit() or int(text) > MAX_EXTENSION_DAYS:
            errors["extension_days"] = [
                f"延长办理天数须为 0 至 {MAX_EXTENSION_DAYS} 之间的整数（依法延长不超过 30 日）。"
            ]
        else:
            extension_days = int(text)
    else:
        extension_days = None
    if status not in Status.values or status == Status.SUBMITTED:
        errors["status"] = ["请选择新的办理状态。"]
    if status == Status.REPLIED and not reply and not submission.reply:
        errors["reply"] = ["“已答复”须填写答复意见。"]
    if status == Status.NOT_ACCEPTED and len(note) < 2:
        errors["note"] = ["“不予受理”须填写理由。"]
    if len(note) > MAX_NOTE:
        errors["note"] = [f"说明不能超过 {MAX_NOTE} 个字。"]
    if len(reply) > 5000:
        errors["reply"] = ["答复意见不能超过 5000 个字。"]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        event = record_event(
            submission,
            status=status,
            note=note,
            origin="inbox",
            reply=reply or None,
            extension_days=extension_days,
            user=user,
        )
        if event is not None and not uses_inbox():
            outbox.enqueue(submission, OutboxItem.Kind.ACTION, event.pk)
    return event


def add_note(user, submission: Submission, content: str) -> CaseNote:
    """An internal note of the staff member on the submission (the citizen never sees it)."""
    if not can_handle(user, submission):
        raise NotAllowed("forbidden", "您无权办理本件。", status=403)
    content = _clean_text(content)
    if len(content) < 2:
        raise InvalidInput({"content": ["请填写备注内容。"]})
    if len(content) > MAX_NOTE:
        raise InvalidInput({"content": [f"备注不能超过 {MAX_NOTE} 个字。"]})
    with transaction.atomic():
        note = CaseNote.objects.create(submission=submission, content=content, created_by=user)
        if not uses_inbox():
            outbox.enqueue(submission, OutboxItem.Kind.NOTE, note.pk)
    return note


# --- the case's handling record ----------------------------------------------------------------


@dataclass(frozen=True)
class CaseStep:
    """One line of a case's handling record for staff: a status step or an internal note, who
    made it and when, and whether it has reached the core case system yet."""

    kind: str  # "event" or "note"
    label: str  # 办理进度的状态 or 办理备注
    at: datetime
    text: str
    user: object | None
    origin: str  # where the step came from, in Chinese
    delivery: str  # "delivered", "pending", "local" (built-in inbox) or "from_case_system"
    delivery_text: str
    outbox_item: OutboxItem | None = None


def _delivery(item: OutboxItem | None, *, from_case_system: bool) -> tuple[str, str]:
    if from_case_system:
        return "from_case_system", "来自案件系统"
    if item is None:
        return "local", "仅在本系统（内置受理台，无需送达）"
    if item.state == OutboxItem.State.DELIVERED:
        from django.utils import timezone

        when = (
            timezone.localtime(item.delivered_at).strftime("%Y-%m-%d %H:%M")
            if item.delivered_at
            else ""
        )
        return "delivered", f"已送达案件系统 {when}".strip()
    text = "待发送至案件系统"
    if item.attempts:
        text += f"（已失败 {item.attempts} 次：{item.last_error[:80]}）"
    return "pending", text


def case_steps(submission: Submission) -> list[CaseStep]:
    """The status steps and internal notes of a submission in time order, with the outbox state
    of each one made here (the notes are never shown to the citizen)."""
    from django.utils import timezone

    items = {}
    for item in submission.outbox_items.filter(
        kind__in=(OutboxItem.Kind.SUBMIT, OutboxItem.Kind.ACTION, OutboxItem.Kind.NOTE)
    ):
        # The submission itself travels as one "submit" item, whatever its object id.
        key = None if item.kind == OutboxItem.Kind.SUBMIT else item.object_id
        items.setdefault((item.kind, key), item)
    steps = []
    for event in submission.events.select_related("created_by"):
        remote = event.origin in (StatusEvent.Origin.WEBHOOK, StatusEvent.Origin.PULL)
        if event.origin == StatusEvent.Origin.PORTAL:
            item = items.get((OutboxItem.Kind.SUBMIT, None))
        else:
            item = items.get((OutboxItem.Kind.ACTION, event.pk))
        state, text = _delivery(item, from_case_system=remote)
        steps.append(
            CaseStep(
                "event",
                event.get_status_display(),
                timezone.localtime(event.occurred_at),
                event.note,
                event.created_by,
                event.get_origin_display(),
                state,
                text,
                item,
            )
        )
    for note in submission.notes.select_related("created_by"):
        item = items.get((OutboxItem.Kind.NOTE, note.pk))
        state, text = _delivery(item, from_case_system=False)
        steps.append(
            CaseStep(
                "note",
                "办理备注",
                timezone.localtime(note.created_at),
                note.content,
                note.created_by,
                "工作人员",
                state,
                text,
                item,
            )
        )
    steps.sort(key=lambda step: step.at)
    return steps

"""The built-in case inbox for staff (used when no case system URL is configured), the outbox
view for staff, and the audit log of unmasked personal data.

Handling staff (受理, 办理 roles) see the submissions of their own portals (their Wagtail groups
are named after the portal); content roles (编辑, 审核, 终审, 管理员) never do; superusers see
all. Personal data is masked everywhere; revealing it requires a reason, is allowed to a portal's
办理 role, and is written to ``PiiAccessLog`` and the audit log (``pii_revealed`` signal).
"""

from __future__ import annotations

from django.db.models import QuerySet

from backend_bridge.case_system import uses_inbox
from backend_bridge.models import PiiAccessLog, Status, Submission

from .errors import InvalidInput, NotAllowed
from .status import record_event

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
    """Changing status and replying: only in inbox mode (otherwise the case system decides)."""
    return uses_inbox() and (user.is_superuser or submission.portal_id in handling_portal_ids(user))


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
    """A staff member's step in the built-in inbox: new status, note and (optionally) the reply."""
    if not can_handle(user, submission):
        raise NotAllowed("forbidden", "当前由案件系统办理，或您无权办理本件。", status=403)
    errors = {}
    if status not in Status.values or status == Status.SUBMITTED:
        errors["status"] = ["请选择新的办理状态。"]
    if status == Status.REPLIED and not reply.strip() and not submission.reply:
        errors["reply"] = ["“已答复”须填写答复意见。"]
    if errors:
        raise InvalidInput(errors)
    return record_event(
        submission,
        status=status,
        note=note.strip()[:2000],
        origin="inbox",
        reply=reply.strip() or None,
        extension_days=extension_days,
        user=user,
    )

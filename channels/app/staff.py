"""The staff simple-handling APP (信访业务简易办理) under /api/app/v1/staff/.

Sign-in: the admin account's user name and password through ``django.contrib.auth.authenticate``
(with the request, so the lockout of the admin login applies here too), then a second factor
checked with django-otp's device API (``devices_for_user``/``match_token``: any confirmed device
type — TOTP, SMS …). A wrong second factor counts as a failed login. The token is bound to the
device (``X-Device-Id``) like a citizen's.

Everything else is the admin case inbox's own service (``backend_bridge.services.inbox``): the
list is ``inbox.submissions_for(user)`` (the staff member's portals and roles), personal data is
masked unless revealed with a reason (``inbox.reveal``, audited in ``PiiAccessLog``), and
accept / decline / reply / close / notes are ``inbox.handle`` and ``inbox.add_note``, which queue
each step for the case system in the outbox. A submission outside the staff member's scope is
answered 404, whatever the endpoint.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.utils import timezone
from django_otp import devices_for_user, match_token
from ninja import Router, Schema
from ninja import Status as Answer
from pydantic import Field

from backend_bridge.api import ErrorOut, EventOut, LimitOut
from backend_bridge.models import Channel, Kind, Source, Status, Submission
from backend_bridge.services import inbox
from backend_bridge.services.errors import BridgeError
from backend_bridge.services.limits import overdue_q, time_limits
from backend_bridge.web import client_ip

from ..models import AppSession
from . import sessions
from .accounts import ContentIn, RefreshIn
from .api import AppError
from .citizen import MAX_PAGE_SIZE, bridge_error
from .limits import limit_write
from .sessions import StaffAuth

router = Router(tags=["简易办理 APP（工作人员）"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 429: ErrorOut}


class StaffLoginIn(Schema):
    username: str
    password: str
    otp_token: str = Field(..., description="第二因素：动态口令（TOTP）或短信验证码")


class StaffTokensOut(Schema):
    access_token: str
    refresh_token: str
    token_type: str
    expires_in: int
    refresh_expires_at: datetime
    username: str
    portals: list[str]


class StaffItemOut(Schema):
    id: int
    reference: str
    kind: str
    kind_label: str
    channel: str
    channel_label: str
    source: str
    source_label: str
    portal: str
    title: str
    status: str
    status_label: str
    name: str = Field(..., description="已脱敏")
    submitted_at: datetime
    overdue: bool
    needs_moderation: bool


class StaffPageOut(Schema):
    items: list[StaffItemOut]
    page: int
    pages: int
    total: int


class StaffNoteOut(Schema):
    content: str
    author: str
    created_at: datetime


class StaffFollowUpOut(Schema):
    content: str
    created_at: datetime


class StaffDetailOut(StaffItemOut):
    petition_type: str
    content: str
    region: str
    address: str
    respondent: str
    phone: str = Field(..., description="已脱敏")
    id_number: str = Field(..., description="已脱敏")
    case_number: str
    reply: str
    handling_unit: str
    timeline: list[EventOut]
    time_limits: list[LimitOut]
    follow_ups: list[StaffFollowUpOut]
    notes: list[StaffNoteOut]
    attachments: list[str]
    evaluation: str | None
    can_reveal: bool
    can_handle: bool


class RevealIn(Schema):
    reason: str = Field(..., description="查看事由（记入个人信息查看记录）")


class RevealedOut(Schema):
    name: str
    id_number: str
    phone: str


class StaffNoteIn(Schema):
    note: str = ""


class DeclineIn(Schema):
    reason: str = Field(..., description="不予受理的理由")


class ReplyIn(Schema):
    reply: str = Field(..., description="答复意见（群众可见）")
    note: str = ""


class StaffActionOut(Schema):
    status: str
    status_label: str
    queued_for_case_system: bool


# --- sign-in ------------------------------------------------------------------------------------


def _refused(request, username: str, message: str, code: str = "login_failed"):
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)
    return AppError(401, code, message)


@router.post(
    "/sessions", response={200: StaffTokensOut, **ERRORS}, summary="工作人员登录（密码+第二因素）"
)
def login(request: HttpRequest, payload: StaffLoginIn):
    limit_write(request)
    sessions.device_id(request)
    username = payload.username.strip()[:150]
    user = authenticate(request=request, username=username, password=payload.password)
    if getattr(request, "axes_locked_out", False):
        raise AppError(
            429, "locked_out", "登录失败次数过多，账号已暂时锁定，请稍后再试或联系安全管理员"
        )
    if user is None:
        raise AppError(401, "login_failed", "用户名或密码不正确")
    if not inbox.can_use_inbox(user):
        raise AppError(403, "not_handling_staff", "该账号没有信访件办理权限")
    if not list(devices_for_user(user, confirmed=True)):
        raise AppError(
            403, "second_factor_missing", "该账号尚未设置第二因素，请先在管理后台绑定动态口令"
        )
    token = "".join(str(payload.otp_token or "").split())[:16]
    if not token or match_token(user, token) is None:
        raise _refused(request, username, "动态口令不正确或已过期", "otp_invalid")
    return _staff_tokens(*sessions.issue(request, kind=AppSession.Kind.STAFF, user=user))


def _staff_tokens(session, tokens: dict) -> dict:
    """What the staff APP receives after a sign-in or a refresh: the tokens, who, and where."""
    from sites.models import Portal

    names = dict(Portal.objects.values_list("pk", "name"))
    user = session.user
    return {
        **tokens,
        "username": user.get_username(),
        "portals": [names[pk] for pk in inbox.portal_ids_for(user) if pk in names],
    }


@router.post("/refresh", response={200: StaffTokensOut, **ERRORS}, summary="刷新令牌（轮换）")
def refresh(request: HttpRequest, payload: RefreshIn):
    limit_write(request)
    return _staff_tokens(
        *sessions.rotate(request, payload.refresh_token, kind=AppSession.Kind.STAFF)
    )


@router.post("/logout", response={204: None, **ERRORS}, auth=StaffAuth(), summary="退出登录")
def logout(request: HttpRequest):
    sessions.revoke(request.auth)
    return Answer(204, None)


# --- the staff member's submissions ------------------------------------------------------------


def _user(request):
    user = request.auth.user
    if not inbox.can_use_inbox(user):  # roles changed since sign-in
        raise AppError(403, "not_handling_staff", "该账号没有信访件办理权限")
    return user


def _mine(request, pk: int):
    """The submission if it is in the staff member's scope; 404 otherwise (never a hint)."""
    found = inbox.submissions_for(_user(request)).filter(pk=pk).first()
    if found is None:
        if Submission.objects.filter(pk=pk).exists():
            # Another portal's (or another role's) case: the same 404, recorded like the admin's.
            from backend_bridge.signals import abuse_refused

            abuse_refused.send(
                None,
                kind="submission_access_denied",
                ip=client_ip(request),
                details={"submission": pk, "method": request.method, "via": "staff_app"},
            )
        raise AppError(404, "not_found", "找不到该信访件")
    return found


def _item(s, overdue_ids: set[int] | None = None, now=None) -> dict:
    overdue = (
        s.pk in overdue_ids
        if overdue_ids is not None
        else any(limit.state == "overdue" for limit in time_limits(s, now))
    )
    return {
        "id": s.pk,
        "reference": str(s.reference),
        "kind": s.kind,
        "kind_label": s.get_kind_display(),
        "channel": s.channel,
        "channel_label": s.get_channel_display(),
        "source": s.source,
        "source_label": s.get_source_display(),
        "portal": s.portal.name,
        "title": s.title,
        "status": s.status,
        "status_label": s.get_status_display(),
        "name": s.masked_name,
        "submitted_at": s.created_at,
        "overdue": overdue,
        "needs_moderation": s.needs_moderation,
    }


@router.get(
    "/submissions", response={200: StaffPageOut, **ERRORS}, auth=StaffAuth(), summary="待办信访件"
)
def list_submissions(
    request: HttpRequest,
    status: str = "",
    channel: str = "",
    source: str = "",
    kind: str = "",
    overdue: bool | None = None,
    page: int = 1,
    page_size: int = 20,
):
    queryset = inbox.submissions_for(_user(request))
    for value, field, choices, label in (
        (status, "status", Status.values, "状态"),
        (channel, "channel", Channel.values, "渠道"),
        (source, "source", Source.values, "来源"),
        (kind, "kind", Kind.values, "类别"),
    ):
        if value:
            if value not in choices:
                raise AppError(
                    400, "invalid_filter", f"{label}只能是：{'、'.join(choices)}", {"field": field}
                )
            queryset = queryset.filter(**{field: value})
    now = timezone.now()
    if overdue is not None:
        queryset = queryset.filter(overdue_q(now)) if overdue else queryset.exclude(overdue_q(now))
    paginator = Paginator(queryset, min(max(page_size, 1), MAX_PAGE_SIZE))
    current = paginator.get_page(page)
    ids = [s.pk for s in current]
    late = set(
        queryset.model.objects.filter(pk__in=ids)
        .filter(overdue_q(now))
        .values_list("pk", flat=True)
    )
    return {
        "items": [_item(s, late) for s in current],
        "page": current.number,
        "pages": paginator.num_pages,
        "total": paginator.count,
    }


def _detail(user, s) -> dict:
    evaluation = getattr(s, "evaluation", None)
    return {
        **_item(s),
        "petition_type": s.get_petition_type_display(),
        "content": s.content,
        "region": s.region_name,
        "address": s.address,
        "respondent": s.respondent,
        "phone": s.masked_phone,
        "id_number": s.masked_id_number,
        "case_number": s.case_number,
        "reply": s.reply,
        "handling_unit": s.handling_unit,
        "timeline": [
            {
                "status": e.status,
                "status_label": e.get_status_display(),
                "note": e.note,
                "occurred_at": e.occurred_at,
            }
            for e in s.events.order_by("occurred_at", "id")
        ],
        "time_limits": [vars(limit) for limit in time_limits(s)],
        "follow_ups": [
            {"content": f.content, "created_at": f.created_at} for f in s.follow_ups.all()
        ],
        "notes": [
            {
                "content": n.content,
                "author": n.created_by.get_username() if n.created_by else "",
                "created_at": n.created_at,
            }
            for n in s.notes.select_related("created_by")
        ],
        "attachments": [a.original_name for a in s.attachments.all()],
        "evaluation": evaluation.get_rating_display() if evaluation else None,
        "can_reveal": inbox.can_unmask(user, s),
        "can_handle": inbox.can_handle(user, s),
    }


@router.get(
    "/submissions/{pk}",
    response={200: StaffDetailOut, **ERRORS},
    auth=StaffAuth(),
    summary="信访件详情（脱敏）",
)
def submission_detail(request: HttpRequest, pk: int):
    return _detail(request.auth.user, _mine(request, pk))


@router.post(
    "/submissions/{pk}/reveal",
    response={200: RevealedOut, **ERRORS},
    auth=StaffAuth(),
    summary="查看完整个人信息（留痕）",
)
def reveal(request: HttpRequest, pk: int, payload: RevealIn):
    limit_write(request)
    submission = _mine(request, pk)
    try:
        return inbox.reveal(request.auth.user, submission, payload.reason, client_ip(request))
    except BridgeError as exc:
        raise bridge_error(exc) from exc


def _step(request, pk: int, status: str, note: str = "", reply: str = "") -> dict:
    from backend_bridge.case_system import uses_inbox

    limit_write(request)
    submission = _mine(request, pk)
    try:
        inbox.handle(request.auth.user, submission, status=status, note=note, reply=reply)
    except BridgeError as exc:
        raise bridge_error(exc) from exc
    submission.refresh_from_db()
    return {
        "status": submission.status,
        "status_label": submission.get_status_display(),
        "queued_for_case_system": not uses_inbox(),
    }


@router.post(
    "/submissions/{pk}/accept",
    response={200: StaffActionOut, **ERRORS},
    auth=StaffAuth(),
    summary="受理",
)
def accept(request: HttpRequest, pk: int, payload: StaffNoteIn):
    return _step(request, pk, Status.ACCEPTED, payload.note)


@router.post(
    "/submissions/{pk}/decline",
    response={200: StaffActionOut, **ERRORS},
    auth=StaffAuth(),
    summary="不予受理（须填理由）",
)
def decline(request: HttpRequest, pk: int, payload: DeclineIn):
    return _step(request, pk, Status.NOT_ACCEPTED, payload.reason)


@router.post(
    "/submissions/{pk}/reply",
    response={200: StaffActionOut, **ERRORS},
    auth=StaffAuth(),
    summary="答复",
)
def reply(request: HttpRequest, pk: int, payload: ReplyIn):
    if not payload.reply.strip():
        raise AppError(
            400,
            "invalid_input",
            "提交的内容有误，请按提示修改",
            {"fields": {"reply": ["请填写答复意见。"]}},
        )
    return _step(request, pk, Status.REPLIED, payload.note, payload.reply)


@router.post(
    "/submissions/{pk}/close",
    response={200: StaffActionOut, **ERRORS},
    auth=StaffAuth(),
    summary="办结",
)
def close(request: HttpRequest, pk: int, payload: StaffNoteIn):
    return _step(request, pk, Status.CLOSED, payload.note)


@router.post(
    "/submissions/{pk}/notes",
    response={201: StaffNoteOut, **ERRORS},
    auth=StaffAuth(),
    summary="添加办理备注（群众不可见）",
)
def add_note(request: HttpRequest, pk: int, payload: ContentIn):
    limit_write(request)
    submission = _mine(request, pk)
    try:
        note = inbox.add_note(request.auth.user, submission, payload.content)
    except BridgeError as exc:
        raise bridge_error(exc) from exc
    return Answer(
        201,
        {
            "content": note.content,
            "author": request.auth.user.get_username(),
            "created_at": note.created_at,
        },
    )

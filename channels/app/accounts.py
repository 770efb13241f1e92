"""Citizens' APP accounts under /api/app/v1/account/: sign-in (registration at the first one) by
phone + SMS code, token refresh, logout on this device or on all, the citizen's own submissions
(no query codes needed; another citizen's are never found), evaluation and follow-up of them,
and the device's push token.

Thin: tokens are ``channels.app.sessions``, accounts and ownership ``channels.app.services``,
everything about a submission the ``backend_bridge`` services.
"""

from __future__ import annotations

from datetime import datetime

from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from backend_bridge.api import CaseOut, DoneOut, ErrorOut, _case
from backend_bridge.services import citizen
from backend_bridge.services.errors import BridgeError
from backend_bridge.services.lookup import LookupView, issue_access_token

from ..models import AppSession
from . import push, services, sessions
from .api import AppError
from .citizen import MAX_PAGE_SIZE, bridge_error
from .limits import limit_write
from .sessions import CitizenAuth

router = Router(tags=["APP 群众账号"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 429: ErrorOut}


class LoginIn(Schema):
    phone: str
    sms_code: str = Field(..., description="用途为 login 的短信验证码")


class TokensOut(Schema):
    access_token: str
    refresh_token: str = Field(..., description="每次刷新后更换；旧的再次使用会使本设备登录失效")
    token_type: str
    expires_in: int = Field(..., description="访问令牌有效秒数")
    refresh_expires_at: datetime


class LoginOut(TokensOut):
    created: bool = Field(..., description="true：首次登录，已注册新账号")
    phone: str = Field(..., description="已脱敏")


class RefreshIn(Schema):
    refresh_token: str


class AccountOut(Schema):
    phone: str
    created_at: datetime
    submissions: int


class SubmissionItemOut(Schema):
    reference: str
    kind: str
    title: str
    status: str
    status_label: str
    portal: str
    submitted_at: datetime


class SubmissionPageOut(Schema):
    items: list[SubmissionItemOut]
    page: int
    pages: int
    total: int


class EvaluateIn(Schema):
    rating: str = Field(..., description="satisfied / basically_satisfied / dissatisfied")
    reason: str = ""


class ContentIn(Schema):
    content: str


class PushDeviceIn(Schema):
    provider: str = Field(..., description="推送服务：console、huawei")
    token: str = Field(..., description="推送服务发给本设备的令牌")


class RevokedOut(Schema):
    revoked: int


@router.post(
    "/login", response={200: LoginOut, **ERRORS}, summary="手机号+短信验证码登录（首次即注册）"
)
def login(request: HttpRequest, payload: LoginIn):
    limit_write(request)
    sessions.device_id(request)
    try:
        account, created = services.login(payload.phone, payload.sms_code)
    except BridgeError as exc:
        raise bridge_error(exc) from exc
    _, tokens = sessions.issue(request, kind=AppSession.Kind.CITIZEN, account=account)
    return {**tokens, "created": created, "phone": str(account)}


@router.post("/refresh", response={200: TokensOut, **ERRORS}, summary="刷新令牌（轮换）")
def refresh(request: HttpRequest, payload: RefreshIn):
    limit_write(request)
    return sessions.rotate(request, payload.refresh_token, kind=AppSession.Kind.CITIZEN)[1]


@router.post("/logout", response={204: None, **ERRORS}, auth=CitizenAuth(), summary="退出本设备")
def logout(request: HttpRequest):
    limit_write(request)
    sessions.revoke(request.auth)
    services.forget_push(request.auth.account, request.auth.device_id)
    return Status(204, None)


@router.post(
    "/logout-all", response={200: RevokedOut, **ERRORS}, auth=CitizenAuth(), summary="退出所有设备"
)
def logout_all(request: HttpRequest):
    limit_write(request)
    return {"revoked": sessions.revoke_all(request.auth)}


@router.get("/me", response={200: AccountOut, **ERRORS}, auth=CitizenAuth(), summary="我的账号")
def me(request: HttpRequest):
    account = request.auth.account
    return {
        "phone": str(account),
        "created_at": account.created_at,
        "submissions": services.own_submissions(account).count(),
    }


@router.get(
    "/submissions",
    response={200: SubmissionPageOut, **ERRORS},
    auth=CitizenAuth(),
    summary="我的信访件（无需查询码）",
)
def my_submissions(request: HttpRequest, page: int = 1, page_size: int = 20):
    paginator = Paginator(
        services.own_submissions(request.auth.account), min(max(page_size, 1), MAX_PAGE_SIZE)
    )
    current = paginator.get_page(page)
    return {
        "items": [
            {
                "reference": str(s.reference),
                "kind": s.kind,
                "title": s.title,
                "status": s.status,
                "status_label": s.get_status_display(),
                "portal": s.portal.name,
                "submitted_at": s.created_at,
            }
            for s in current
        ],
        "page": current.number,
        "pages": paginator.num_pages,
        "total": paginator.count,
    }


def _own(request, reference: str):
    try:
        return services.own(request.auth.account, reference)
    except BridgeError as exc:
        raise bridge_error(exc) from exc


@router.get(
    "/submissions/{reference}",
    response={200: CaseOut, **ERRORS},
    auth=CitizenAuth(),
    summary="我的信访件详情",
)
def my_submission(request: HttpRequest, reference: str):
    submission = _own(request, reference)
    return _case(LookupView(submission=submission, access_token=issue_access_token(submission)))


@router.post(
    "/submissions/{reference}/evaluation",
    response={201: DoneOut, **ERRORS},
    auth=CitizenAuth(),
    summary="评价我的信访件",
)
def evaluate_mine(request: HttpRequest, reference: str, payload: EvaluateIn):
    limit_write(request)
    submission = _own(request, reference)
    try:
        citizen.evaluate(submission, payload.rating, payload.reason)
    except BridgeError as exc:
        raise bridge_error(exc) from exc
    return Status(201, {"ok": True})


@router.post(
    "/submissions/{reference}/follow-ups",
    response={201: DoneOut, **ERRORS},
    auth=CitizenAuth(),
    summary="追加诉求",
)
def follow_up_mine(request: HttpRequest, reference: str, payload: ContentIn):
    limit_write(request)
    submission = _own(request, reference)
    try:
        citizen.add_follow_up(submission, payload.content)
    except BridgeError as exc:
        raise bridge_error(exc) from exc
    return Status(201, {"ok": True})


@router.put(
    "/push-device",
    response={200: DoneOut, **ERRORS},
    auth=CitizenAuth(),
    summary="登记本设备的推送令牌",
)
def register_push(request: HttpRequest, payload: PushDeviceIn):
    limit_write(request)
    provider = payload.provider.strip()
    if provider not in push.provider_codes():
        raise AppError(400, "invalid_provider", "不支持的推送服务")
    token = payload.token.strip()
    if not token or len(token) > 512:
        raise AppError(400, "invalid_push_token", "推送令牌不能为空，且不超过 512 个字符")
    services.register_push(request.auth.account, request.auth.device_id, provider, token)
    return {"ok": True}

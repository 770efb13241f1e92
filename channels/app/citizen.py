"""Citizens' services of 广西信访APP under /api/app/v1/: SMS codes (picture captcha or device
attestation), petitions with real name, the 平陆运河 green channel, leader messages and the
public board, people's suggestions with themed campaigns, lookup, evaluation and follow-up.

Thin: every operation is the ``backend_bridge`` service the portal uses, with ``source`` APP;
the request and answer shapes are the bridge API's own schemas. A request signed in with a
citizen's access token (``channels.app.accounts``) also records the submission as that
citizen's, in the storing transaction. Every write is rate-limited per device and per address.
"""

from __future__ import annotations

import base64

from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from backend_bridge import captcha, verification
from backend_bridge.api import (
    AcceptedOut,
    CampaignOut,
    CaptchaOut,
    CaseOut,
    CodeOut,
    DomainOut,
    DoneOut,
    ErrorOut,
    EvaluationIn,
    FollowUpIn,
    LeaderOut,
    LookupIn,
    MessageIn,
    PetitionIn,
    PublishedMessageOut,
    SuggestionIn,
    _case,
    _photo_url,
)
from backend_bridge.models import Channel, Source
from backend_bridge.services import board, citizen, suggestions
from backend_bridge.services.errors import BridgeError
from backend_bridge.services.lookup import lookup, submission_for_token
from backend_bridge.services.submission import PetitionInput, submit_petition
from backend_bridge.web import client_ip

from . import attestation, services
from .api import AppError
from .limits import limit_write
from .sessions import DEVICE_HEADER, optional_citizen

router = Router(tags=["APP 群众服务"])

ERRORS = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    413: ErrorOut,
    429: ErrorOut,
}
MAX_PAGE_SIZE = 50
PURPOSES = {"submit": "submit", "lookup": "lookup", "login": services.LOGIN}


def bridge_error(exc: BridgeError) -> AppError:
    return AppError(exc.status, exc.code, exc.message, exc.as_details())


def portal_named(code: str):
    """The portal with this code (the APP always says which), or a 404 in the one shape."""
    from sites.models import Portal

    portal = Portal.objects.filter(code=str(code or "")[:32]).first() if code else None
    if portal is None:
        raise AppError(404, "unknown_portal", "找不到对应的门户网站，请指定 portal（站点代码）")
    return portal


def accepted_out(accepted) -> Status:
    s = accepted.submission
    return Status(
        201,
        {
            "query_code": accepted.query_code,
            "reference": str(s.reference),
            "status": s.status,
            "submitted_at": s.created_at,
            "duplicate_suspected": s.is_duplicate_suspect,
        },
    )


def _store(request, service, *args, **kwargs) -> Status:
    """Call a submitting service as the APP; the citizen's own record in the same transaction."""
    limit_write(request)
    session = optional_citizen(request)
    try:
        with transaction.atomic():
            accepted = service(*args, source=Source.APP, ip=client_ip(request), **kwargs)
            services.link(session.account if session else None, accepted.submission)
    except BridgeError as exc:
        raise bridge_error(exc) from exc
    return accepted_out(accepted)


# --- SMS -------------------------------------------------------------------------------------


class AppCodeIn(Schema):
    phone: str
    purpose: str = Field("submit", description="submit（提交）、lookup（查询）或 login（APP 登录）")
    captcha_key: str = Field("", description="图形验证码（与 attestation_token 二选一）")
    captcha_answer: str = ""
    attestation_token: str = Field(
        "", description="设备完整性证明令牌（已配置设备证明时可代替图形验证码）"
    )


@router.post("/sms/captchas", response={201: CaptchaOut, **ERRORS}, summary="获取图形验证码")
def new_captcha(request: HttpRequest, large: bool = False):
    """``?large=1``: the bigger picture for elderly users (关怀模式)."""
    limit_write(request)
    try:
        key, image = verification.new_captcha(client_ip(request), large)
    except verification.VerificationError as exc:
        raise AppError(429, exc.code, exc.message, exc.as_dict()["details"]) from exc
    width, height = captcha.SIZES[large]
    return Status(
        201,
        {
            "captcha_key": key,
            "image_base64": base64.b64encode(image).decode(),
            "width": width,
            "height": height,
        },
    )


@router.post("/sms/codes", response={202: CodeOut, **ERRORS}, summary="发送短信验证码")
def send_code(request: HttpRequest, payload: AppCodeIn):
    limit_write(request)
    purpose = PURPOSES.get(payload.purpose)
    if purpose is None:
        raise AppError(400, "invalid_purpose", "用途只能是 submit、lookup 或 login")
    attested = False
    if payload.attestation_token:
        device = (request.headers.get(DEVICE_HEADER) or "").strip()
        attested = attestation.verify(payload.attestation_token, device)
        if not attested:
            raise AppError(400, "attestation_invalid", "设备证明无效或已过期，请改用图形验证码。")
    try:
        verification.request_code(
            payload.phone,
            purpose,
            client_ip(request),
            payload.captcha_key,
            payload.captcha_answer,
            attested=attested,
        )
    except verification.VerificationError as exc:
        status = 429 if exc.code == "rate_limited" else 400
        raise AppError(status, exc.code, exc.message, exc.as_dict()["details"]) from exc
    return Status(202, {"sent": True, "expires_in": verification.code_ttl()})


# --- petitions -------------------------------------------------------------------------------


def _petition(request, payload: PetitionIn, files, channel: str) -> Status:
    portal = portal_named(payload.portal)
    data = PetitionInput(**payload.dict(exclude={"portal"}), files=list(files or []))
    return _store(request, submit_petition, portal, data, channel=channel)


@router.post(
    "/petitions",
    response={201: AcceptedOut, **ERRORS},
    summary="网上信访（实名）",
)
def create_petition(
    request: HttpRequest, payload: Form[PetitionIn], attachments: File[list[UploadedFile]] = None
):
    return _petition(request, payload, attachments, Channel.ONLINE)


@router.post(
    "/petitions/pinglu-canal",
    response={201: AcceptedOut, **ERRORS},
    summary="平陆运河绿色通道",
)
def create_canal_petition(
    request: HttpRequest, payload: Form[PetitionIn], attachments: File[list[UploadedFile]] = None
):
    return _petition(request, payload, attachments, Channel.PINGLU_CANAL)


# --- 领导留言板 ---------------------------------------------------------------------------------


class MessagePageOut(Schema):
    items: list[PublishedMessageOut]
    page: int
    pages: int
    total: int


@router.get("/leaders", response={200: list[LeaderOut], **ERRORS}, summary="领导列表")
def list_leaders(request: HttpRequest, site: str):
    return [
        {"id": x.pk, "name": x.name, "title": x.title, "photo_url": _photo_url(x)}
        for x in board.leaders_for(portal_named(site))
    ]


@router.get(
    "/leader-messages", response={200: MessagePageOut, **ERRORS}, summary="公开的留言及答复"
)
def list_published_messages(request: HttpRequest, site: str, page: int = 1, page_size: int = 20):
    paginator = Paginator(
        board.published_messages(portal_named(site)), min(max(page_size, 1), MAX_PAGE_SIZE)
    )
    current = paginator.get_page(page)
    return {
        "items": [
            {
                "id": m.pk,
                "title": m.title,
                "content": m.content,
                "writer": m.public_name,
                "leader": f"{m.leader.title}{m.leader.name}" if m.leader else "",
                "submitted_at": m.created_at,
                "reply": m.reply,
                "handling_unit": m.handling_unit,
                "replied_at": m.replied_at,
            }
            for m in current
        ],
        "page": current.number,
        "pages": paginator.num_pages,
        "total": paginator.count,
    }


@router.post("/leader-messages", response={201: AcceptedOut, **ERRORS}, summary="给领导留言")
def create_message(request: HttpRequest, payload: MessageIn):
    portal = portal_named(payload.portal)
    return _store(
        request,
        board.submit_message,
        portal,
        board.MessageInput(**payload.dict(exclude={"portal"})),
    )


# --- 人民建议征集 -------------------------------------------------------------------------------


@router.get("/suggestion-domains", response={200: list[DomainOut]}, summary="建议领域")
def list_domains(request: HttpRequest):
    return [{"id": d.pk, "name": d.name} for d in suggestions.active_domains()]


@router.get(
    "/suggestion-campaigns",
    response={200: list[CampaignOut], **ERRORS},
    summary="主题征集（征集中）",
)
def list_open_campaigns(request: HttpRequest, site: str):
    return [
        {
            "id": c.pk,
            "title": c.title,
            "intro": c.intro,
            "start_date": c.start_date,
            "end_date": c.end_date,
        }
        for c in suggestions.open_campaigns(portal_named(site))
    ]


@router.post("/suggestions", response={201: AcceptedOut, **ERRORS}, summary="提交人民建议")
def create_suggestion(request: HttpRequest, payload: SuggestionIn):
    portal = portal_named(payload.portal)
    fields = payload.dict(exclude={"portal"})
    fields["campaign"] = "" if fields["campaign"] is None else fields["campaign"]
    return _store(
        request, suggestions.submit_suggestion, portal, suggestions.SuggestionInput(**fields)
    )


# --- lookup, evaluation, follow-up ----------------------------------------------------------


@router.post("/lookups", response={200: CaseOut, **ERRORS}, summary="凭查询码查询办理进度")
def lookup_case(request: HttpRequest, payload: LookupIn):
    limit_write(request)
    session = optional_citizen(request)
    try:
        view = lookup(
            payload.query_code,
            id_tail=payload.id_tail,
            phone=payload.phone,
            sms_code=payload.sms_code,
            ip=client_ip(request),
        )
    except BridgeError as exc:
        raise bridge_error(exc) from exc
    if session is not None:  # a signed-in citizen keeps what they proved theirs
        services.claim(session.account, view.submission)
    return _case(view)


@router.post("/lookups/evaluation", response={201: DoneOut, **ERRORS}, summary="评价答复")
def evaluate_case(request: HttpRequest, payload: EvaluationIn):
    limit_write(request)
    try:
        citizen.evaluate(submission_for_token(payload.access_token), payload.rating, payload.reason)
    except BridgeError as exc:
        raise bridge_error(exc) from exc
    return Status(201, {"ok": True})


@router.post("/lookups/follow-ups", response={201: DoneOut, **ERRORS}, summary="追加诉求")
def follow_up_case(request: HttpRequest, payload: FollowUpIn):
    limit_write(request)
    try:
        citizen.add_follow_up(submission_for_token(payload.access_token), payload.content)
    except BridgeError as exc:
        raise bridge_error(exc) from exc
    return Status(201, {"ok": True})

"""JSON API of citizens' submissions (django-ninja, mounted under /api/v1/ by cms/api.py).

One operation per citizen action: SMS captcha and code, petition, 平陆运河 green-channel
petition, message to a leader, suggestion, lookup, evaluation, follow-up; the public lists of the
leader board (leaders, published messages) and of suggestions (domains, open campaigns); plus the case system's signed status webhook. Every
error has the project's shape ``{"code", "message", "details"}``. Thin: all logic is in services.
"""

from __future__ import annotations

import base64
from datetime import date, datetime

from django.http import HttpRequest
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from cms.api import error_body

from . import captcha, verification
from .models import Channel, Source
from .services import board, citizen, receipts, suggestions
from .services.errors import BridgeError
from .services.lookup import LookupView, lookup, submission_for_token
from .services.status import handle_webhook
from .services.submission import PetitionInput, submit_petition
from .web import client_ip, portal_for_request

router = Router(tags=["互动交流"])


class ErrorOut(Schema):
    code: str
    message: str
    details: dict


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 429: ErrorOut}


def _error(exc: BridgeError):
    return Status(exc.status, error_body(exc.code, exc.message, exc.as_details()))


# --- SMS -------------------------------------------------------------------------------------


class CaptchaOut(Schema):
    captcha_key: str
    image_base64: str = Field(..., description="PNG 图片的 base64")
    width: int
    height: int


class CodeIn(Schema):
    phone: str
    purpose: str = Field("submit", description="submit（提交信访）或 lookup（查询）")
    captcha_key: str
    captcha_answer: str


class CodeOut(Schema):
    sent: bool
    expires_in: int
    dev_notice: str = Field(
        "", description="仅开发环境（DEBUG 且使用控制台短信通道）：未真正发出的短信内容"
    )


@router.post("/sms/captchas", response={201: CaptchaOut, 429: ErrorOut}, summary="获取图形验证码")
def new_captcha(request: HttpRequest, large: bool = False):
    """``?large=1``: the bigger picture of 关怀模式."""
    try:
        key, image = verification.new_captcha(client_ip(request), large)
    except verification.VerificationError as exc:
        return Status(429, exc.as_dict())
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
def send_code(request: HttpRequest, payload: CodeIn):
    if payload.purpose not in ("submit", "lookup"):
        return Status(400, error_body("invalid_purpose", "用途只能是 submit 或 lookup"))
    try:
        result = verification.request_code(
            payload.phone,
            payload.purpose,
            client_ip(request),
            payload.captcha_key,
            payload.captcha_answer,
        )
    except verification.VerificationError as exc:
        status = 429 if exc.code == "rate_limited" else 400
        return Status(status, exc.as_dict())
    return Status(
        202,
        {
            "sent": True,
            "expires_in": verification.code_ttl(),
            "dev_notice": verification.development_notice(result),
        },
    )


# --- petitions -------------------------------------------------------------------------------


class PetitionIn(Schema):
    petition_type: str = Field(
        ..., description="complaint/suggestion/consultation/appeal/accusation/other"
    )
    title: str
    content: str
    region_code: str = Field(..., description="事项发生地所在市的行政区划代码，如 450100")
    county: str = Field(..., description="区县")
    address: str = ""
    respondent: str = Field("", description="被反映对象")
    name: str
    id_number: str
    phone: str
    sms_code: str
    portal: str = Field("", description="门户站点代码；留空按访问域名确定")


class AcceptedOut(Schema):
    query_code: str = Field(..., description="查询码：同时以短信发送到提交人手机，请妥善保存")
    reference: str
    status: str
    submitted_at: datetime
    duplicate_suspected: bool


def _portal(request, code: str):
    """The portal named by its code, or the one whose host the request came to."""
    from sites.models import Portal

    return Portal.objects.filter(code=code).first() if code else portal_for_request(request)


def _unknown_portal():
    return Status(404, error_body("unknown_portal", "找不到对应的门户网站"))


def _accepted(accepted) -> Status:
    receipts.text_query_code(accepted)
    submission = accepted.submission
    return Status(
        201,
        {
            "query_code": accepted.query_code,
            "reference": str(submission.reference),
            "status": submission.status,
            "submitted_at": submission.created_at,
            "duplicate_suspected": submission.is_duplicate_suspect,
        },
    )


def _submit(request, payload: PetitionIn, files, channel: str):
    portal = _portal(request, payload.portal)
    if portal is None:
        return _unknown_portal()
    data = PetitionInput(**payload.dict(exclude={"portal"}), files=list(files or []))
    try:
        accepted = submit_petition(
            portal, data, channel=channel, source=Source.API, ip=client_ip(request)
        )
    except BridgeError as exc:
        return _error(exc)
    return _accepted(accepted)


@router.post("/petitions", response={201: AcceptedOut, **ERRORS}, summary="网上信访")
def create_petition(
    request: HttpRequest, payload: Form[PetitionIn], attachments: File[list[UploadedFile]] = None
):
    return _submit(request, payload, attachments, Channel.ONLINE)


@router.post(
    "/petitions/pinglu-canal",
    response={201: AcceptedOut, **ERRORS},
    summary="平陆运河绿色通道信访",
)
def create_canal_petition(
    request: HttpRequest, payload: Form[PetitionIn], attachments: File[list[UploadedFile]] = None
):
    return _submit(request, payload, attachments, Channel.PINGLU_CANAL)


# --- 领导留言板 ---------------------------------------------------------------------------------


class LeaderOut(Schema):
    id: int
    name: str
    title: str = Field(..., description="职务")
    photo_url: str | None


class MessageIn(Schema):
    leader: int = Field(..., description="留言对象（领导）的 id，见 GET /leaders")
    title: str
    content: str
    name: str
    phone: str
    id_number: str = Field("", description="选填；填写时校验，并可作为查询的第二因素")
    publish: bool = Field(True, description="false = 不公开我的留言")
    sms_code: str
    portal: str = Field("", description="门户站点代码；留空按访问域名确定")


class PublishedMessageOut(Schema):
    id: int
    title: str
    content: str
    writer: str = Field(..., description="已脱敏，如“张*”")
    leader: str
    submitted_at: datetime
    reply: str
    handling_unit: str
    replied_at: datetime | None


@router.get("/leaders", response={200: list[LeaderOut], **ERRORS}, summary="领导列表")
def list_leaders(request: HttpRequest, portal: str = ""):
    site_portal = _portal(request, portal)
    if site_portal is None:
        return _unknown_portal()
    return [
        {
            "id": leader.pk,
            "name": leader.name,
            "title": leader.title,
            "photo_url": _photo_url(leader),
        }
        for leader in board.leaders_for(site_portal)
    ]


def _photo_url(leader) -> str | None:
    if leader.photo is None:
        return None
    try:
        return leader.photo.get_rendition("fill-240x320").url
    except (OSError, ValueError):  # a missing or broken source file: list the leader anyway
        return None


@router.post("/leader-messages", response={201: AcceptedOut, **ERRORS}, summary="给领导留言")
def create_message(request: HttpRequest, payload: MessageIn):
    portal = _portal(request, payload.portal)
    if portal is None:
        return _unknown_portal()
    data = board.MessageInput(**payload.dict(exclude={"portal"}))
    try:
        accepted = board.submit_message(portal, data, source=Source.API, ip=client_ip(request))
    except BridgeError as exc:
        return _error(exc)
    return _accepted(accepted)


@router.get(
    "/leader-messages",
    response={200: list[PublishedMessageOut], **ERRORS},
    summary="公开的留言及答复",
)
def list_published_messages(request: HttpRequest, portal: str = "", limit: int = 20):
    site_portal = _portal(request, portal)
    if site_portal is None:
        return _unknown_portal()
    limit = min(max(limit, 1), 100)
    return [
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
        for m in board.published_messages(site_portal)[:limit]
    ]


# --- 人民建议征集 -------------------------------------------------------------------------------


class DomainOut(Schema):
    id: int
    name: str


class CampaignOut(Schema):
    id: int
    title: str
    intro: str = Field(..., description="征集说明（富文本 HTML）")
    start_date: date
    end_date: date


class SuggestionIn(Schema):
    domain: int = Field(..., description="建议领域的 id，见 GET /suggestion-domains")
    campaign: int | None = Field(None, description="主题征集的 id（选填），须在征集期内")
    title: str
    content: str
    name: str
    phone: str
    id_number: str = Field("", description="选填")
    sms_code: str
    portal: str = Field("", description="门户站点代码；留空按访问域名确定")


@router.get("/suggestion-domains", response={200: list[DomainOut]}, summary="建议领域")
def list_domains(request: HttpRequest):
    return [{"id": d.pk, "name": d.name} for d in suggestions.active_domains()]


@router.get(
    "/suggestion-campaigns",
    response={200: list[CampaignOut], **ERRORS},
    summary="正在征集的主题",
)
def list_open_campaigns(request: HttpRequest, portal: str = ""):
    site_portal = _portal(request, portal)
    if site_portal is None:
        return _unknown_portal()
    return [
        {
            "id": c.pk,
            "title": c.title,
            "intro": c.intro,
            "start_date": c.start_date,
            "end_date": c.end_date,
        }
        for c in suggestions.open_campaigns(site_portal)
    ]


@router.post("/suggestions", response={201: AcceptedOut, **ERRORS}, summary="提交人民建议")
def create_suggestion(request: HttpRequest, payload: SuggestionIn):
    portal = _portal(request, payload.portal)
    if portal is None:
        return _unknown_portal()
    fields = payload.dict(exclude={"portal"})
    fields["campaign"] = "" if fields["campaign"] is None else fields["campaign"]
    try:
        accepted = suggestions.submit_suggestion(
            portal, suggestions.SuggestionInput(**fields), source=Source.API, ip=client_ip(request)
        )
    except BridgeError as exc:
        return _error(exc)
    return _accepted(accepted)


# --- lookup, evaluation, follow-up ----------------------------------------------------------


class LookupIn(Schema):
    query_code: str
    id_tail: str = Field("", description="身份证号码后6位（与手机号+验证码二选一）")
    phone: str = ""
    sms_code: str = ""


class EventOut(Schema):
    status: str
    status_label: str
    note: str
    occurred_at: datetime


class LimitOut(Schema):
    label: str
    due: datetime | None
    state: str = Field(..., description="met / pending / overdue / open / expired / na")
    text: str


class CaseOut(Schema):
    access_token: str = Field(..., description="30 分钟内用于评价、追加")
    reference: str
    case_number: str
    portal: str
    kind: str = Field(..., description="petition / leader_message / suggestion")
    channel: str
    petition_type: str
    title: str
    content: str
    status: str
    status_label: str
    submitted_at: datetime
    name: str = Field(..., description="已脱敏")
    phone: str = Field(..., description="已脱敏")
    reply: str
    handling_unit: str
    timeline: list[EventOut]
    time_limits: list[LimitOut]
    evaluation: str | None
    can_evaluate: bool
    can_follow_up: bool


def _case(view: LookupView) -> dict:
    s = view.submission
    evaluation = getattr(s, "evaluation", None) if view.submission.pk else None
    return {
        "access_token": view.access_token,
        "reference": str(s.reference),
        "case_number": s.case_number,
        "portal": s.portal.name,
        "kind": s.kind,
        "channel": s.get_channel_display(),
        "petition_type": s.get_petition_type_display(),
        "title": s.title,
        "content": s.content,
        "status": s.status,
        "status_label": s.get_status_display(),
        "submitted_at": s.created_at,
        "name": s.masked_name,
        "phone": s.masked_phone,
        "reply": s.reply,
        "handling_unit": s.handling_unit,
        "timeline": [
            {
                "status": e.status,
                "status_label": e.get_status_display(),
                "note": e.note,
                "occurred_at": e.occurred_at,
            }
            for e in view.timeline
        ],
        "time_limits": [vars(limit) for limit in view.limits],
        "evaluation": evaluation.get_rating_display() if evaluation else None,
        "can_evaluate": view.can_evaluate,
        "can_follow_up": view.can_follow_up,
    }


@router.post("/lookups", response={200: CaseOut, **ERRORS}, summary="查询办理进度")
def lookup_case(request: HttpRequest, payload: LookupIn):
    try:
        view = lookup(
            payload.query_code,
            id_tail=payload.id_tail,
            phone=payload.phone,
            sms_code=payload.sms_code,
            ip=client_ip(request),
        )
    except BridgeError as exc:
        return _error(exc)
    return _case(view)


class EvaluationIn(Schema):
    access_token: str
    rating: str = Field(..., description="satisfied / basically_satisfied / dissatisfied")
    reason: str = Field("", description="选择 dissatisfied 时必填")


class FollowUpIn(Schema):
    access_token: str
    content: str


class DoneOut(Schema):
    ok: bool


@router.post(
    "/lookups/evaluation", response={201: DoneOut, **ERRORS}, summary="评价答复（每件一次）"
)
def evaluate_case(request: HttpRequest, payload: EvaluationIn):
    try:
        citizen.evaluate(submission_for_token(payload.access_token), payload.rating, payload.reason)
    except BridgeError as exc:
        return _error(exc)
    return Status(201, {"ok": True})


@router.post("/lookups/follow-ups", response={201: DoneOut, **ERRORS}, summary="追加诉求")
def follow_up_case(request: HttpRequest, payload: FollowUpIn):
    try:
        citizen.add_follow_up(submission_for_token(payload.access_token), payload.content)
    except BridgeError as exc:
        return _error(exc)
    return Status(201, {"ok": True})


# --- the case system's webhook ---------------------------------------------------------------


class WebhookOut(Schema):
    recorded: int


@router.post(
    "/bridge/case-status",
    response={
        200: WebhookOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        422: ErrorOut,
    },
    summary="案件系统状态推送（HMAC-SM3 签名）",
    openapi_extra={
        "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}}
    },
)
def case_status_webhook(request: HttpRequest):
    try:
        recorded = handle_webhook(
            request.body,
            request.headers.get("X-Timestamp", ""),
            request.headers.get("X-Signature", ""),
        )
    except BridgeError as exc:
        return _error(exc)
    return {"recorded": recorded}

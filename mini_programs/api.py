"""The mini-program's API, ``/api/mp/v1/``: its own NinjaAPI instance (its own version and
OpenAPI document at ``/api/mp/v1/openapi.json``, kept in the repository as docs/mp-openapi.json).

A thin front door over ``mini_programs.services``. Every call but ``login`` and ``about`` needs
``Authorization: Bearer <token>`` from ``login``; calls about meals and orders also need the
WeChat user to be bound to a diner. Errors have the project's one shape
``{"code", "message" (zh-hans), "details"}``.
"""

from __future__ import annotations

import base64
from datetime import date, datetime
from decimal import Decimal
from functools import wraps

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, NinjaAPI, Path, Query, Schema, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer

from backend_bridge.web import client_ip

from .models import Order
from .services import accounts, billing, ordering
from .services.config import get_config
from .services.errors import MealError

mp_api = NinjaAPI(
    title="信订餐小程序 API",
    version="1",
    description="广西信访局职工食堂订餐小程序的后端接口。",
    urls_namespace="mp_api",
)


def _error(request, code: str, message: str, status: int, details: dict | None = None):
    return mp_api.create_response(
        request, {"code": code, "message": message, "details": details or {}}, status=status
    )


@mp_api.exception_handler(MealError)
def _meal_error(request, exc: MealError):
    return _error(request, exc.code, exc.message, exc.status, exc.details)


@mp_api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    errors = [
        {"loc": [str(p) for p in e.get("loc", [])], "msg": str(e.get("msg", ""))}
        for e in exc.errors
    ]
    return _error(request, "invalid_input", "请求参数不正确", 422, {"errors": errors})


@mp_api.exception_handler(AuthenticationError)
def _auth_error(request, exc):
    return _error(request, "unauthorized", "登录已失效，请重新进入小程序。", 401)


@mp_api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    return _error(request, "http_error", str(exc.message), exc.status_code)


class SessionAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        session = accounts.authenticate(token)
        if session is not None:
            request.mp_session = session
        return session


auth = SessionAuth()


def _diner(request):
    diner = request.mp_session.diner
    if diner is None:
        raise MealError("not_bound", "请先绑定职工身份。", 403)
    return diner


# --- schemas -------------------------------------------------------------------------------------
class ErrorOut(Schema):
    code: str
    message: str
    details: dict


class AboutOut(Schema):
    name: str
    app_id: str
    entity: str = Field(description="小程序主体（运营单位）名称")
    filing_number: str = Field(description="小程序备案号")
    previous_app_id: str = ""
    api_version: str = "1"


class LoginIn(Schema):
    code: str = Field(min_length=1, max_length=128, description="wx.login 返回的 code")


class DinerOut(Schema):
    id: int
    name: str
    department: str
    guests_allowed: bool


class LoginOut(Schema):
    token: str
    expires_at: datetime
    bound: bool
    diner: DinerOut | None = None


class MeOut(Schema):
    bound: bool
    app_id: str
    diner: DinerOut | None = None


class CaptchaOut(Schema):
    captcha_key: str
    image_base64: str = Field(description="PNG 图片的 base64")


class SmsCodeIn(Schema):
    name: str = Field(min_length=1, max_length=50)
    phone: str = Field(min_length=1, max_length=20)
    captcha_key: str = Field(min_length=1, max_length=64)
    captcha_answer: str = Field(min_length=1, max_length=8)


class SmsBindIn(Schema):
    name: str = Field(min_length=1, max_length=50)
    phone: str = Field(min_length=1, max_length=20)
    sms_code: str = Field(min_length=1, max_length=8)


class InvitationBindIn(Schema):
    invitation_code: str = Field(min_length=1, max_length=16)


class OkOut(Schema):
    ok: bool = True
    message: str = ""


class DishOut(Schema):
    id: int
    name: str
    description: str
    image_url: str = ""


class OrderOut(Schema):
    id: int
    meal_id: int
    meal: str
    date: date
    kind: str
    dish_id: int | None
    guests: int
    portions: int
    unit_price: Decimal
    guest_price: Decimal
    amount: Decimal
    status: str
    status_label: str
    created_at: datetime


class MealOut(Schema):
    id: int
    date: date
    kind: str
    kind_label: str
    label: str
    price: Decimal
    subsidy: Decimal
    diner_price: Decimal
    cutoff_at: datetime
    capacity: int
    remaining: int
    guests_allowed: bool
    max_guests: int
    cancelled: bool
    orderable: bool
    reason: str
    dishes: list[DishOut]
    my_order: OrderOut | None = None


class OrderIn(Schema):
    meal_id: int = Field(ge=1, le=2**62)
    guests: int = Field(0, ge=0, le=20)
    dish_id: int | None = Field(None, ge=1, le=2**62)


class OrderChangeIn(Schema):
    guests: int = Field(ge=0, le=20)
    dish_id: int | None = Field(None, ge=1, le=2**62)


class BillOut(Schema):
    month: str
    label: str
    total: Decimal
    order_count: int
    orders: list[OrderOut]


class ReminderIn(Schema):
    meal_id: int = Field(ge=1, le=2**62)
    minutes_before: int = Field(30, ge=5, le=1440)


class ReminderOut(Schema):
    id: int
    meal_id: int
    remind_at: datetime
    state: str


class MenuQuery(Schema):
    start: date | None = None
    days: int = Field(7, ge=1, le=31)


class MonthQuery(Schema):
    month: str | None = Field(None, pattern=r"^\d{4}-\d{1,2}$", description="例如 2026-12")


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _diner_out(diner) -> dict | None:
    if diner is None:
        return None
    return {
        "id": diner.pk,
        "name": diner.name,
        "department": diner.department.name if diner.department else "",
        "guests_allowed": diner.guests_allowed,
    }


def _order_out(order: Order) -> dict:
    return {
        "id": order.pk,
        "meal_id": order.meal_id,
        "meal": str(order.meal),
        "date": order.meal.date,
        "kind": order.meal.kind,
        "dish_id": order.dish_id,
        "guests": order.guests,
        "portions": order.portions,
        "unit_price": order.unit_price,
        "guest_price": order.guest_price,
        "amount": order.amount,
        "status": order.status,
        "status_label": order.get_status_display(),
        "created_at": order.created_at,
    }


def _image_url(dish) -> str:
    if not dish.image_id:
        return ""
    try:
        return dish.image.get_rendition("fill-400x300|format-jpeg").url
    except Exception:  # a missing or unreadable source file must not break the menu
        return ""


# --- endpoints ----------------------------------------------------------------------------------
@mp_api.get(
    "/about", response={200: AboutOut, 503: ErrorOut}, tags=["关于"], summary="小程序主体与备案信息"
)
def about(request):
    config = get_config()
    return {
        "name": config.name,
        "app_id": config.app_id,
        "entity": config.entity,
        "filing_number": config.filing_number,
        "previous_app_id": config.previous_app_id,
    }


@mp_api.post(
    "/login",
    response={200: LoginOut, **ERRORS, 502: ErrorOut, 503: ErrorOut},
    tags=["登录与绑定"],
    summary="用 wx.login 的 code 登录",
)
def login(request, body: LoginIn):
    result = accounts.login(body.code)
    diner = result.session.diner
    return {
        "token": result.token,
        "expires_at": result.expires_at,
        "bound": diner is not None,
        "diner": _diner_out(diner),
    }


@mp_api.post("/logout", response={200: OkOut, **ERRORS}, auth=auth, tags=["登录与绑定"])
def logout(request):
    accounts.logout(request.mp_session)
    return {"ok": True, "message": "已退出登录"}


@mp_api.get("/me", response={200: MeOut, **ERRORS}, auth=auth, tags=["登录与绑定"])
def me(request):
    session = request.mp_session
    return {
        "bound": session.diner is not None,
        "app_id": session.app_id,
        "diner": _diner_out(session.diner),
    }


@mp_api.post(
    "/bind/captcha",
    response={200: CaptchaOut, **ERRORS, 429: ErrorOut},
    auth=auth,
    tags=["登录与绑定"],
)
def bind_captcha(request):
    key, png = accounts.captcha_for_binding(client_ip(request))
    return {"captcha_key": key, "image_base64": base64.b64encode(png).decode()}


@mp_api.post(
    "/bind/sms-code",
    response={200: OkOut, **ERRORS, 429: ErrorOut, 502: ErrorOut},
    auth=auth,
    tags=["登录与绑定"],
    summary="向职工手机号发送绑定验证码",
)
def bind_sms_code(request, body: SmsCodeIn):
    accounts.request_bind_code(
        request.mp_session,
        body.name,
        body.phone,
        body.captcha_key,
        body.captcha_answer,
        client_ip(request),
    )
    return {"ok": True, "message": "如姓名与手机号在职工名单中，验证码已发送到该手机。"}


@mp_api.post("/bind/sms", response={200: MeOut, **ERRORS}, auth=auth, tags=["登录与绑定"])
def bind_sms(request, body: SmsBindIn):
    diner = accounts.bind_by_sms(request.mp_session, body.name, body.phone, body.sms_code)
    return {"bound": True, "app_id": request.mp_session.app_id, "diner": _diner_out(diner)}


@mp_api.post("/bind/invitation", response={200: MeOut, **ERRORS}, auth=auth, tags=["登录与绑定"])
def bind_invitation(request, body: InvitationBindIn):
    diner = accounts.bind_by_invitation(request.mp_session, body.invitation_code)
    return {"bound": True, "app_id": request.mp_session.app_id, "diner": _diner_out(diner)}


@mp_api.get("/meals", response={200: list[MealOut], **ERRORS}, auth=auth, tags=["订餐"])
def meals(request, query: Query[MenuQuery]):
    diner = _diner(request)
    start = query.start or timezone.localdate()
    result = []
    for entry in ordering.menus(diner, start, query.days):
        meal = entry["meal"]
        result.append(
            {
                "id": meal.pk,
                "date": meal.date,
                "kind": meal.kind,
                "kind_label": meal.get_kind_display(),
                "label": str(meal),
                "price": meal.price,
                "subsidy": meal.subsidy,
                "diner_price": meal.diner_price,
                "cutoff_at": meal.cutoff_at,
                "capacity": meal.capacity,
                "remaining": meal.remaining,
                "guests_allowed": meal.guests_allowed and diner.guests_allowed,
                "max_guests": meal.max_guests,
                "cancelled": meal.cancelled,
                "orderable": entry["orderable"],
                "reason": entry["reason"],
                "dishes": [
                    {
                        "id": d.pk,
                        "name": d.name,
                        "description": d.description,
                        "image_url": _image_url(d),
                    }
                    for d in entry["dishes"]
                ],
                "my_order": _order_out(entry["my_order"]) if entry["my_order"] else None,
            }
        )
    return result


@mp_api.get("/orders", response={200: list[OrderOut], **ERRORS}, auth=auth, tags=["订餐"])
def orders(request, query: Query[MonthQuery]):
    diner = _diner(request)
    month = billing.parse_month(query.month) if query.month else None
    return [_order_out(o) for o in ordering.orders_of(diner, month)[:500]]


@mp_api.post("/orders", response={201: OrderOut, **ERRORS}, auth=auth, tags=["订餐"])
def place_order(request, body: OrderIn):
    order = ordering.place_order(_diner(request), body.meal_id, body.guests, body.dish_id)
    return Status(201, _order_out(order))


@mp_api.get("/orders/{order_id}", response={200: OrderOut, **ERRORS}, auth=auth, tags=["订餐"])
def order_detail(request, order_id: int = Path(..., ge=1, le=2**62)):
    return _order_out(ordering.own_order(_diner(request), order_id))


@mp_api.patch("/orders/{order_id}", response={200: OrderOut, **ERRORS}, auth=auth, tags=["订餐"])
def change_order(request, body: OrderChangeIn, order_id: int = Path(..., ge=1, le=2**62)):
    order = ordering.change_order(_diner(request), order_id, body.guests, body.dish_id)
    return _order_out(order)


@mp_api.post(
    "/orders/{order_id}/cancel", response={200: OrderOut, **ERRORS}, auth=auth, tags=["订餐"]
)
def cancel_order(request, order_id: int = Path(..., ge=1, le=2**62)):
    return _order_out(ordering.cancel_order(_diner(request), order_id))


@mp_api.get("/bills/{month}", response={200: BillOut, **ERRORS}, auth=auth, tags=["账单"])
def bill(request, month: str):
    year, number = billing.parse_month(month)
    result = billing.monthly_bill(_diner(request), year, number)
    return {
        "month": f"{year:04d}-{number:02d}",
        "label": result.label,
        "total": result.total,
        "order_count": len(result.orders),
        "orders": [_order_out(o) for o in result.orders],
    }


@mp_api.post("/reminders", response={201: ReminderOut, **ERRORS}, auth=auth, tags=["订阅消息"])
def remind(request, body: ReminderIn):
    notice = ordering.remind(
        _diner(request), request.mp_session.openid, body.meal_id, body.minutes_before
    )
    return Status(
        201,
        {
            "id": notice.pk,
            "meal_id": notice.meal_id,
            "remind_at": notice.next_attempt_at,
            "state": notice.state,
        },
    )


def _json_method_refusal(view):
    """django-ninja answers a method a path does not have with a plain-text 405; the
    mini-program gets every error in the one JSON shape, this one too."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            refusal = _error(request, "method_not_allowed", "不支持该请求方法。", 405)
            refusal["Allow"] = response.get("Allow", "")
            return refusal
        return response

    return wrapped


def urls():
    """``mp_api.urls`` with JSON refusals of unsupported methods (mounted by cms/urls.py)."""
    from django.urls import re_path

    patterns, app_name, namespace = mp_api.urls
    for pattern in patterns:
        pattern.callback = _json_method_refusal(pattern.callback)
    # An unknown path under /api/mp/v1/ is a JSON 404, not the portal's HTML page.
    patterns = [*patterns, re_path(r"^.*$", _not_found, name="not_found")]
    return patterns, app_name, namespace


def _not_found(request, *args, **kwargs):
    return _error(request, "not_found", "接口不存在。", 404)

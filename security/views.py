"""Admin screens of sign-in security: the second-factor step after the password, enrolment of a
TOTP app (QR code) or a phone on first login, and the security administrator's 登录锁定 list."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from security import lockout, otp
from security.forms import PhoneForm, TokenForm
from security.models import SMSDevice

SMS_DEVICE_SESSION_KEY = "_security_sms_enrol"


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("wagtailadmin_home")


def _with_next(name: str, request) -> str:
    from urllib.parse import quote

    return f"{reverse(name)}?next={quote(_next(request))}"


def _verified(request) -> bool:
    return bool(getattr(request.user, "is_verified", None) and request.user.is_verified())


def otp_step(request):
    """The second step of signing in: a code from one of the user's devices."""
    if _verified(request):
        return HttpResponseRedirect(_next(request))
    devices = otp.confirmed_devices(request.user)
    if not devices:
        return redirect(_with_next("security_otp_setup", request))
    by_id = {d.persistent_id: d for d in devices}
    chosen = by_id.get(request.POST.get("device") or request.GET.get("device") or "") or devices[0]
    form = TokenForm(request.POST if request.POST.get("action") == "verify" else None)
    notice = None
    if request.method == "POST":
        try:
            if request.POST.get("action") == "send" and isinstance(chosen, SMSDevice):
                notice = otp.send_sms_token(chosen)
            elif form.is_valid():
                if otp.verify(request, chosen, form.cleaned_data["token"]):
                    return HttpResponseRedirect(_next(request))
                form.add_error("token", "动态验证码不正确或已过期，请重新输入。")
        except otp.SecondFactorError as error:
            form.add_error(None, str(error))
    return TemplateResponse(
        request,
        "security/otp_step.html",
        {
            "form": form,
            "devices": [(d.persistent_id, otp.device_label(d), d is chosen) for d in devices],
            "chosen": chosen,
            "chosen_is_sms": isinstance(chosen, SMSDevice),
            "notice": notice,
            "next": _next(request),
        },
    )


def otp_setup(request):
    """First login: enrol a TOTP app (QR code) or a phone for SMS codes."""
    if otp.has_second_factor(request.user) and not _verified(request):
        # Adding a device needs a verified session: otherwise a stolen password would do.
        return redirect(_with_next("security_otp", request))
    method = request.POST.get("method") or request.GET.get("method") or "totp"
    context = {"next": _next(request), "method": method}
    if method == "sms":
        return _setup_sms(request, context)
    device = otp.pending_totp(request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if otp.confirm_enrolment(request, device, form.cleaned_data["token"]):
                messages.success(
                    request, "身份验证器已绑定，以后登录时请输入其中显示的动态验证码。"
                )
                return HttpResponseRedirect(_next(request))
            form.add_error("token", "动态验证码不正确，请确认手机时间准确后重新输入。")
        except otp.SecondFactorError as error:
            form.add_error(None, str(error))
    from base64 import b32encode, b64encode

    context.update(
        {
            "form": form,
            "qr_data_uri": "data:image/svg+xml;base64,"
            + b64encode(otp.qr_svg(otp.totp_uri(device))).decode(),
            "secret": b32encode(device.bin_key).decode().rstrip("="),
        }
    )
    return TemplateResponse(request, "security/otp_setup.html", context)


def _setup_sms(request, context):
    device = None
    device_id = request.session.get(SMS_DEVICE_SESSION_KEY)
    if device_id:
        device = SMSDevice.objects.filter(pk=device_id, user=request.user, confirmed=False).first()
    phone_form = PhoneForm(
        request.POST if request.POST.get("action") == "send" else None,
        initial={"phone": otp.profile_phone(request.user)},
    )
    form = TokenForm(request.POST if request.POST.get("action") == "verify" else None)
    try:
        if request.method == "POST" and request.POST.get("action") == "send":
            if phone_form.is_valid():
                device = otp.start_sms_enrolment(request.user, phone_form.cleaned_data["phone"])
                request.session[SMS_DEVICE_SESSION_KEY] = device.pk
                context["notice"] = f"验证码已发送至 {otp.mask_phone(device.phone)}。"
        elif request.method == "POST" and request.POST.get("action") == "verify":
            if device is None:
                form.add_error(None, "请先获取短信验证码。")
            elif form.is_valid():
                if otp.confirm_enrolment(request, device, form.cleaned_data["token"]):
                    request.session.pop(SMS_DEVICE_SESSION_KEY, None)
                    messages.success(request, "手机已绑定，以后登录时将向该手机发送验证码。")
                    return HttpResponseRedirect(_next(request))
                form.add_error("token", "验证码不正确或已过期，请重新输入。")
    except otp.SecondFactorError as error:
        phone_form.add_error(None, str(error))
    context.update({"phone_form": phone_form, "form": form, "device": device})
    return TemplateResponse(request, "security/otp_setup_sms.html", context)


# --- lockouts ----------------------------------------------------------------------------------


def _require_unlock(request):
    if not request.user.has_perm("security.unlock_accounts"):
        raise PermissionDenied


def lockouts(request):
    _require_unlock(request)
    return TemplateResponse(request, "security/lockouts.html", {"rows": lockout.active_lockouts()})


@require_POST
def unlock(request):
    _require_unlock(request)
    kind, value = request.POST.get("kind"), (request.POST.get("value") or "").strip()
    if kind not in ("user", "ip") or not value:
        messages.error(request, "解锁请求无效。")
    else:
        lockout.unlock(kind, value)
        label = "账号" if kind == "user" else "地址"
        messages.success(request, f"已解除{label} {value} 的登录锁定。")
    return redirect("security_lockouts")

"""The second factor (django-otp): which devices a staff member has, enrolment of a TOTP app or a
phone, SMS codes through the project's SMS provider, and marking a session as verified."""

from __future__ import annotations

import io
import logging

import django_otp
from django.conf import settings
from django_otp import devices_for_user, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from backend_bridge.providers import ProviderError, get_sms_provider
from security.models import SMSDevice

logger = logging.getLogger(__name__)


class SecondFactorError(Exception):
    """Shown to the user as it is (zh-hans)."""


def sms_token_seconds() -> int:
    return int(getattr(settings, "OTP_SMS_TOKEN_SECONDS", 300))


def has_second_factor(user) -> bool:
    return user_has_device(user, confirmed=True)


def confirmed_devices(user) -> list:
    return list(devices_for_user(user, confirmed=True))


def device_label(device) -> str:
    if isinstance(device, SMSDevice):
        return f"短信验证码（{mask_phone(device.phone)}）"
    if isinstance(device, TOTPDevice):
        return f"身份验证器应用（{device.name}）"
    return str(device)


def mask_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "****"


def send_sms_token(device: SMSDevice) -> str:
    """Generate a code on the device and send it; the text returned is shown to the user."""
    allowed, info = device.generate_is_allowed()
    if not allowed:
        raise SecondFactorError("验证码发送过于频繁，请稍后再试。")
    seconds = sms_token_seconds()
    device.generate_token(valid_secs=seconds)
    values = {"code": device.token, "minutes": str(max(1, seconds // 60))}
    names = getattr(settings, "SMS_VERIFICATION_PARAMS", None) or ["code", "minutes"]
    template = getattr(settings, "SMS_TEMPLATE_VERIFICATION_CODE", "") or "verification_code"
    try:
        get_sms_provider().send(
            device.phone, template, {n: values[n] for n in names if n in values}
        )
    except ProviderError as error:
        logger.warning("second-factor SMS to %s not sent: %s", mask_phone(device.phone), error)
        raise SecondFactorError("短信发送失败，请稍后重试或改用身份验证器应用。") from error
    return f"验证码已发送至 {mask_phone(device.phone)}，{values['minutes']} 分钟内有效。"


def verify(request, device, token: str) -> bool:
    """Check ``token`` on one of the user's confirmed devices; on success the session is
    verified (django_otp.login) and the session key is rotated."""
    token = (token or "").strip().replace(" ", "")
    if not token.isdigit():
        return False
    allowed, _ = device.verify_is_allowed()
    if not allowed:
        raise SecondFactorError("验证码错误次数过多，请稍后再试。")
    if not device.verify_token(token):
        return False
    request.session.cycle_key()
    django_otp.login(request, device)
    return True


# --- enrolment -------------------------------------------------------------------------------


def pending_totp(user) -> TOTPDevice:
    """The unconfirmed TOTP device being enrolled (one per user), created on first call."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=False)
    return device


def totp_uri(device: TOTPDevice) -> str:
    # Labelled with settings.OTP_TOTP_ISSUER so that authenticator apps name the entry.
    return device.config_url


def qr_svg(data: str) -> bytes:
    from django_otp.qr import write_qrcode_image

    out = io.BytesIO()
    write_qrcode_image(data, out)
    return out.getvalue()


def confirm_enrolment(request, device, token: str) -> bool:
    """The first right code confirms a device being enrolled and verifies the session."""
    token = (token or "").strip().replace(" ", "")
    if not token.isdigit():
        return False
    allowed, _ = device.verify_is_allowed()
    if not allowed:
        raise SecondFactorError("验证码错误次数过多，请稍后再试。")
    if not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    # Other half-enrolled devices of this user are dropped: one enrolment at a time.
    type(device).objects.filter(user=device.user, confirmed=False).exclude(pk=device.pk).delete()
    request.session.cycle_key()
    django_otp.login(request, device)
    return True


def start_sms_enrolment(user, phone: str) -> SMSDevice:
    SMSDevice.objects.filter(user=user, confirmed=False).delete()
    device = SMSDevice.objects.create(user=user, name="手机短信", phone=phone, confirmed=False)
    send_sms_token(device)
    return device


def profile_phone(user) -> str:
    profile = getattr(user, "account_profile", None)
    return getattr(profile, "phone", "") or ""


def reset_devices(user) -> int:
    """Remove every second-factor device of ``user`` (a lost phone, a new authenticator app):
    at the next sign-in the user enrols a new one after the password. Returns how many went."""
    removed = 0
    for device in devices_for_user(user, confirmed=None):
        device.delete()
        removed += 1
    return removed

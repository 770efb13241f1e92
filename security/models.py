"""What sign-in security stores: the SMS second-factor device, the password history, and the
lockouts (django-axes' attempts) as a security administrator sees them."""

from axes.models import AccessAttempt
from django.conf import settings
from django.db import models
from django_otp.models import SideChannelDevice, ThrottlingMixin


class SMSDevice(ThrottlingMixin, SideChannelDevice):
    """A phone that receives one-time codes through the project's SMS provider
    (backend_bridge.providers), the alternative to a TOTP app."""

    phone = models.CharField("手机号", max_length=20)

    class Meta(SideChannelDevice.Meta):
        verbose_name = "短信验证设备"
        verbose_name_plural = "短信验证设备"

    def get_throttle_factor(self):
        return getattr(settings, "OTP_SMS_THROTTLE_FACTOR", 1)

    def generate_challenge(self):
        from security.otp import send_sms_token

        return send_sms_token(self)

    def verify_token(self, token):
        verify_allowed, _ = self.verify_is_allowed()
        if not verify_allowed:
            return False
        verified = super().verify_token(str(token).strip())
        if verified:
            self.throttle_reset()
        else:
            self.throttle_increment()
        return verified


class PasswordHistory(models.Model):
    """One earlier password of a user, as its hash: no reuse of the last few."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="password_history",
        verbose_name="用户",
    )
    password = models.CharField("密码哈希", max_length=256)
    changed_at = models.DateTimeField("修改时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "历史密码"
        verbose_name_plural = "历史密码"
        ordering = ["-changed_at", "-pk"]

    def __str__(self):
        return f"{self.user} @ {self.changed_at:%Y-%m-%d %H:%M}"


class Lockout(AccessAttempt):
    """django-axes' failed-login records seen from the admin's 登录锁定 screen; the permission
    ``security.unlock_accounts`` belongs to the security administrator's role."""

    class Meta:
        proxy = True
        verbose_name = "登录锁定"
        verbose_name_plural = "登录锁定"
        default_permissions = ("view",)
        permissions = [("unlock_accounts", "解除登录锁定")]

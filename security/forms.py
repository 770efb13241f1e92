"""Forms of the sign-in screens: the admin login form and the second-factor steps."""

import re

from django import forms

from cms.admin_forms import PortalLoginForm as WagtailLoginForm

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


class TokenForm(forms.Form):
    token = forms.CharField(
        label="动态验证码",
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        error_messages={"required": "请输入 6 位动态验证码。"},
    )

    def clean_token(self):
        token = self.cleaned_data["token"].strip().replace(" ", "")
        if not token.isdigit() or len(token) != 6:
            raise forms.ValidationError("动态验证码应为 6 位数字。")
        return token


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label="接收验证码的手机号",
        max_length=11,
        error_messages={"required": "请输入手机号。"},
    )

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if not PHONE_RE.match(phone):
            raise forms.ValidationError("手机号格式不正确，应为 11 位中国大陆手机号。")
        return phone


class AdminLoginForm(WagtailLoginForm):
    """Wagtail's login form, telling the user how long to wait when a try came too soon after a
    failure (security.backends.LockoutBackend refused it without checking the password)."""

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            wait = getattr(self.request, "security_retry_after", 0) if self.request else 0
            if wait:
                raise forms.ValidationError(
                    f"登录失败次数较多，请 {wait} 秒后再试。", code="login_delay"
                ) from None
            raise

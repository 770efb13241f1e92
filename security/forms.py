"""Forms of the second-factor screens."""

import re

from django import forms

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

"""Forms of the account screens."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordChangeForm


class FirstPasswordForm(PasswordChangeForm):
    """Replace the one-time password; the new one must differ from it."""

    def clean(self):
        cleaned = super().clean()
        old, new = cleaned.get("old_password"), cleaned.get("new_password1")
        if old and new and old == new:
            self.add_error("new_password1", "新密码不能与一次性密码相同")
        return cleaned


class PortalAccountForm(forms.Form):
    """A new staff account created by a portal's administrator, on one of their portals."""

    username = forms.RegexField(
        label="用户名",
        regex=r"^[A-Za-z0-9_.@+-]{2,150}$",
        error_messages={"invalid": "用户名只能包含字母、数字和 _ . @ + -，长度 2–150"},
    )
    name = forms.CharField(label="姓名", max_length=30)
    phone = forms.RegexField(
        label="手机号",
        regex=r"^1[3-9]\d{9}$",
        required=False,
        error_messages={"invalid": "手机号格式不正确"},
    )
    portal = forms.ChoiceField(label="门户")
    role = forms.ChoiceField(label="角色")

    def __init__(self, portals, *args, **kwargs):
        from sites.registry import ROLES

        super().__init__(*args, **kwargs)
        self.fields["portal"].choices = [(p.code, p.name) for p in portals]
        self.fields["role"].choices = [(k, v) for k, v in ROLES.items() if k != "admin"]

    def clean_username(self):
        username = self.cleaned_data["username"]
        if get_user_model().objects.filter(username=username).exists():
            raise forms.ValidationError("该用户名已被使用")
        return username

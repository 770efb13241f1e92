"""The admin's own account page (/admin/account/) with one 姓名 field instead of Wagtail's
名 and 姓, kept whole in ``first_name`` like the user screens (``sites.admin_users``), so that
``get_full_name()`` (which Wagtail shows wherever it names a user: the sidebar, listings, page
history, workflow and comment notices) reads as the person writes it.

Wagtail builds the name-and-email panel into ``AccountView.get_panels`` (the
``register_account_settings_panel`` hook can only add panels), so the view is a subclass that
swaps that one panel for ours; cms/urls.py routes /admin/account/ to it ahead of Wagtail's admin.
"""

from django import forms
from django.contrib.auth import get_user_model
from wagtail.admin.views.account import (
    AccountView,
    NameEmailSettingsPanel,
    email_management_enabled,
)

from .admin_users import whole_name


class FullNameEmailForm(forms.ModelForm):
    first_name = forms.CharField(
        label="姓名",
        max_length=150,
        required=True,
        help_text="填写完整姓名，如：张三。",
        error_messages={"required": "请填写姓名。"},
    )
    email = forms.EmailField(
        label="电子邮箱", required=True, error_messages={"required": "请填写电子邮箱。"}
    )

    class Meta:
        model = get_user_model()
        fields = ["first_name", "email"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["first_name"] = whole_name(self.instance)
        if not email_management_enabled():
            del self.fields["email"]

    def clean_first_name(self):
        name = " ".join(self.cleaned_data["first_name"].split())
        if not name:
            raise forms.ValidationError("请填写姓名。")
        return name

    def save(self, commit=True):
        user = super().save(commit=False)
        user.last_name = ""
        if commit:
            user.save()
        return user


class FullNameSettingsPanel(NameEmailSettingsPanel):
    form_class = FullNameEmailForm

    @property
    def title(self):
        return "姓名和电子邮箱" if email_management_enabled() else "姓名"


class PortalAccountView(AccountView):
    def post(self, request):
        response = super().post(request)
        if response.status_code == 200:  # re-rendered with the errors: the input was refused
            response.status_code = 400
        return response

    def get_panels(self):
        panels = super().get_panels()
        return [
            FullNameSettingsPanel(panel.request, panel.user, panel.profile)
            if type(panel) is NameEmailSettingsPanel
            else panel
            for panel in panels
        ]

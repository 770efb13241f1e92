"""Staff accounts in the Wagtail admin show one 姓名 field, as Chinese names are written, instead
of Wagtail's separate first and last name: the name is kept whole in ``first_name`` (as
``import_accounts`` stores it), so ``get_full_name()`` shows it family name first everywhere.

Wagtail chooses its user screens through the ``user_viewset`` of the ``wagtail.users`` app
config; ``sites.users_app.PortalUsersConfig`` replaces it in INSTALLED_APPS (cms/settings.py).
"""

from django import forms
from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views.users import UserViewSet


def _has_cjk(text: str) -> bool:
    return any("\u2e80" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff" for char in text)


def whole_name(user) -> str:
    """The person's name as one string. Accounts entered through Wagtail's own forms before
    the single 姓名 field may hold it split: Wagtail's zh-hans forms label ``first_name`` 名 and
    ``last_name`` 姓, so a Chinese name is 姓 then 名 without a space; other names keep
    Wagtail's "first last"."""
    first, last = (user.first_name or "").strip(), (user.last_name or "").strip()
    if not (first and last):
        return first or last
    return last + first if _has_cjk(first + last) else f"{first} {last}"


class FullNameMixin:
    """姓名 in one field; the last name stays empty."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"] = forms.CharField(
            label="姓名", max_length=150, required=True, help_text="填写完整姓名，如：张三。"
        )
        self.fields.pop("last_name", None)
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk and not self.is_bound:
            self.initial["first_name"] = whole_name(instance)

    def save(self, commit=True):
        user = super().save(commit=False)
        user.last_name = ""
        if commit:
            user.save()
            self.save_m2m()
        return user


class PortalUserCreationForm(FullNameMixin, UserCreationForm):
    pass


class PortalUserEditForm(FullNameMixin, UserEditForm):
    pass


class PortalUserViewSet(UserViewSet):
    create_template_name = "portal_sites/users/create.html"
    edit_template_name = "portal_sites/users/edit.html"

    def get_form_class(self, for_update=False):
        return PortalUserEditForm if for_update else PortalUserCreationForm

"""The admin's user screens (设置 → 用户), Wagtail's ``UserViewSet`` extended for 三员分立 and for
portal administrators.

- Who sees and may change which account, and which roles anyone may give, is decided by
  ``sites.services.accounts`` (``account_data_scope``, ``role_scope``, ``assignable_groups``); the
  permission policy below and the views ask it, so another portal's account answers 404 on
  every URL (edit, history, delete, the actions) and is absent from the list.
- The forms carry only the fields their user may change: the system administrator the
  account's data and no roles, the security administrator the roles and nothing else, a portal
  administrator both, with their portal's roles only. Anything else a POST carries is ignored,
  said so in a message and recorded in the audit log.
- New accounts get a one-time password shown once (no password typed by an administrator);
  reset password, reset second factor, disable and re-enable are buttons of the list, posted to
  views of this viewset.
- Staff accounts show one 姓名 field, as Chinese names are written, instead of Wagtail's separate
  first and last name: the name is kept whole in ``first_name`` (as ``import_accounts`` stores it).

Wagtail chooses its user screens through the ``user_viewset``/``group_viewset`` of the
``wagtail.users`` app config; ``sites.users_app.PortalUsersConfig`` replaces it in INSTALLED_APPS
(cms/settings.py) and registers the permission policy.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.functional import cached_property
from django.views.decorators.http import require_POST
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.usage import UsageView as UsageViewBase
from wagtail.log_actions import log
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views import users as wagtail_users
from wagtail.users.views.bulk_actions import (
    AssignRoleBulkAction,
    DeleteBulkAction,
    SetActiveStateBulkAction,
)
from wagtail.users.views.bulk_actions.assign_role import RoleForm

from sites.services import accounts

User = get_user_model()

# Fields of the user forms, by whose work they are (三员分立), with their names in messages.
ACCOUNT_FIELDS = {
    "username": "用户名",
    "email": "电子邮箱",
    "first_name": "姓名",
    "phone": "手机号",
    "is_active": "有效",
    "password1": "密码",
    "password2": "密码",
}
ROLE_FIELDS = {"groups": "角色", "is_superuser": "超级管理员"}


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


def _audit(request, action: str, target: str, details: dict, denied: bool = True):
    from audit import services
    from audit.models import Category, Outcome

    services.record(
        Category.PERMISSION if "role" in action else Category.ACCOUNT,
        action,
        request=request,
        target=target,
        outcome=Outcome.DENIED if denied else Outcome.SUCCESS,
        details=details,
    )


# --- permission policy ------------------------------------------------------------------------


class StaffAccountPermissionPolicy(ModelPermissionPolicy):
    """Wagtail's permission checks on users, answered by ``sites.services.accounts``."""

    def _scope(self, user, action):
        if not (user.is_active and user.is_authenticated):
            return User.objects.none()
        if action == "add":
            return User.objects.all() if self._may_add(user) else User.objects.none()
        if action == "delete":
            # Deleting an account loses who did what: the installation's superuser only.
            return User.objects.all() if user.is_superuser else User.objects.none()
        return accounts.visible_accounts(user)

    def _may_add(self, user) -> bool:
        return (
            user.is_superuser
            or (not accounts.is_security_admin(user) and user.has_perm("auth.add_user"))
            or bool(accounts.admin_portals(user))
        )

    def user_has_permission(self, user, action):
        if not (user.is_active and user.is_authenticated):
            return False
        if user.is_superuser:
            return True
        if action == "add":
            return self._may_add(user)
        if action in ("change", "view"):
            return (
                accounts.is_system_admin(user)
                or accounts.is_security_admin(user)
                or bool(accounts.admin_portals(user))
            )
        return False

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def _ids(self, user, action) -> set:
        cache = user.__dict__.setdefault("_account_policy_ids", {})
        if action not in cache:
            cache[action] = set(self._scope(user, action).values_list("pk", flat=True))
        return cache[action]

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and instance.pk in self._ids(user, action)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(self.user_has_permission_for_instance(user, a, instance) for a in actions)

    def instances_user_has_any_permission_for(self, user, actions):
        ids = set()
        for action in actions:
            if self.user_has_permission(user, action):
                ids |= self._ids(user, action)
        return User.objects.filter(pk__in=ids)


# --- forms ------------------------------------------------------------------------------------


class StaffAccountFormMixin:
    """Only the fields the signed-in ``actor`` may change for this account (see the module)."""

    # Passwords are never typed by an administrator: new accounts and resets get a one-time
    # password that the user must change at first sign-in (Wagtail's forms then drop theirs).
    password_enabled = False

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["first_name"] = forms.CharField(
            label="姓名", max_length=150, required=True, help_text="填写完整姓名，如：张三。"
        )
        self.fields.pop("last_name", None)
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk and not self.is_bound:
            self.initial["first_name"] = whole_name(instance)
        self.fields["phone"] = forms.RegexField(
            label="手机号",
            regex=r"^1[3-9]\d{9}$",
            required=False,
            help_text="用于接收短信动态验证码，可不填。",
            error_messages={"invalid": "手机号格式不正确，应为 11 位手机号码"},
        )
        self.fields["email"].required = False
        self.fields["email"].label = "电子邮箱"
        if self.instance.pk:
            profile = getattr(self.instance, "account_profile", None)
            self.fields["phone"].initial = getattr(profile, "phone", "")
        creating = self.instance.pk is None
        self.may_edit_account = actor is not None and (
            creating or accounts.account_data_scope(actor).filter(pk=self.instance.pk).exists()
        )
        self.may_assign_roles = actor is not None and (
            (creating and not accounts.is_system_admin(actor))
            or accounts.role_scope(actor).filter(pk=self.instance.pk).exists()
        )
        if not self.may_edit_account:
            for name in ACCOUNT_FIELDS:
                self.fields.pop(name, None)
        if not (actor is not None and actor.is_superuser):
            self.fields.pop("is_superuser", None)
        if self.may_assign_roles:
            self.assignable = accounts.assignable_groups(actor)
            field = self.fields["groups"]
            field.queryset = self.assignable.order_by("name")
            field.label = "角色"
            if accounts.admin_portals(actor) and not (
                actor.is_superuser or accounts.is_security_admin(actor)
            ):
                # A portal administrator's account must keep a role of the portal, or it would
                # no longer be theirs.
                field.required = True
                field.help_text = "选择本门户的一个角色（内容角色与办件角色不能兼任）。"
            else:
                field.help_text = (
                    "三员（系统、安全、审计管理员）不能兼任其他角色；同一门户只能担任一个角色。"
                )
        else:
            self.fields.pop("groups", None)

    @property
    def has_account_fields(self) -> bool:
        return "first_name" in self.fields

    @property
    def has_role_fields(self) -> bool:
        return "groups" in self.fields or "is_superuser" in self.fields

    def ignored_fields(self, data) -> list[str]:
        """Names (Chinese) of what ``data`` tries to change that this form does not carry."""
        labels = {**ACCOUNT_FIELDS, **ROLE_FIELDS}
        return sorted({labels[name] for name in labels if name in data and name not in self.fields})

    def clean_groups(self):
        chosen = list(self.cleaned_data.get("groups") or [])
        kept = []
        if self.instance.pk:
            # Roles outside the actor's reach stay as they are.
            kept = list(self.instance.groups.exclude(pk__in=self.assignable.values("pk")))
        merged = kept + [g for g in chosen if g not in kept]
        try:
            accounts.check_roles(merged)
        except accounts.RoleRuleError as error:
            raise forms.ValidationError(str(error)) from error
        return merged

    def save(self, commit=True):
        user = super().save(commit=False)
        if "first_name" in self.fields:
            user.last_name = ""
        if commit:
            user.save()
            self.save_m2m()
            if "phone" in self.fields:
                accounts.set_phone(user, self.cleaned_data.get("phone", ""))
        return user


class PortalUserCreationForm(StaffAccountFormMixin, UserCreationForm):
    pass


class PortalUserEditForm(StaffAccountFormMixin, UserEditForm):
    pass


# --- views ------------------------------------------------------------------------------------


class IgnoredFieldsMixin:
    """Say (and audit) what a POST tried to change that is not the signed-in user's work."""

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["actor"] = self.request.user
        return kwargs

    def post(self, request, *args, **kwargs):
        if not hasattr(self, "object"):
            self.object = None  # the create view; the edit view has its account from setup()
        form = self.get_form()
        ignored = form.ignored_fields(request.POST)
        if ignored:
            what = "、".join(ignored)
            messages.warning(
                request,
                f"您无权修改{what}，提交的{what}已忽略（三员分立：账号资料由系统管理员或门户管理员维护，"
                "角色由安全管理员或门户管理员分配）。",
            )
            _audit(
                request,
                "account_role_change_refused"
                if {"角色", "超级管理员"} & set(ignored)
                else "account_change_refused",
                request.POST.get("username") or str(self.object or ""),
                {"fields": ignored},
            )
        return super().post(request, *args, **kwargs)


class StaffAccountFilterSet(wagtail_users.UserFilterSet):
    """The list's group filter offers only the groups its user may see."""

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if request is not None:
            self.filters["group"].queryset = accounts.visible_groups(request.user)

    class Meta(wagtail_users.UserFilterSet.Meta):
        pass


class IndexView(wagtail_users.IndexView):
    def get_base_queryset(self):
        return (
            accounts.visible_accounts(self.request.user)
            .select_related("wagtail_userprofile")
            .prefetch_related("groups")
        )

    @cached_property
    def columns(self):
        columns = [
            Column(
                "is_active",
                label="状态",
                accessor=lambda u: "有效" if u.is_active else "已停用",
                sort_key="is_active",
                classname="status",
                width="10%",
            )
            if column.name == "is_active"
            else column
            for column in super().columns
        ]
        roles = Column(
            "roles",
            label="角色",
            accessor=lambda u: "、".join(g.name for g in u.groups.all()) or "—",
            classname="roles",
        )
        columns.insert(3, roles)
        return columns


class CreateView(IgnoredFieldsMixin, wagtail_users.CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        user, self.one_time_password = accounts.create_account(
            username=data[User.USERNAME_FIELD],
            name=data["first_name"],
            email=data.get("email", ""),
            phone=data.get("phone", ""),
            groups=data.get("groups") or [],
        )
        if data.get("is_superuser") and self.request.user.is_superuser:
            user.is_superuser = True
            user.save(update_fields=["is_superuser"])
        log(instance=user, action="wagtail.create", user=self.request.user)
        return user

    def save_action(self):
        # The one-time password is shown once, on this page, not in a message that could be
        # kept by the browser's history of the list.
        return TemplateResponse(
            self.request,
            "portal_sites/password_reset_done.html",
            {"target": self.object, "password": self.one_time_password, "created": True},
        )


class EditView(IgnoredFieldsMixin, wagtail_users.EditView):
    def get_queryset(self):
        return accounts.visible_accounts(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_manage"] = accounts.can_manage(self.request.user, self.object)
        return context


class DeleteView(wagtail_users.DeleteView):
    def get_queryset(self):
        return accounts.visible_accounts(self.request.user)


class VisibleAccountsOnlyMixin:
    """The object views (history, usage) find only accounts their user may see: 404 otherwise."""

    def get_base_object_queryset(self):
        visible = accounts.visible_accounts(self.request.user).values("pk")
        return super().get_base_object_queryset().filter(pk__in=visible)


class HistoryView(VisibleAccountsOnlyMixin, wagtail_users.HistoryView):
    pass


class UsageView(VisibleAccountsOnlyMixin, UsageViewBase):
    pass


def _managed(request, pk):
    target = get_object_or_404(accounts.visible_accounts(request.user), pk=pk)
    if not accounts.can_manage(request.user, target):
        raise PermissionDenied
    return target


@require_POST
def reset_password_view(request, pk):
    target = _managed(request, pk)
    password = accounts.reset_password(target)
    return TemplateResponse(
        request, "portal_sites/password_reset_done.html", {"target": target, "password": password}
    )


@require_POST
def reset_second_factor_view(request, pk):
    from security import otp

    target = _managed(request, pk)
    removed = otp.reset_devices(target)
    _audit(request, "second_factor_reset", target.get_username(), {"devices": removed}, False)
    messages.success(
        request,
        f"已重置账号 {target.get_username()} 的二次验证（删除 {removed} 个验证设备），"
        "该用户下次登录时须重新绑定身份验证器或手机。",
    )
    return redirect("wagtailusers_users:index")


@require_POST
def set_active_view(request, pk):
    target = _managed(request, pk)
    # The list's button carries it in its address, the edit page's form in its body.
    active = request.POST.get("active", request.GET.get("active")) == "1"
    accounts.set_active(target, active)
    messages.success(request, f"已{'启用' if active else '停用'}账号 {target.get_username()}。")
    return redirect("wagtailusers_users:index")


class PortalUserViewSet(wagtail_users.UserViewSet):
    filterset_class = StaffAccountFilterSet
    # A copy would carry another account's roles past the rules above: new accounts are created.
    copy_view_enabled = False
    index_view_class = IndexView
    add_view_class = CreateView
    edit_view_class = EditView
    delete_view_class = DeleteView
    history_view_class = HistoryView
    usage_view_class = UsageView
    create_template_name = "portal_sites/users/create.html"
    edit_template_name = "portal_sites/users/edit.html"

    def get_form_class(self, for_update=False):
        return PortalUserEditForm if for_update else PortalUserCreationForm

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("reset-password/<int:pk>/", reset_password_view, name="reset_password"),
            path(
                "reset-second-factor/<int:pk>/",
                reset_second_factor_view,
                name="reset_second_factor",
            ),
            path("active/<int:pk>/", set_active_view, name="set_active"),
        ]


# --- bulk actions of the user list ------------------------------------------------------------


class ScopedUserBulkActionMixin:
    """Wagtail's bulk actions on users, limited to the accounts the signed-in user may touch."""

    def get_all_objects_in_listing_query(self, parent_id):
        listing = super().get_all_objects_in_listing_query(parent_id)
        return listing.filter(pk__in=accounts.visible_accounts(self.request.user).values("pk"))

    def check_perm(self, obj):
        return accounts.can_manage(self.request.user, obj)


class ScopedSetActiveStateBulkAction(ScopedUserBulkActionMixin, SetActiveStateBulkAction):
    @classmethod
    def execute_action(cls, objects, mark_as_active=False, user=None, **kwargs):
        # One save per account (not Wagtail's queryset update), so that each is audited.
        done = 0
        for account in objects:
            if user is not None and account.pk == user.pk:
                continue
            accounts.set_active(account, mark_as_active)
            done += 1
        return done, 0


class ScopedDeleteBulkAction(ScopedUserBulkActionMixin, DeleteBulkAction):
    def check_perm(self, obj):
        return self.request.user.is_superuser and obj.pk != self.request.user.pk


class ScopedRoleForm(RoleForm):
    role = forms.ModelChoiceField(queryset=Group.objects.none(), label="角色")


class ScopedAssignRoleBulkAction(ScopedUserBulkActionMixin, AssignRoleBulkAction):
    form_class = ScopedRoleForm

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.fields["role"].queryset = accounts.assignable_groups(self.request.user).order_by(
            "name"
        )
        return form

    def check_perm(self, obj):
        return accounts.role_scope(self.request.user).filter(pk=obj.pk).exists()

    @classmethod
    def execute_action(cls, objects, role=None, **kwargs):
        if role is None:
            return 0, 0
        done = 0
        for user in objects:
            try:
                accounts.assign_role(user, role)
            except accounts.RoleRuleError:
                continue  # e.g. one of the three administrators: left as it was
            done += 1
        return done, 0


USER_BULK_ACTIONS = (
    ScopedAssignRoleBulkAction,
    ScopedDeleteBulkAction,
    ScopedSetActiveStateBulkAction,
)

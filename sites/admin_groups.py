"""The admin's group screens (设置 → 用户组), Wagtail's ``GroupViewSet`` kept to 三员分立.

The rights of the three separated administrators (系统管理员, 安全管理员, 审计管理员) are fixed by
the installation (``sites.services.permissions.ADMIN_ROLE_PERMISSIONS``): their groups cannot be
renamed, deleted or given other rights here, and no other group may carry a right that is one
of theirs (a group "X" with the audit log's rights would make its members auditors). A refused
change re-renders the form with the reason and is recorded in the audit log.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from wagtail.users.forms import GroupForm
from wagtail.users.views import groups as wagtail_groups

from sites.registry import ADMIN_ROLES
from sites.services.permissions import ADMIN_ROLE_PERMISSIONS

SHARED = {"wagtailadmin.access_admin"}


def _dotted(permissions) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}" for p in permissions}


def reserved_permissions() -> dict[str, str]:
    """{"app.codename": the 三员 group it belongs to} of every right reserved to one of them."""
    reserved = {}
    for role, dotted in ADMIN_ROLE_PERMISSIONS.items():
        for name in dotted:
            if name not in SHARED:
                reserved[name] = ADMIN_ROLES[role]
    reserved.setdefault("security.unlock_accounts", ADMIN_ROLES["security"])
    return reserved


def _refused(form, what: str, details: dict):
    from audit import services
    from audit.models import Category, Outcome

    services.record(
        Category.PERMISSION,
        "group_change_refused",
        target=form.instance.name or form.data.get("name", ""),
        outcome=Outcome.DENIED,
        details={"reason": what, **details},
    )


class SeparatedGroupForm(GroupForm):
    @property
    def is_admin_role_group(self) -> bool:
        return bool(self.instance.pk) and self.instance.name in ADMIN_ROLES.values()

    def clean_name(self):
        name = super().clean_name()
        if self.is_admin_role_group and name != self.instance.name:
            _refused(self, "rename", {"to": name})
            raise forms.ValidationError(
                "三员分立：系统、安全、审计管理员组的名称由系统固定，不能修改。"
            )
        if not self.is_admin_role_group and name in ADMIN_ROLES.values():
            raise forms.ValidationError(f"“{name}”是三员分立的保留组名，请换一个名称。")
        return name

    def clean_permissions(self):
        chosen = self.cleaned_data.get("permissions") or Permission.objects.none()
        chosen = set(chosen.select_related("content_type"))
        if self.is_admin_role_group:
            current = set(self.instance.permissions.filter(pk__in=self.registered_permissions))
            if chosen != current:
                _refused(
                    self,
                    "admin_role_permissions",
                    {
                        "added": sorted(_dotted(chosen - current)),
                        "removed": sorted(_dotted(current - chosen)),
                    },
                )
                # Non-field: Wagtail's permission table shows no field errors, its message does.
                self.add_error(
                    None, "三员分立：系统、安全、审计管理员组的权限由系统固定，不能在此修改。"
                )
            return self.cleaned_data["permissions"]
        reserved = reserved_permissions()
        taken = sorted(name for name in _dotted(chosen) if name in reserved)
        if taken:
            _refused(self, "reserved_permissions", {"permissions": taken})
            owners = "、".join(sorted({reserved[name] for name in taken}))
            self.add_error(
                None,
                f"三员分立：所选权限中有只属于{owners}的权限（{'、'.join(taken)}），"
                "不能授予其他用户组。",
            )
        return self.cleaned_data["permissions"]


class DeleteView(wagtail_groups.DeleteView):
    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        if self.object.name in ADMIN_ROLES.values():
            raise PermissionDenied


class PortalGroupViewSet(wagtail_groups.GroupViewSet):
    delete_view_class = DeleteView

    def get_form_class(self, for_update=False):
        return SeparatedGroupForm

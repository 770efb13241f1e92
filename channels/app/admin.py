"""The admin's “APP版本管理”: the versions of the 广西信访APP per platform.

The APP is the whole region's, so its releases are managed by the regional portal's
administrators (the 广西壮族自治区信访局-管理员 group) and superusers; city portals' staff do not
see the menu and are refused by every view.
"""

from __future__ import annotations

from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.admin.ui.tables import BooleanColumn
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy

from channels.models import AppRelease

ACTIONS = ("view", "add", "change", "delete")


def may_manage_releases(user) -> bool:
    from sites.models import Portal
    from sites.registry import group_name

    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    regional = Portal.objects.filter(is_regional=True).first()
    return bool(regional) and user.groups.filter(name=group_name(regional.name, "admin")).exists()


class AppReleasePolicy(ModelPermissionPolicy):
    def user_has_permission(self, user, action):
        return action in ACTIONS and may_manage_releases(user)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission(actions).none()


class AppReleaseViewSet(ModelViewSet):
    model = AppRelease
    icon = "download"
    menu_label = "APP版本管理"
    menu_order = 9000
    add_to_admin_menu = True
    list_display = [
        "__str__",
        "platform",
        "version",
        "min_supported_version",
        "rollout_percent",
        BooleanColumn("published", label="已上线"),  # a tick, not "True"
        "created_at",
    ]
    list_filter = ["platform", "published"]
    search_fields = ["version", "release_notes"]
    inspect_view_enabled = True
    panels = [
        MultiFieldPanel(
            [FieldPanel("platform"), FieldPanel("version"), FieldPanel("release_notes")],
            heading="版本",
        ),
        MultiFieldPanel([FieldPanel("download_url"), FieldPanel("checksum")], heading="安装包"),
        MultiFieldPanel(
            [
                FieldPanel("min_supported_version"),
                FieldPanel("rollout_percent"),
                FieldPanel("published"),
            ],
            heading="更新策略",
        ),
    ]

"""Wagtail's users app with the project's user and group screens (``sites.admin_users``,
``sites.admin_groups``): listed in INSTALLED_APPS in place of ``wagtail.users``. Kept apart
because an app config module is imported before the models are ready."""

from wagtail.users.apps import WagtailUsersAppConfig


class PortalUsersConfig(WagtailUsersAppConfig):
    user_viewset = "sites.admin_users.PortalUserViewSet"
    group_viewset = "sites.admin_groups.PortalGroupViewSet"

    def ready(self):
        super().ready()
        from django.contrib.auth import get_user_model
        from wagtail.permissions import register_permission_policy

        from sites.admin_users import StaffAccountPermissionPolicy

        # Replaces the plain model policy that Wagtail's ready() registered for users: who may
        # see and change which account is decided per account (三员分立, portal administrators).
        user_model = get_user_model()
        register_permission_policy(user_model, StaffAccountPermissionPolicy(user_model))

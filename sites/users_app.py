"""Wagtail's users app with the project's user screens (``sites.admin_users``): listed in
INSTALLED_APPS in place of ``wagtail.users``. Kept apart because an app config module is imported
before the models are ready."""

from wagtail.users.apps import WagtailUsersAppConfig


class PortalUsersConfig(WagtailUsersAppConfig):
    user_viewset = "sites.admin_users.PortalUserViewSet"

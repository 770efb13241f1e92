"""Admin integration: account screens and buttons on the user listing."""

from django.urls import path, reverse, reverse_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets import ListingButton

from sites import views


@hooks.register("register_admin_urls")
def account_urls():
    return [
        path("first-password/", views.first_password, name="portal_first_password"),
        path(
            "accounts/<int:user_id>/reset-password/",
            views.reset_password,
            name="portal_reset_password",
        ),
        path("accounts/<int:user_id>/active/", views.set_active, name="portal_set_active"),
        path("portal-accounts/", views.portal_account_list, name="portal_accounts"),
    ]


@hooks.register("register_user_listing_buttons")
def account_buttons(user, request_user):
    from sites.services.accounts import can_manage

    if can_manage(request_user, user):
        yield ListingButton(
            "重置密码",
            reverse("portal_reset_password", args=[user.pk]),
            priority=30,
            attrs={
                "data-controller": "w-action",
                "data-w-action-continue-value": "true",
                "data-action": "w-action#post",
            },
        )
        yield ListingButton(
            "停用" if user.is_active else "启用",
            reverse("portal_set_active", args=[user.pk]),
            priority=31,
            attrs={
                "data-controller": "w-action",
                "data-w-action-continue-value": "true",
                "data-w-action-url-value": reverse("portal_set_active", args=[user.pk])
                + ("?active=0" if user.is_active else "?active=1"),
                "data-action": "w-action#post",
            },
        )


class PortalAccountsMenuItem(MenuItem):
    def is_shown(self, request):
        from sites.services.accounts import admin_portals

        return bool(admin_portals(request.user))


@hooks.register("register_admin_menu_item")
def portal_accounts_menu():
    return PortalAccountsMenuItem(
        "本门户账号", reverse_lazy("portal_accounts"), icon_name="user", order=9100
    )


# --- per-portal scoping of Wagtail's own admin API (sites.admin_isolation) --------------------


@hooks.register("construct_admin_api", order=100)
def portal_scoped_admin_api(router):
    # Runs after wagtail.images/documents registered theirs: the same names, scoped per portal.
    from sites.admin_isolation import PortalDocumentsAdminAPIViewSet, PortalImagesAdminAPIViewSet

    router.register_endpoint("images", PortalImagesAdminAPIViewSet)
    router.register_endpoint("documents", PortalDocumentsAdminAPIViewSet)


@hooks.register("before_move_page")
def refuse_moving_pages_that_are_not_yours(request, page_to_move, destination):
    # Wagtail's move confirmation runs this hook before it checks permissions, and would show
    # another portal's draft title: refuse here unless the user may move the page there.
    if not page_to_move.permissions_for_user(request.user).can_move_to(destination):
        from sites.admin_isolation import forbidden

        return forbidden(request)
    return None

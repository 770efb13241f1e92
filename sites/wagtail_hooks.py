"""Admin integration: the account buttons of the user list, the first-login password screen,
per-portal scoping of Wagtail's admin API and the move confirmation."""

from django.urls import path, reverse
from django.views.generic import RedirectView
from wagtail import hooks
from wagtail.admin.widgets import ListingButton

from sites import views


@hooks.register("register_admin_urls")
def account_urls():
    return [
        path("first-password/", views.first_password, name="portal_first_password"),
        # Addresses of the former 本门户账号 screen and its buttons, now the user list's own.
        path(
            "accounts/<int:user_id>/reset-password/",
            views.moved_action("wagtailusers_users:reset_password"),
            name="portal_reset_password",
        ),
        path(
            "accounts/<int:user_id>/active/",
            views.moved_action("wagtailusers_users:set_active"),
            name="portal_set_active",
        ),
        path(
            "portal-accounts/",
            RedirectView.as_view(pattern_name="wagtailusers_users:index", permanent=True),
            name="portal_accounts",
        ),
    ]


def _post_button(label, url, priority, classname=""):
    return ListingButton(
        label,
        url,
        priority=priority,
        classname=classname,
        attrs={
            "data-controller": "w-action",
            "data-w-action-continue-value": "true",
            "data-w-action-url-value": url,
            "data-action": "w-action#post",
        },
    )


@hooks.register("register_user_listing_buttons")
def account_buttons(user, request_user):
    # Buttons for what the signed-in user may do to this account (sites.services.accounts):
    # each posts to a view of the user viewset, which checks the same again.
    from sites.services.accounts import can_manage

    if not can_manage(request_user, user):
        return
    yield _post_button("重置密码", reverse("wagtailusers_users:reset_password", args=[user.pk]), 30)
    yield _post_button(
        "重置二次验证", reverse("wagtailusers_users:reset_second_factor", args=[user.pk]), 31
    )
    active_url = reverse("wagtailusers_users:set_active", args=[user.pk])
    yield _post_button(
        "停用" if user.is_active else "启用",
        active_url + ("?active=0" if user.is_active else "?active=1"),
        32,
    )


def _register_user_bulk_actions():
    # Registered after Wagtail's own (order 100): the same action types, limited to the
    # accounts and roles the signed-in user may touch (sites.admin_users).
    from sites.admin_users import USER_BULK_ACTIONS

    for action_class in USER_BULK_ACTIONS:
        hooks.register("register_bulk_action", action_class, order=100)


_register_user_bulk_actions()


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

"""Admin integration: account screens and buttons on the user listing."""

from django.urls import path, reverse
from wagtail import hooks
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
    ]


@hooks.register("register_user_listing_buttons")
def account_buttons(user, request_user):
    if request_user.has_perm("auth.change_user") and user != request_user:
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

"""Admin integration: the second-factor screens and the security administrator's 登录锁定 menu."""

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from security import views


@hooks.register("register_admin_urls")
def security_urls():
    return [
        path("otp/", views.otp_step, name="security_otp"),
        path("otp/setup/", views.otp_setup, name="security_otp_setup"),
        path("security/lockouts/", views.lockouts, name="security_lockouts"),
        path("security/lockouts/unlock/", views.unlock, name="security_unlock"),
    ]


class LockoutMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("security.unlock_accounts")


@hooks.register("register_settings_menu_item")
def lockout_menu_item():
    return LockoutMenuItem("登录锁定", reverse("security_lockouts"), icon_name="lock", order=900)

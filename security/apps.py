"""App configuration: connects the lockout and password-history signals, registers the checks,
gives Wagtail's chooser widgets the admin's CSP nonce (security.admin_csp)."""

from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "security"
    label = "security"
    verbose_name = "登录安全"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from security import admin_csp, checks, signals  # noqa: F401

        admin_csp.install()

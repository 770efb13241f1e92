"""App configuration of ``operations`` (运维): wires the maintenance page's exception hook."""

from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "operations"
    label = "operations"
    verbose_name = "运维"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.core.signals import got_request_exception

        from . import checks, maintenance  # noqa: F401 - checks register themselves

        got_request_exception.connect(maintenance.remember_exception, dispatch_uid="ops_maint")

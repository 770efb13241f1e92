"""App configuration of backend_bridge, with a deploy check that the personal-data keys are set."""

from django.apps import AppConfig
from django.conf import settings
from django.core import checks


class BackendBridgeConfig(AppConfig):
    name = "backend_bridge"
    verbose_name = "互动交流"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        checks.register(check_keys, checks.Tags.security, deploy=True)


def check_keys(app_configs=None, **kwargs):
    """``manage.py check --deploy`` fails when the keys protecting personal data are missing."""
    errors = []
    for name in ("PII_SM4_KEY", "PII_INDEX_KEY", "CASE_WEBHOOK_SECRET"):
        if not getattr(settings, name, ""):
            errors.append(checks.Error(f"{name} is not set", id="backend_bridge.E001", obj=name))
    return errors

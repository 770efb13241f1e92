from django.apps import AppConfig


class SensitiveWordsConfig(AppConfig):
    name = "sensitive_words"
    verbose_name = "敏感词监控"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import checks  # noqa: F401 - registers the system checks

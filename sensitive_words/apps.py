from django.apps import AppConfig


class SensitiveWordsConfig(AppConfig):
    name = "sensitive_words"
    verbose_name = "敏感词监控"
    default_auto_field = "django.db.models.BigAutoField"

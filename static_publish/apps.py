from django.apps import AppConfig


class StaticPublishConfig(AppConfig):
    name = "static_publish"
    label = "static_publish"
    verbose_name = "静态发布"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import signals

        signals.connect()

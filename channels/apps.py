from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "channels"
    verbose_name = "多渠道发布"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.core.signals import request_finished
        from django.db.models.signals import post_migrate

        from backend_bridge.signals import status_changed

        from . import services, signals
        from .wechat import notices

        signals.connect()
        status_changed.connect(notices.on_status_changed, dispatch_uid="channels_wechat_notices")
        from .app import push

        status_changed.connect(push.on_status_changed, dispatch_uid="channels_app_push")
        post_migrate.connect(_sync_targets, sender=self, dispatch_uid="channels_sync_targets")
        request_finished.connect(services.stop_keeping, dispatch_uid="channels_stop_keeping")
        from .app import journal

        journal.connect()  # a deleted page leaves a tombstone in the APP's journal


def _sync_targets(**kwargs):
    """After every deployment's migrate: a channel added to the configuration shows up at once."""
    from .services import sync_targets

    sync_targets()

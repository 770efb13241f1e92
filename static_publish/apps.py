import logging

from django.apps import AppConfig


class _QuietInternalRenders(logging.Filter):
    """The 404s of internal renders (a page unpublished, the portal's error page) are expected:
    they are not logged as "Not Found" requests; their 5xx still are."""

    def filter(self, record):
        from cms.page_cache import is_internal_render

        request = getattr(record, "request", None)
        status = getattr(record, "status_code", 500)
        return not (request is not None and is_internal_render(request) and status < 500)


class StaticPublishConfig(AppConfig):
    name = "static_publish"
    label = "static_publish"
    verbose_name = "静态发布"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import signals

        signals.connect()
        logging.getLogger("django.request").addFilter(_QuietInternalRenders())

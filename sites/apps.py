from django.apps import AppConfig


class PortalSitesConfig(AppConfig):
    name = "sites"
    # "sites" would clash with django.contrib.sites.
    label = "portal_sites"
    verbose_name = "网站群"
    default_auto_field = "django.db.models.BigAutoField"

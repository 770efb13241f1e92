from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "stats"
    label = "stats"
    verbose_name = "数据统计"
    default_auto_field = "django.db.models.BigAutoField"

"""App configuration of the canteen's mini-program backend."""

from django.apps import AppConfig


class MiniProgramsConfig(AppConfig):
    name = "mini_programs"
    verbose_name = "食堂订餐"
    default_auto_field = "django.db.models.BigAutoField"

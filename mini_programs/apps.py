"""App configuration of the canteen's mini-program backend."""

from django.apps import AppConfig


class MiniProgramsConfig(AppConfig):
    name = "mini_programs"
    verbose_name = "食堂订餐"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from backend_bridge.services import keys

        from .models import PHONE_INDEX_PURPOSE, Diner

        # Diners' phone numbers are re-keyed by ``rotate_keys`` with citizens' data.
        keys.register(
            "用餐人员",
            Diner,
            fields=["phone"],
            indexes={"phone_index": ("phone", PHONE_INDEX_PURPOSE)},
        )

"""System checks of deployment settings: production defaults are production's."""

from django.conf import settings
from django.core.checks import Warning, register


@register("operations", deploy=False)
def immediate_tasks_in_production(app_configs, **kwargs):
    backend = settings.TASKS.get("default", {}).get("BACKEND", "")
    if not settings.DEBUG and backend.endswith("ImmediateBackend"):
        return [
            Warning(
                "DEBUG 已关闭，但后台任务仍在 Web 请求中立即执行（immediate）。",
                hint="生产环境请设置 TASKS_BACKEND=database 并运行 manage.py db_worker。",
                id="operations.W001",
            )
        ]
    return []

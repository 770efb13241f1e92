"""The mini-program's configuration: ``settings.WECHAT_MINI_PROGRAM`` (a JSON object).

Keys: ``app_id``, ``secret``, ``entity`` (the owning entity, 主体), ``filing_number``
(小程序备案号), optionally ``name``, ``previous_app_id`` (the AppID being replaced during a
change of owning entity, 主体变更) and ``templates``: the subscribe-message templates,
``{"reminder": {"template_id", "data"}, "meal_cancelled": {...}}``, where ``data`` maps a
template key to a text with ``{meal}``, ``{cutoff}``, ``{reason}``, ``{name}`` placeholders.
Read at every call, so a changed environment needs a restart but never a code change.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .errors import MealError

DEFAULT_TEMPLATE_DATA = {
    "reminder": {"thing1": "{meal}", "time2": "{cutoff}", "thing3": "订餐即将截止，请及时订餐"},
    "meal_cancelled": {"thing1": "{meal}", "thing2": "{reason}", "thing3": "已订餐费不计入账单"},
}


@dataclass(frozen=True)
class MiniProgramConfig:
    app_id: str
    secret: str
    entity: str
    filing_number: str
    name: str = "信订餐"
    previous_app_id: str = ""
    templates: dict = field(default_factory=dict)

    def template(self, kind: str) -> tuple[str, dict] | None:
        """(template_id, data with placeholders) for a notice kind, or None if not offered."""
        entry = self.templates.get(kind)
        if not entry:
            return None
        if isinstance(entry, str):
            return entry, DEFAULT_TEMPLATE_DATA[kind]
        return entry["template_id"], entry.get("data") or DEFAULT_TEMPLATE_DATA[kind]


def get_config() -> MiniProgramConfig:
    """The configuration, or MealError(503) when the mini-program is not configured."""
    raw = getattr(settings, "WECHAT_MINI_PROGRAM", None) or {}
    if not isinstance(raw, dict):
        raise ImproperlyConfigured("WECHAT_MINI_PROGRAM must be a JSON object")
    if not raw.get("app_id") or not raw.get("secret"):
        raise MealError(
            "not_configured", "小程序尚未配置（WECHAT_MINI_PROGRAM），请联系管理员。", 503
        )
    templates = raw.get("templates") or {}
    for kind, entry in templates.items():
        if kind not in DEFAULT_TEMPLATE_DATA:
            raise ImproperlyConfigured(f"WECHAT_MINI_PROGRAM.templates: unknown kind {kind!r}")
        if not isinstance(entry, str) and not (
            isinstance(entry, dict) and entry.get("template_id")
        ):
            raise ImproperlyConfigured(
                f"WECHAT_MINI_PROGRAM.templates.{kind}: a template id or an object with template_id"
            )
    return MiniProgramConfig(
        app_id=str(raw["app_id"]),
        secret=str(raw["secret"]),
        entity=str(raw.get("entity") or ""),
        filing_number=str(raw.get("filing_number") or ""),
        name=str(raw.get("name") or "信订餐"),
        previous_app_id=str(raw.get("previous_app_id") or ""),
        templates=dict(templates),
    )

"""The custom menu (自定义菜单) of an official account: built from the administrators' buttons,
checked against WeChat's limits, and pushed with ``menu/create``.

A button (``channels.blocks``) opens a portal column, one of the citizen services, a web
address (all ``view`` buttons with absolute URLs), or sends a keyword (a ``click`` button whose
key the message callback answers like the keyword reply of that name). A service entry opens the
account's H5 page (``/wechat/<code>/h5/…``, which signs the citizen in with web authorisation) on
a service account, and the portal's page on a subscription account (no web authorisation
there). WeChat's limits, from
its documentation: 1 to 3 top-level buttons, at most 5 sub-buttons each, a top-level name of at
most 16 bytes, a sub-button name of at most 60 bytes, a URL of at most 1024 bytes and a key of
at most 128 bytes. Every problem is described in Chinese for the administrator.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from .accounts import WeChatAccount, get_account
from .client import client_for

TOP_MAX = 3
SUB_MAX = 5
TOP_NAME_BYTES = 16
SUB_NAME_BYTES = 60
URL_BYTES = 1024
KEY_BYTES = 128

#: Service entries: code -> (label, URL name of backend_bridge's page); the H5 page of a service
#: account is ``wechat:h5_<code>``.
SERVICES = {
    "petition": ("网上信访", "backend_bridge:petition"),
    "canal_petition": ("平陆运河绿色通道", "backend_bridge:canal_petition"),
    "lookup": ("信访件查询评价", "backend_bridge:lookup"),
    "board": ("领导留言板", "backend_bridge:board"),
    "suggestions": ("人民建议征集", "backend_bridge:suggestions"),
}


class MenuInvalid(ValueError):
    """The menu breaks WeChat's rules; ``errors`` are Chinese sentences for the administrator."""

    def __init__(self, errors: list[str]):
        super().__init__("；".join(errors))
        self.errors = errors


def portal_base() -> str:
    """The default portal's public address (``scheme://host[:port]``), for the service entries.

    Not ``Site.root_url``: that is what the Site record said when it was seeded (http, the
    development port), while WeChat must open the address citizens reach (PORTAL_SCHEME,
    PORTAL_PORT)."""
    from wagtail.models import Site

    from sites.services.seeding import portal_base_url

    site = Site.objects.filter(is_default_site=True).first() or Site.objects.first()
    return portal_base_url(site) if site else ""


def column_url(column) -> str:
    """The public address of a live column on its own portal ("" when it has none)."""
    from wagtail.models import Site

    from sites.services.seeding import portal_base_url

    parts = column.get_url_parts() if column and column.live else None
    if not parts:
        return ""
    site_id, _root_url, path = parts
    site = Site.objects.filter(pk=site_id).first()
    return portal_base_url(site) + path if site else ""


def service_url(code: str, base: str | None = None, account: WeChatAccount | None = None) -> str:
    """The absolute URL of a service entry (``SERVICES``) on the default portal: the H5 page of a
    service ``account``, else the portal's page."""
    if account is not None and account.is_service:
        path = reverse(f"wechat:h5_{code}", kwargs={"code": account.code})
    else:
        path = reverse(SERVICES[code][1])
    return (portal_base() if base is None else base) + path


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def _target(value, where: str, base: str, errors: list[str], account=None) -> dict:
    """The type and target of one button that has no sub-buttons."""
    chosen = [name for name in ("service", "column", "url", "keyword") if value.get(name)]
    if len(chosen) != 1:
        errors.append(
            f"{where}：请在“服务入口”“栏目”“网址”“关键词”中选填一项（现有 {len(chosen)} 项）"
        )
        return {}
    kind = chosen[0]
    if kind == "keyword":
        key = value["keyword"].strip()
        if _size(key) > KEY_BYTES:
            errors.append(f"{where}：关键词不能超过 {KEY_BYTES} 字节")
        return {"type": "click", "key": key}
    if kind == "service":
        if value["service"] not in SERVICES:
            errors.append(f"{where}：未知的服务入口")
            return {}
        url = service_url(value["service"], base, account)
    elif kind == "column":
        url = column_url(value["column"])
        if not url:
            errors.append(f"{where}：所选栏目未发布或没有可访问的地址")
            return {}
    else:
        url = value["url"].strip()
    if not url.startswith(("http://", "https://")):
        errors.append(f"{where}：网址必须以 http:// 或 https:// 开头")
    elif _size(url) > URL_BYTES:
        errors.append(f"{where}：网址不能超过 {URL_BYTES} 字节")
    return {"type": "view", "url": url}


def _name(value, where: str, limit: int, errors: list[str]) -> str:
    name = (value.get("name") or "").strip()
    if not name:
        errors.append(f"{where}：请填写名称")
    elif _size(name) > limit:
        errors.append(
            f"{where}：名称“{name}”超过 {limit} 字节（现有 {_size(name)} 字节，一个汉字 3 字节）"
        )
    return name


def build(buttons, *, base: str | None = None, account: WeChatAccount | None = None) -> dict:
    """The ``menu/create`` body for the menu's StreamField value (of ``account``, whose kind
    decides where service entries go); ``MenuInvalid`` lists every problem at once."""
    base = portal_base() if base is None else base
    errors: list[str] = []
    tops = [block.value for block in buttons]
    if not tops:
        errors.append("菜单至少需要 1 个一级菜单")
    if len(tops) > TOP_MAX:
        errors.append(f"一级菜单最多 {TOP_MAX} 个（现有 {len(tops)} 个）")
    result = []
    for i, top in enumerate(tops, start=1):
        where = f"第 {i} 个一级菜单"
        button = {"name": _name(top, where, TOP_NAME_BYTES, errors)}
        subs = list(top.get("sub_buttons") or [])
        if len(subs) > SUB_MAX:
            errors.append(f"{where}：子菜单最多 {SUB_MAX} 个（现有 {len(subs)} 个）")
        if subs:
            if any(top.get(name) for name in ("service", "column", "url", "keyword")):
                errors.append(f"{where}：有子菜单时不能再选填跳转目标")
            button["sub_button"] = []
            for j, sub in enumerate(subs, start=1):
                sub_where = f"{where}的第 {j} 个子菜单"
                item = {"name": _name(sub, sub_where, SUB_NAME_BYTES, errors)}
                item.update(_target(sub, sub_where, base, errors, account))
                button["sub_button"].append(item)
        else:
            button.update(_target(top, where, base, errors, account))
        result.append(button)
    if errors:
        raise MenuInvalid(errors)
    return {"button": result}


def push(menu) -> dict:
    """Send the menu (a ``channels.models.WeChatMenu``) to its account with ``menu/create``.
    Raises ``MenuInvalid`` or the client's ``WeChatError`` (its ``str()`` is Chinese)."""
    account = get_account(menu.account)
    body = build(menu.buttons, account=account)
    client_for(account).menu.create(body)
    type(menu).objects.filter(pk=menu.pk).update(pushed_at=timezone.now())
    return body

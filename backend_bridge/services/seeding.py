"""Seeding of the leader board and people's suggestions, called by ``sites.services.seeding``.

Always (idempotent): the default suggestion domains, and the rights of each portal's 管理员 group
to keep its own leaders and campaigns (the admin shows each portal only its own). With demo
data: three leaders per portal with neutral placeholder names, and the open campaign
“平陆运河建设意见建议征集” on the regional and 钦州 portals.
"""

from __future__ import annotations

import zlib
from datetime import timedelta

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from backend_bridge.models import Leader, SuggestionCampaign

from .suggestions import ensure_domains

PORTAL_MANAGED_MODELS = (Leader, SuggestionCampaign)
MANAGER_ROLE = "admin"
LEADER_TITLES = ("局长", "副局长", "副局长")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗梁韦蒙覃莫"
GIVEN = ("建国", "志强", "海涛", "丽华", "文斌", "红梅", "晓东", "国平", "春燕", "永明", "桂芳")
CANAL_CAMPAIGN = "平陆运河建设意见建议征集"
CANAL_PORTALS = ("gx", "qinzhou")
CANAL_INTRO = (
    "<p>平陆运河是西部陆海新通道的骨干工程。为听取群众对运河建设、征地拆迁、移民安置、"
    "生态保护和沿线发展的意见建议，现面向社会公开征集。</p>"
    "<p>请选择建议所属领域，实名提交；我们将认真研究，择优采纳。</p>"
)


def grant_portal_managers(portal) -> None:
    """The portal's 管理员 group may add, change, delete and view leaders and campaigns."""
    from sites.registry import group_name

    group = Group.objects.filter(name=group_name(portal.name, MANAGER_ROLE)).first()
    if group is None:
        return
    for model in PORTAL_MANAGED_MODELS:
        content_type = ContentType.objects.get_for_model(model)
        name = model._meta.model_name
        for action in ("add", "change", "delete", "view"):
            group.permissions.add(
                Permission.objects.get(content_type=content_type, codename=f"{action}_{name}")
            )


def placeholder_leaders(portal) -> list[tuple[str, str]]:
    """Three (name, title) pairs, the same for a portal on every run."""
    seed = zlib.crc32(portal.code.encode())
    people = []
    for index, title in enumerate(LEADER_TITLES):
        surname = SURNAMES[(seed + index * 7) % len(SURNAMES)]
        given = GIVEN[(seed // 3 + index * 5) % len(GIVEN)]
        people.append((surname + given, title))
    return people


def seed_demo_board(portal) -> None:
    if not Leader.objects.filter(portal=portal).exists():
        for order, (name, title) in enumerate(placeholder_leaders(portal)):
            Leader.objects.create(portal=portal, name=name, title=title, sort_order=order * 10)
    if portal.code in CANAL_PORTALS:
        today = timezone.localdate()
        SuggestionCampaign.objects.get_or_create(
            portal=portal,
            title=CANAL_CAMPAIGN,
            defaults={
                "intro": CANAL_INTRO,
                "start_date": today - timedelta(days=7),
                "end_date": today + timedelta(days=180),
            },
        )


def seed_board_and_suggestions(portals, demo: bool = False) -> None:
    ensure_domains()
    for portal in portals:
        grant_portal_managers(portal)
        if demo:
            seed_demo_board(portal)

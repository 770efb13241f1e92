"""What a portal's home page shows: headline (头条), carousel, notices, service entrances, the
editor-ordered column blocks and the special-column banners.

Everything here is read when the page is rendered and then kept by the page cache
(cms.page_cache): what changes it (publishing the home page or an article, a push accepted,
a campaign saved, the portal's settings saved) replaces the site's cache generation.
"""

from dataclasses import dataclass

from django.urls import reverse

SERVICE_ENTRANCES = (
    # (key, title, description, URL name)
    ("petition", "我要信访", "网上反映诉求，提交后获得查询码", "backend_bridge:petition"),
    (
        "canal",
        "平陆运河绿色通道",
        "平陆运河建设相关诉求，优先受理办理",
        "backend_bridge:canal_petition",
    ),
    ("lookup", "信访件查询评价", "凭查询码查看办理进度并评价", "backend_bridge:lookup"),
    ("board", "领导留言板", "给领导写信，查看公开答复", "backend_bridge:board"),
    ("suggestions", "人民建议征集", "建言献策，参与主题征集", "backend_bridge:suggestions"),
)
NOTICE_SLUG = "tzgg"


@dataclass
class ServiceEntrance:
    key: str
    title: str
    description: str
    url: str


def service_entrances() -> list[ServiceEntrance]:
    return [
        ServiceEntrance(key, title, description, reverse(name))
        for key, title, description, name in SERVICE_ENTRANCES
    ]


def open_campaigns(portal):
    """The portal's themed calls for suggestions (主题征集) that take suggestions today."""
    if portal is None:
        return []
    from backend_bridge.services import suggestions

    return [
        (campaign, reverse("backend_bridge:campaign", args=[campaign.pk]))
        for campaign in suggestions.open_campaigns(portal)[:3]
    ]


def headline(home):
    """The newest live 头条 of this portal, or else its newest article with a cover picture."""
    from cms.models import ArticlePage

    articles = (
        ArticlePage.objects.live()
        .public()
        .descendant_of(home)
        .select_related("cover_image")
        .order_by("-publish_date", "-pk")
    )
    return (
        articles.filter(is_headline=True).first()
        or articles.filter(cover_image__isnull=False).first()
    )


def notice_column(home):
    from cms.models import ColumnPage

    if home.notice_column_id:
        column = ColumnPage.objects.live().public().filter(pk=home.notice_column_id).first()
        if column is not None:
            return column
    return ColumnPage.objects.child_of(home).live().public().filter(slug=NOTICE_SLUG).first()


def chosen_columns(home, notices):
    """(column, count) of the editor's home blocks, or every column in the menu but the notices."""
    from cms.models import ColumnPage

    count = home.latest_count or 6
    chosen = [
        (block.value["column"], block.value.get("count") or count)
        for block in home.home_blocks
        if block.value.get("column") is not None
    ]
    if chosen:
        live = set(
            ColumnPage.objects.live()
            .public()
            .filter(pk__in=[c.pk for c, _ in chosen])
            .values_list("pk", flat=True)
        )
        return [(c.specific, n) for c, n in chosen if c.pk in live]
    columns = ColumnPage.objects.child_of(home).live().public().in_menu()
    if notices is not None:
        columns = columns.exclude(pk=notices.pk)
    return [(column, count) for column in columns]


def home_context(home) -> dict:
    from cms.models import TopicPage, column_blocks

    portal = getattr(home.get_site(), "portal", None)
    notices = notice_column(home)
    blocks = chosen_columns(home, notices)
    fetched = column_blocks([*blocks, (notices, 6)] if notices is not None else blocks)
    notice_items = fetched[-1][1] if notices is not None else []
    return {
        "headline": headline(home),
        "carousel": list(home.carousel_items.select_related("image", "link_page")),
        "notices": notices,
        "notice_items": notice_items,
        "services": service_entrances(),
        "campaigns": open_campaigns(portal),
        "column_blocks": fetched[:-1] if notices is not None else fetched,
        "topics": TopicPage.objects.child_of(home).live().public().select_related("banner"),
    }

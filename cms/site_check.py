"""The national government-website check, run on our own content (政府网站检查).

Finds what the national check indicators count against a portal: blank columns (空白栏目),
columns not updated within their cycle (不更新栏目), a home page whose columns show nothing recent
(首页不更新), and dead links inside published pages (错链/断链) to pages that are gone or no longer
published, documents or images that were deleted or whose files are missing. Links are read from
Wagtail's reference index, which records every link a page's rich text and choosers hold.
"""

import re
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Max, Q
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page, ReferenceIndex, Site

from cms.models import ArticlePage, ArticleShare, ColumnPage, TopicPage

HOME_STALE_DAYS = 14  # the indicator's two weeks for the home page


@dataclass
class Finding:
    site: str
    kind: str  # 空白栏目 / 不更新栏目 / 首页不更新 / 错链
    page_title: str
    page_url: str
    detail: str


def _latest_by_column(columns: list[ColumnPage]) -> dict[int, object]:
    """Newest publish date per column, own articles and accepted pushes, in two queries."""
    latest: dict[int, object] = {}
    if not columns:
        return latest
    by_path = {c.path: c.pk for c in columns}
    own = (
        ArticlePage.objects.live()
        .filter(
            Q(*[Q(path__startswith=c.path, depth=c.depth + 1) for c in columns], _connector=Q.OR)
        )
        .values_list("path", "publish_date")
    )
    for path, published in own:
        column_id = by_path.get(path[: -Page.steplen])
        if column_id and (column_id not in latest or published > latest[column_id]):
            latest[column_id] = published
    shared = (
        ArticleShare.objects.accepted()
        .filter(column__in=columns, article__live=True)
        .values("column_id")
        .annotate(newest=Max("article__publish_date"))
    )
    for row in shared:
        if row["column_id"] not in latest or row["newest"] > latest[row["column_id"]]:
            latest[row["column_id"]] = row["newest"]
    return latest


def stale_columns(site: Site, now=None) -> list[Finding]:
    now = now or timezone.now()
    columns = list(ColumnPage.objects.live().descendant_of(site.root_page))
    latest = _latest_by_column(columns)
    findings = []
    for column in columns:
        url = column.get_url()
        newest = latest.get(column.pk)
        has_sub_columns = column.numchild and ColumnPage.objects.child_of(column).live().exists()
        if newest is None and not has_sub_columns:
            findings.append(
                Finding(site.site_name, "空白栏目", column.title, url, "栏目下没有已发布的文章")
            )
        elif (
            newest
            and column.update_cycle_days
            and now - newest > timedelta(days=column.update_cycle_days)
        ):
            days = (now - newest).days
            findings.append(
                Finding(
                    site.site_name,
                    "不更新栏目",
                    column.title,
                    url,
                    f"已 {days} 天未更新（更新周期 {column.update_cycle_days} 天）",
                )
            )
    home_columns = [c for c in columns if c.depth == site.root_page.depth + 1 and c.show_in_menus]
    home_latest = [latest[c.pk] for c in home_columns if c.pk in latest]
    if home_columns and (
        not home_latest or now - max(home_latest) > timedelta(days=HOME_STALE_DAYS)
    ):
        findings.append(
            Finding(
                site.site_name,
                "首页不更新",
                site.root_page.title,
                "/",
                f"首页栏目 {HOME_STALE_DAYS} 天内没有新内容",
            )
        )
    return findings


def dead_links(site: Site) -> list[Finding]:
    pages = {p.pk: p for p in Page.objects.live().descendant_of(site.root_page, inclusive=True)}
    page_ct = ContentType.objects.get_for_model(Page)
    refs = ReferenceIndex.objects.filter(
        base_content_type=page_ct, object_id__in=[str(pk) for pk in pages]
    )
    image_model, document_model = get_image_model(), get_document_model()
    targets = {
        ContentType.objects.get_for_model(Page).pk: ("页面", Page),
        ContentType.objects.get_for_model(image_model).pk: ("图片", image_model),
        ContentType.objects.get_for_model(document_model).pk: ("文档", document_model),
    }
    wanted: dict[int, set[str]] = {}
    rows = list(
        refs.values_list("object_id", "to_content_type_id", "to_object_id", "model_path").distinct()
    )
    for _, to_ct, to_id, _ in rows:
        if to_ct in targets:
            wanted.setdefault(to_ct, set()).add(to_id)
    found = {
        ct: {str(o.pk): o for o in targets[ct][1].objects.filter(pk__in=ids)}
        for ct, ids in wanted.items()
    }
    findings = []
    for source_id, to_ct, to_id, model_path in rows:
        if to_ct not in targets:
            continue
        label, model = targets[to_ct]
        target = found[to_ct].get(to_id)
        source = pages[int(source_id)]
        problem = None
        if target is None:
            problem = f"链接的{label}（ID {to_id}）已被删除"
        elif model is Page and not target.live:
            problem = f"链接的页面“{target.title}”未发布或已撤下"
        elif model is not Page and not target.file.storage.exists(target.file.name):
            problem = f"{label}“{target.title}”的文件不存在"
        if problem:
            findings.append(
                Finding(
                    site.site_name,
                    "错链",
                    source.title,
                    source.get_url(),
                    f"{problem}（字段：{model_path}）",
                )
            )
    return findings + _links_to_deleted_pages(site, pages)


_PAGE_LINK = re.compile(r'linktype=\\?"page\\?" id=\\?"(\d+)')


def _links_to_deleted_pages(site: Site, pages: dict) -> list[Finding]:
    """Rich-text links to pages that no longer exist (the reference index forgets those)."""
    bodies = {
        pk: str(getattr(raw, "raw_data", raw))
        for model in (ArticlePage, TopicPage)
        for pk, raw in model.objects.filter(pk__in=pages).values_list("pk", "body")
    }
    linked = {pk: {int(i) for i in _PAGE_LINK.findall(body)} for pk, body in bodies.items()}
    existing = (
        set(Page.objects.filter(pk__in=set().union(*linked.values())).values_list("pk", flat=True))
        if linked
        else set()
    )
    return [
        Finding(
            site.site_name,
            "错链",
            pages[pk].title,
            pages[pk].get_url(),
            f"链接的页面（ID {target}）已被删除",
        )
        for pk, targets in linked.items()
        for target in sorted(targets - existing)
    ]


def check_site(site: Site, now=None) -> list[Finding]:
    return stale_columns(site, now=now) + dead_links(site)

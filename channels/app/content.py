"""What the APP reads: portals, column trees, article lists and details, topics, home, search.

Plain dictionaries built from the portal tree, for the routers of :mod:`channels.app.content_api`.
An article or topic is shown only while it is live and public on the portal *and* live in the
APP's journal (its delivery to the APP channel passed the sensitive-words gate, and it was not
withdrawn since); columns and the navigation come from the live tree itself, so a new column
appears in the APP without a release.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from wagtail.models import Page

from cms.models import ArticlePage, ColumnPage, TopicPage, home_column_blocks
from sites.models import Portal

from . import journal, webview

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 50
HOME_ARTICLES = 6


class NotFound(LookupError):
    """What was asked for does not exist on this portal's APP (zh-hans message)."""


def portal(site_code: str) -> Portal:
    found = Portal.objects.select_related("site__root_page").filter(code=site_code).first()
    if found is None:
        raise NotFound(f"没有代码为“{site_code[:32]}”的门户")
    return found


def base_url(p: Portal) -> str:
    """The portal's public address (PORTAL_SCHEME/PORTAL_PORT), not the seeded ``root_url``."""
    from sites.services.seeding import portal_base_url

    return portal_base_url(p.site)


def portal_dict(p: Portal) -> dict:
    return {
        "code": p.code,
        "name": p.name,
        "city": p.city,
        "region_code": p.region_code,
        "is_regional": p.is_regional,
        "url": base_url(p) + "/",
    }


def portals() -> list[dict]:
    return [portal_dict(p) for p in Portal.objects.select_related("site").order_by("sort_order")]


def app_articles():
    """Articles the APP may show, on any portal."""
    return ArticlePage.objects.live().public().filter(pk__in=journal.live_page_ids())


def column_tree(p: Portal) -> list[dict]:
    """The portal's navigation: live columns and topics in the menu, nested, in tree order."""
    home = p.site.root_page
    nodes = (
        Page.objects.live()
        .public()
        .in_menu()
        .descendant_of(home)
        .type(ColumnPage, TopicPage)
        .order_by("path")
        .values("id", "title", "slug", "path", "depth", "content_type__model")
    )
    roots: list[dict] = []
    by_path: dict[str, dict] = {}
    for node in nodes:
        item = {
            "id": node["id"],
            "title": node["title"],
            "slug": node["slug"],
            "kind": "topic" if node["content_type__model"] == "topicpage" else "column",
            "children": [],
        }
        parent = by_path.get(node["path"][: -Page.steplen])
        if parent is not None:
            parent["children"].append(item)
        elif node["depth"] == home.depth + 1:
            roots.append(item)
        else:
            continue  # under a hidden column: not reachable from the navigation
        by_path[node["path"]] = item
    return roots


def _column_of(article) -> dict | None:
    parent = getattr(article, "_app_column", None)
    if parent is None:
        return None
    return {"id": parent.pk, "title": parent.title}


def summary(article, base: str) -> dict:
    return {
        "id": article.pk,
        "title": article.title,
        "subtitle": article.subtitle,
        "summary": article.summary,
        "source": article.source,
        "publish_date": article.publish_date,
        "thumb": webview.picture(article.cover_image, base, webview.THUMB),
        "column": _column_of(article),
        "detail": f"/api/app/v1/articles/{article.pk}?site=",
    }


def _summaries(articles, p: Portal) -> list[dict]:
    articles = list(articles)
    parents = {
        c.path: c
        for c in Page.objects.filter(path__in={a.path[: -Page.steplen] for a in articles}).only(
            "id", "title", "path"
        )
    }
    base = base_url(p)
    items = []
    for article in articles:
        article._app_column = parents.get(article.path[: -Page.steplen])
        item = summary(article, base)
        item["detail"] += p.code
        items.append(item)
    return items


def _page_of(queryset, page: int, page_size: int) -> tuple[list, dict]:
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    paginator = Paginator(queryset, page_size)
    number = max(1, min(page, paginator.num_pages or 1))
    current = paginator.page(number)
    return list(current.object_list), {
        "page": number,
        "page_size": page_size,
        "total": paginator.count,
        "pages": paginator.num_pages,
    }


def column(p: Portal, column_id: int):
    home = p.site.root_page
    found = (
        Page.objects.live()
        .public()
        .descendant_of(home)
        .type(ColumnPage, TopicPage)
        .filter(pk=column_id)
        .first()
    )
    if found is None:
        raise NotFound("该门户没有这个栏目，或栏目已撤下")
    return found.specific


def articles(
    p: Portal, column_id: int | None, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE
) -> dict:
    """A portal's or one column's APP articles, newest first, one page of them."""
    if column_id is None:
        queryset = app_articles().descendant_of(p.site.root_page)
    else:
        found = column(p, column_id)
        if isinstance(found, ColumnPage):
            queryset = found.articles().filter(pk__in=journal.live_page_ids())
        else:  # a topic's own articles
            queryset = app_articles().child_of(found)
    queryset = queryset.select_related("cover_image").order_by("-publish_date", "-pk")
    rows, meta = _page_of(queryset, page, page_size)
    return {"items": _summaries(rows, p), **meta}


def _shown_on(p: Portal, page_id: int):
    """A live APP article of this portal, or one accepted into one of its columns."""
    from cms.models import ArticleShare

    home = p.site.root_page
    article = app_articles().filter(pk=page_id).select_related("cover_image").first()
    if article is None:
        return None
    if article.path.startswith(home.path):
        return article
    shared = ArticleShare.objects.accepted().filter(
        article=article, column__path__startswith=home.path
    )
    return article if shared.exists() else None


def article(p: Portal, page_id: int) -> dict:
    found = _shown_on(p, page_id)
    if found is None:
        raise NotFound("文章不存在或已撤下")
    base = base_url(p)
    item = _summaries([found], p)[0]
    item.pop("detail")
    item.update(
        {
            "author": found.author,
            "cover": webview.picture(found.cover_image, base, webview.BANNER),
            "cover_alt": found.cover_alt,
            "html": webview.body_html(found.body, base),
            "attachments": webview.attachments(found.body, base),
            "url": found.get_full_url(),
        }
    )
    return item


def _app_topics(p: Portal):
    return (
        TopicPage.objects.live()
        .public()
        .descendant_of(p.site.root_page)
        .filter(pk__in=journal.live_page_ids())
        .select_related("banner")
        .order_by("path")
    )


def topics(p: Portal) -> list[dict]:
    base = base_url(p)
    return [
        {
            "id": t.pk,
            "title": t.title,
            "intro": t.intro,
            "banner": webview.picture(t.banner, base, webview.BANNER),
            "banner_alt": t.banner_alt,
        }
        for t in _app_topics(p)
    ]


def _sections(parent, count: int, p: Portal) -> list[dict]:
    shown = set(journal.live_page_ids().values_list("page_id", flat=True))
    sections = []
    for col, items in home_column_blocks(parent, count):
        visible = [a for a in items if a.pk in shown]
        sections.append(
            {
                "column": {"id": col.pk, "title": col.title},
                "articles": _summaries(visible, p),
            }
        )
    return sections


def topic(p: Portal, topic_id: int) -> dict:
    found = _app_topics(p).filter(pk=topic_id).first()
    if found is None:
        raise NotFound("专题不存在或已撤下")
    base = base_url(p)
    return {
        "id": found.pk,
        "title": found.title,
        "intro": found.intro,
        "banner": webview.picture(found.banner, base, webview.BANNER),
        "banner_alt": found.banner_alt,
        "html": webview.body_html(found.body, base),
        "green_channel": found.green_channel,
        "sections": _sections(found, found.section_count or 5, p),
        "url": found.get_full_url(),
    }


def home(p: Portal) -> dict:
    """The APP's home screen of a portal: headline, banners (topics), notices, column blocks."""
    home_page = p.site.root_page.specific
    base = base_url(p)
    latest = list(
        app_articles()
        .descendant_of(home_page)
        .select_related("cover_image")
        .order_by("-publish_date", "-pk")[:HOME_ARTICLES]
    )
    summaries = _summaries(latest, p)
    banners = [
        {"topic_id": t["id"], "title": t["title"], "image": t["banner"], "alt": t["banner_alt"]}
        for t in topics(p)
        if t["banner"]
    ]
    if getattr(home_page, "banner", None):
        banners.insert(
            0,
            {
                "topic_id": None,
                "title": home_page.title,
                "image": webview.picture(home_page.banner, base, webview.BANNER),
                "alt": home_page.banner_alt,
            },
        )
    sections = _sections(home_page, getattr(home_page, "latest_count", 6) or 6, p)
    notices = next((s["articles"] for s in sections if s["column"]["title"] == "通知公告"), [])
    return {
        "portal": portal_dict(p),
        "headline": summaries[0] if summaries else None,
        "latest": summaries,
        "banners": banners,
        "notices": notices,
        "sections": sections,
    }


def search(p: Portal, query: str, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE) -> dict:
    """Site search of the portal's APP articles, segmented by jieba as on the portals."""
    from cms.search import clean_query, highlight, query_terms

    terms = query_terms(query)
    meta = {"query": clean_query(query), "terms": terms}
    if not terms:
        return {"items": [], "page": 1, "page_size": page_size, "total": 0, "pages": 0, **meta}
    # Every condition is in the one search query (Wagtail's database backend turns the filters
    # into SQL beside the full-text match): the database counts and pages only what the APP
    # shows, instead of every portal hit being loaded and filtered here.
    queryset = (
        Page.objects.live()
        .public()
        .descendant_of(p.site.root_page)
        .type(ArticlePage)
        .filter(id__in=journal.live_page_ids())
        .search(" ".join(terms), operator="and", order_by_relevance=True)
    )
    rows, paging = _page_of(queryset, page, page_size)
    specific = {
        a.pk: a
        for a in ArticlePage.objects.filter(pk__in=[r.pk for r in rows]).select_related(
            "cover_image"
        )
    }
    ordered = [specific[r.pk] for r in rows if r.pk in specific]
    items = _summaries(ordered, p)
    for item, article_page in zip(items, ordered, strict=True):
        item["snippet"] = str(
            highlight(article_page.plain_text() or article_page.title, [meta["query"], *terms])
        )
    return {"items": items, **paging, **meta}


def sync(p: Portal, cursor: str | None, limit: int = journal.DEFAULT_LIMIT) -> dict:
    """What changed on this portal's APP since ``cursor``: each changed page once, with its
    summary when it is live, as a tombstone when it was withdrawn; and the cursor to go on with.

    A page that is in the journal as live but is no longer live and public on the portal (its
    withdrawal is still on its way through the outbox) is already sent as a tombstone.
    """
    found = journal.changes(p.code, cursor, limit)
    live_ids = [e.page_id for e in found.entries if e.live and e.page_id]
    articles = {
        a.pk: a
        for a in ArticlePage.objects.live()
        .public()
        .filter(pk__in=live_ids)
        .select_related("cover_image")
    }
    topics_by_id = {
        t.pk: t
        for t in TopicPage.objects.live().public().filter(pk__in=live_ids).select_related("banner")
    }
    summaries = {s["id"]: s for s in _summaries(list(articles.values()), p)}
    base = base_url(p)
    changes = []
    for entry in found.entries:
        change = {
            "seq": entry.seq,
            "type": entry.kind,
            "id": entry.page_key,
            "action": "delete",
        }
        if entry.live and entry.page_key in summaries:
            change.update(action="upsert", article=summaries[entry.page_key])
        elif entry.live and entry.page_key in topics_by_id:
            t = topics_by_id[entry.page_key]
            change.update(
                action="upsert",
                topic={
                    "id": t.pk,
                    "title": t.title,
                    "intro": t.intro,
                    "banner": webview.picture(t.banner, base, webview.BANNER),
                    "banner_alt": t.banner_alt,
                },
            )
        changes.append(change)
    return {"site": p.code, "changes": changes, "cursor": found.cursor, "has_more": found.has_more}

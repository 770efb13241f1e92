"""Routes of the APP's content (``/api/app/v1/``): portals, columns, articles, topics, home,
search and the incremental sync. Thin front doors over :mod:`channels.app.content`; every answer
goes through :func:`channels.app.caching.cached_json` (ETag, 304, Cache-Control, shared cache)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Path, Query, Router

from . import content, journal, schemas
from .api import AppError
from .caching import cached_json

router = Router(tags=["内容"])

SITE = Query(..., pattern=r"^[a-z0-9_-]{1,32}$", description="门户代码，如 gx、nanning")
PAGE = Query(1, ge=1, le=10000, description="页码，从 1 开始")
PAGE_SIZE = Query(content.DEFAULT_PAGE_SIZE, ge=1, le=content.MAX_PAGE_SIZE, description="每页条数")
ID_MAX = 2**31 - 1
ERRORS = {304: None, 404: schemas.ErrorOut, 422: schemas.ErrorOut}


def _portal(site: str):
    try:
        return content.portal(site)
    except content.NotFound as error:
        raise AppError(404, "unknown_site", str(error)) from None


def _answer(request, p, build, **kwargs):
    def guarded():
        try:
            return build()
        except content.NotFound as error:
            raise AppError(404, "not_found", str(error)) from None

    return cached_json(request, guarded, site_ids=[p.site_id], **kwargs)


@router.get("/portals", response={200: list[schemas.PortalOut], 304: None}, summary="门户列表")
def portals(request: HttpRequest):
    from sites.models import Portal

    return cached_json(
        request, content.portals, site_ids=Portal.objects.values_list("site_id", flat=True)
    )


@router.get(
    "/columns", response={200: list[schemas.ColumnNode], **ERRORS}, summary="栏目树（导航）"
)
def columns(request: HttpRequest, site: str = SITE):
    p = _portal(site)
    return _answer(request, p, lambda: content.column_tree(p))


@router.get("/articles", response={200: schemas.ArticlePageOut, **ERRORS}, summary="文章列表")
def articles(
    request: HttpRequest,
    site: str = SITE,
    column: int | None = Query(None, ge=1, le=ID_MAX, description="栏目编号；不填为全门户"),
    page: int = PAGE,
    page_size: int = PAGE_SIZE,
):
    p = _portal(site)
    return _answer(request, p, lambda: content.articles(p, column, page, page_size))


@router.get(
    "/articles/{article_id}", response={200: schemas.ArticleDetail, **ERRORS}, summary="文章详情"
)
def article(request: HttpRequest, article_id: int = Path(..., ge=1, le=ID_MAX), site: str = SITE):
    p = _portal(site)
    return _answer(request, p, lambda: content.article(p, article_id))


@router.get("/topics", response={200: list[schemas.TopicSummary], **ERRORS}, summary="专题列表")
def topics(request: HttpRequest, site: str = SITE):
    p = _portal(site)
    return _answer(request, p, lambda: content.topics(p))


@router.get("/topics/{topic_id}", response={200: schemas.TopicDetail, **ERRORS}, summary="专题详情")
def topic(request: HttpRequest, topic_id: int = Path(..., ge=1, le=ID_MAX), site: str = SITE):
    p = _portal(site)
    return _answer(request, p, lambda: content.topic(p, topic_id))


@router.get("/home", response={200: schemas.HomeOut, **ERRORS}, summary="首页区块")
def home(request: HttpRequest, site: str = SITE):
    p = _portal(site)
    return _answer(request, p, lambda: content.home(p))


@router.get("/search", response={200: schemas.SearchOut, **ERRORS}, summary="站内搜索")
def search(
    request: HttpRequest,
    site: str = SITE,
    q: str = Query("", max_length=100, description="搜索词（与门户相同的中文分词）"),
    page: int = PAGE,
    page_size: int = PAGE_SIZE,
):
    p = _portal(site)
    return _answer(request, p, lambda: content.search(p, q, page, page_size))


@router.get(
    "/sync",
    response={200: schemas.SyncOut, 400: schemas.ErrorOut, **ERRORS},
    summary="增量同步",
    description="返回游标之后发布、更新或撤回的内容（撤回为 delete），以及新的游标。"
    "不带游标为全量同步。has_more 为 true 时用返回的游标继续请求。",
)
def sync(
    request: HttpRequest,
    site: str = SITE,
    cursor: str = Query("", max_length=200, description="上次同步返回的游标（不透明字符串）"),
    limit: int = Query(journal.DEFAULT_LIMIT, ge=1, le=journal.MAX_LIMIT),
):
    p = _portal(site)
    try:
        journal.decode_cursor(cursor, p.code)
    except journal.CursorError as error:
        raise AppError(400, "invalid_cursor", str(error)) from None
    return _answer(request, p, lambda: content.sync(p, cursor, limit), shared=False)

"""Response shapes of the APP's content, sync and release endpoints, for the OpenAPI document
(``docs/app-openapi.json``) that the APP developers build against."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema


class ErrorOut(Schema):
    code: str
    message: str
    details: dict


class PortalOut(Schema):
    code: str
    name: str
    city: str
    region_code: str
    is_regional: bool
    url: str


class ColumnNode(Schema):
    id: int
    title: str
    slug: str
    kind: str
    children: list[ColumnNode]


class PictureOut(Schema):
    url: str
    width: int
    height: int
    srcset: str


class ColumnRef(Schema):
    id: int
    title: str


class ArticleSummary(Schema):
    id: int
    title: str
    subtitle: str
    summary: str
    source: str
    publish_date: datetime
    thumb: PictureOut | None
    column: ColumnRef | None
    detail: str


class ArticlePageOut(Schema):
    items: list[ArticleSummary]
    page: int
    page_size: int
    total: int
    pages: int


class AttachmentOut(Schema):
    title: str
    url: str
    extension: str


class ArticleDetail(Schema):
    id: int
    title: str
    subtitle: str
    summary: str
    source: str
    author: str
    publish_date: datetime
    thumb: PictureOut | None
    cover: PictureOut | None
    cover_alt: str
    column: ColumnRef | None
    html: str
    attachments: list[AttachmentOut]
    url: str


class TopicSummary(Schema):
    id: int
    title: str
    intro: str
    banner: PictureOut | None
    banner_alt: str


class SectionOut(Schema):
    column: ColumnRef
    articles: list[ArticleSummary]


class TopicDetail(Schema):
    id: int
    title: str
    intro: str
    banner: PictureOut | None
    banner_alt: str
    html: str
    green_channel: bool
    sections: list[SectionOut]
    url: str


class BannerOut(Schema):
    topic_id: int | None
    title: str
    image: PictureOut | None
    alt: str


class HomeOut(Schema):
    portal: PortalOut
    headline: ArticleSummary | None
    latest: list[ArticleSummary]
    banners: list[BannerOut]
    notices: list[ArticleSummary]
    sections: list[SectionOut]


class SearchHitOut(ArticleSummary):
    snippet: str


class SearchOut(Schema):
    items: list[SearchHitOut]
    page: int
    page_size: int
    total: int
    pages: int
    query: str
    terms: list[str]


class SyncChange(Schema):
    seq: int
    type: str
    action: str
    id: int
    article: ArticleSummary | None = None
    topic: TopicSummary | None = None


class SyncOut(Schema):
    site: str
    changes: list[SyncChange]
    cursor: str
    has_more: bool


class ReleaseOut(Schema):
    version: str
    release_notes: str
    download_url: str
    checksum_sha256: str
    min_supported_version: str
    released_at: datetime


class ReleaseCheckOut(Schema):
    platform: str
    current_version: str
    update_available: bool
    update_required: bool
    latest: ReleaseOut | None

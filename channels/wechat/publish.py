"""The steps of publishing articles to an official account, as plain functions over a client.

The WeChat channel calls them in order, recording each result before the next step:
``upload_cover`` (permanent image material → ``media_id``), ``upload_body_image`` (images inside
the article body → mmbiz URLs), ``add_draft`` (→ draft ``media_id``), ``submit`` (→
``publish_id``), then ``status`` until it is no longer pending (→ ``article_id`` and article
URLs); ``delete_article`` withdraws. ``find_draft``/``find_publication`` look for what an
interrupted run may already have created. No Django models here: the channel core owns state.

Inputs an editor can get wrong (a missing cover, an oversized image, an overlong body) are
refused here with a ``WeChatContentError`` in Chinese before any quota is spent.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass

from .errors import WeChatContentError, WeChatError

# What WeChat accepts (Asset_Management and Draft_Box documentation).
COVER_FORMATS = ("jpeg", "png", "gif", "bmp")
COVER_MAX_BYTES = 10 * 1024 * 1024
BODY_IMAGE_FORMATS = ("jpeg", "png")
BODY_IMAGE_MAX_BYTES = 1024 * 1024
MAX_ARTICLES = 8
CONTENT_MAX_CHARS = 20_000
CONTENT_MAX_BYTES = 1024 * 1024

ARTICLE_FIELDS = (
    "title",
    "author",
    "digest",
    "content",
    "content_source_url",
    "thumb_media_id",
    "need_open_comment",
    "only_fans_can_comment",
    "pic_crop_235_1",
    "pic_crop_1_1",
)
FORMAT_NAMES = {"jpeg": "JPG", "png": "PNG", "gif": "GIF", "bmp": "BMP"}


def image_format(data: bytes) -> str | None:
    """The image format by its signature bytes (what WeChat looks at), or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if data.startswith(b"BM"):
        return "bmp"
    return None


def _upload(filename: str, data: bytes, what: str, formats: tuple, limit: int) -> tuple:
    found = image_format(data)
    allowed = "、".join(FORMAT_NAMES[f] for f in formats)
    if found not in formats:
        raise WeChatContentError(
            errmsg=f"{filename}: not one of {formats}",
            message=f"{what}“{filename}”须为 {allowed} 格式的图片",
        )
    if len(data) > limit:
        raise WeChatContentError(
            errmsg=f"{filename}: {len(data)} bytes > {limit}",
            message=f"{what}“{filename}”超过 {limit // (1024 * 1024)}MB，请压缩后再发布",
        )
    content_type = mimetypes.guess_type(filename)[0] or f"image/{found}"
    return (filename, data, content_type)


def _field(result, name: str, endpoint: str) -> str:
    value = result.get(name) if isinstance(result, dict) else None
    if value in (None, ""):
        raise WeChatError(
            errmsg=f"answer without {name}",
            message=f"微信的应答中缺少 {name}",
            endpoint=endpoint,
            temporary=True,
        )
    return str(value)


def upload_cover(client, filename: str, data: bytes) -> str:
    """Upload a cover image as permanent material (``material/add_material``, type image);
    returns its ``media_id`` for ``thumb_media_id``."""
    media = _upload(filename, data, "封面图片", COVER_FORMATS, COVER_MAX_BYTES)
    result = client.material.add("image", media)
    return _field(result, "media_id", "material/add_material")


def upload_body_image(client, filename: str, data: bytes) -> str:
    """Upload an image used inside an article body (``media/uploadimg``); returns its URL on
    WeChat's image server, the only image host an article body may use."""
    media = _upload(filename, data, "正文图片", BODY_IMAGE_FORMATS, BODY_IMAGE_MAX_BYTES)
    result = client.post("media/uploadimg", files={"media": media})
    return _field(result, "url", "media/uploadimg")


def _article(number: int, article: dict) -> dict:
    unknown = sorted(set(article) - set(ARTICLE_FIELDS))
    if unknown:
        raise ValueError(f"article {number}: unknown field(s) {', '.join(unknown)}")
    title = str(article.get("title") or "").strip()
    content = str(article.get("content") or "")
    thumb = str(article.get("thumb_media_id") or "").strip()
    if not title:
        raise WeChatContentError(message=f"第 {number} 篇文章缺少标题")
    if not content.strip():
        raise WeChatContentError(message=f"第 {number} 篇文章《{title}》正文为空")
    if not thumb:
        raise WeChatContentError(message=f"第 {number} 篇文章《{title}》缺少封面图片")
    if len(content) >= CONTENT_MAX_CHARS or len(content.encode()) >= CONTENT_MAX_BYTES:
        raise WeChatContentError(
            message=f"第 {number} 篇文章《{title}》正文过长：微信要求少于 2 万字且小于 1MB"
        )
    data = {
        "title": title,
        "author": str(article.get("author") or ""),
        "digest": str(article.get("digest") or ""),
        "content": content,
        "content_source_url": str(article.get("content_source_url") or ""),
        "thumb_media_id": thumb,
        "need_open_comment": int(bool(article.get("need_open_comment"))),
        "only_fans_can_comment": int(bool(article.get("only_fans_can_comment"))),
    }
    for crop in ("pic_crop_235_1", "pic_crop_1_1"):
        if article.get(crop):
            data[crop] = str(article[crop])
    return data


def add_draft(client, articles: list[dict]) -> str:
    """Create a draft of 1-8 articles (``draft/add``); returns the draft's ``media_id``.

    Each article is a dict of ``title``, ``content`` (HTML already cut to WeChat's allow-list,
    body images on mmbiz), ``thumb_media_id`` and optionally ``author``, ``digest``,
    ``content_source_url`` (阅读原文), ``need_open_comment``, ``only_fans_can_comment``,
    ``pic_crop_235_1`` and ``pic_crop_1_1`` (cover crops, "X1_Y1_X2_Y2" in 0-1).
    """
    if not articles:
        raise WeChatContentError(message="草稿中没有文章")
    if len(articles) > MAX_ARTICLES:
        raise WeChatContentError(
            message=f"一篇草稿最多 {MAX_ARTICLES} 篇文章，现有 {len(articles)} 篇"
        )
    payload = [_article(number, article) for number, article in enumerate(articles, start=1)]
    return _field(client.draft.add(payload), "media_id", "draft/add")


def delete_draft(client, media_id: str) -> None:
    client.draft.delete(media_id)


def submit(client, media_id: str) -> str:
    """Submit a draft for publication (``freepublish/submit``); returns the ``publish_id`` to
    poll with :func:`status`."""
    return _field(client.freepublish.submit(media_id), "publish_id", "freepublish/submit")


# publish_status -> (state, label for editors)
PUBLISH_STATES = {
    0: ("published", "发布成功"),
    1: ("publishing", "发布中"),
    2: ("original_check_failed", "原创声明校验未通过"),
    3: ("failed", "发布失败"),
    4: ("rejected", "平台审核不通过"),
    5: ("deleted", "发布成功后已被公众号删除"),
    6: ("banned", "发布成功后已被微信系统封禁"),
}


@dataclass(frozen=True)
class PublishedArticle:
    index: int  # 1-based, as WeChat's idx
    url: str


@dataclass(frozen=True)
class PublishStatus:
    """Where a publication stands (``freepublish/get``)."""

    publish_id: str
    code: int
    article_id: str = ""
    articles: tuple[PublishedArticle, ...] = ()
    #: 1-based positions of the articles that failed (statuses 2, 3, 4).
    fail_idx: tuple[int, ...] = ()

    @property
    def state(self) -> str:
        return PUBLISH_STATES.get(self.code, ("unknown", ""))[0]

    @property
    def label(self) -> str:
        return PUBLISH_STATES.get(self.code, ("", f"未知的发布状态 {self.code}"))[1]

    @property
    def pending(self) -> bool:
        """WeChat is still working on it: poll again later."""
        return self.code == 1

    @property
    def succeeded(self) -> bool:
        return self.code == 0

    @property
    def failed(self) -> bool:
        """Never published (statuses 2, 3, 4, and any status this code does not know)."""
        return not (self.pending or self.succeeded or self.removed)

    @property
    def removed(self) -> bool:
        """Published, then deleted by the account (5) or banned by WeChat (6)."""
        return self.code in (5, 6)

    @property
    def article_urls(self) -> tuple[str, ...]:
        return tuple(article.url for article in self.articles)

    @property
    def message(self) -> str:
        """One line for the editor's channel status."""
        if self.succeeded:
            return f"发布成功，共 {len(self.articles)} 篇文章"
        if self.pending:
            return "发布中，等待微信处理"
        if self.fail_idx:
            positions = "、".join(str(i) for i in self.fail_idx)
            return f"{self.label}（第 {positions} 篇）"
        return self.label


def _int(value, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def status(client, publish_id: str) -> PublishStatus:
    """Poll a publication (``freepublish/get``)."""
    result = client.freepublish.get(publish_id)
    if "publish_status" not in result:
        _field(result, "publish_status", "freepublish/get")
    detail = result.get("article_detail") or {}
    articles = sorted(
        (
            PublishedArticle(_int(item.get("idx"), number), str(item.get("article_url") or ""))
            for number, item in enumerate(detail.get("item") or [], start=1)
        ),
        key=lambda article: article.index,
    )
    return PublishStatus(
        publish_id=str(result.get("publish_id") or publish_id),
        code=_int(result["publish_status"], -1),
        article_id=str(result.get("article_id") or ""),
        articles=tuple(articles),
        fail_idx=tuple(sorted(_int(i) for i in result.get("fail_idx") or [])),
    )


def delete_article(client, article_id: str, index: int = 0) -> None:
    """Withdraw a published article (``freepublish/delete``); ``index`` 0 (the default) removes
    every article of the publication, 1… only that one. Cannot be undone."""
    client.freepublish.delete(article_id, index)


def _scan(batchget, limit: int):
    offset = 0
    while offset < limit:
        page = batchget(offset=offset, count=min(20, limit - offset))
        items = page.get("item") or []
        yield from items
        offset += len(items)
        if not items or offset >= _int(page.get("total_count"), 0):
            return


def _matches(item: dict, wanted: str | list[str]) -> bool:
    """A string matches any article with that 阅读原文 link; a list, exactly those articles in
    that order (a multi-article push)."""
    news = (item.get("content") or {}).get("news_item") or []
    links = [article.get("content_source_url") for article in news]
    return wanted in links if isinstance(wanted, str) else links == list(wanted)


def find_draft(client, content_source_urls: str | list[str], *, limit: int = 100) -> str | None:
    """The ``media_id`` of the newest draft (among the latest ``limit``) with such articles
    (:func:`_matches`): what an interrupted ``add_draft`` may have left."""
    for item in _scan(client.draft.batchget, limit):
        if _matches(item, content_source_urls):
            return str(item.get("media_id"))
    return None


def find_publication(
    client, content_source_urls: str | list[str], *, limit: int = 100
) -> str | None:
    """The ``article_id`` of the newest successful publication of such articles."""
    for item in _scan(client.freepublish.batchget, limit):
        if _matches(item, content_source_urls):
            return str(item.get("article_id"))
    return None


# --- mass sending (群发) ---------------------------------------------------------------------

#: 45065: a mass send with this clientmsgid exists (its msg_id is in the answer).
MASS_SEND_EXISTS = 45065

# msg_status of message/mass/get -> (done, succeeded, label for editors)
MASS_STATES = {
    "SENDING": (False, False, "群发中"),
    "SEND_SUCCESS": (True, True, "群发成功"),
    "SEND_FAIL": (True, False, "群发失败"),
    "DELETE": (True, False, "群发后已被删除"),
}


def mass_send(client, media_id: str, client_msg_id: str) -> str:
    """Send a draft to every follower (``message/mass/sendall``, ``mpnews``); returns the
    ``msg_id``. ``client_msg_id`` makes it idempotent: WeChat refuses a second send with the
    same id (45065) and names the first one, whose ``msg_id`` is returned instead."""
    body = {
        "filter": {"is_to_all": True},
        "mpnews": {"media_id": media_id},
        "msgtype": "mpnews",
        "send_ignore_reprint": 0,  # an article judged a reprint stops the send
        "clientmsgid": client_msg_id,
    }
    try:
        result = client.post("message/mass/sendall", data=body)
    except WeChatError as error:
        if error.errcode == MASS_SEND_EXISTS and error.answer.get("msg_id"):
            return str(error.answer["msg_id"])
        raise
    return _field(result, "msg_id", "message/mass/sendall")


@dataclass(frozen=True)
class MassStatus:
    msg_id: str
    code: str

    @property
    def pending(self) -> bool:
        return not MASS_STATES.get(self.code, (True, False, ""))[0]

    @property
    def succeeded(self) -> bool:
        return MASS_STATES.get(self.code, (True, False, ""))[1]

    @property
    def message(self) -> str:
        return MASS_STATES.get(self.code, (True, False, f"未知的群发状态 {self.code}"))[2]


def mass_status(client, msg_id: str) -> MassStatus:
    """Where a mass send stands (``message/mass/get``)."""
    result = client.message.get_mass(msg_id)
    return MassStatus(msg_id=str(msg_id), code=str(result.get("msg_status") or ""))

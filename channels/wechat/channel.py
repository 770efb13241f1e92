"""The WeChat official-account channel: an article becomes a WeChat article, step by step.

``deliver`` runs the steps of :mod:`channels.wechat.publish` in order and records each result on
the delivery before the next remote call, so that a worker that dies anywhere resumes where it
stopped instead of spending quota twice: the cover (permanent material, ``wechat_cover``
variant), every body image (``media/uploadimg``, ``wechat_article`` variant), the draft, the
submission, then polling the publication until WeChat has finished. Where a call's answer was
lost (a timeout after WeChat acted), it looks for the draft or the publication by the article's
阅读原文 link before creating it again.

WeChat articles cannot be edited once published: a portal update does not republish by itself
(:attr:`republishes_updates` is False); an unpublish on the portal deletes the WeChat article.
Every picture comes from a ``media_pipeline`` profile: this channel never resizes on its own.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from django.conf import settings
from django.utils.html import escape
from wagtail.rich_text import RichText, expand_db_html

from channels.base import Channel, PermanentFailure, TemporaryFailure
from channels.html import sanitize

from . import publish
from .accounts import WeChatAccount
from .client import client_for
from .errors import WeChatContentError, WeChatError

# Checked before sending, with a message an editor can act on (微信草稿箱接口说明).
TITLE_MAX = 64
AUTHOR_MAX = 16
DIGEST_MAX = 120
POLL_SECONDS = 30

CAPTION_STYLE = "font-size: 14px; color: #666666; text-align: center;"
CELL_STYLE = "border: 1px solid #cccccc; padding: 4px 6px; font-size: 14px;"


def _bytes_of(image, profile: str) -> tuple[str, bytes]:
    from media_pipeline.errors import MediaError
    from media_pipeline.services import variant

    try:
        stored = variant(image, profile)
    except MediaError as error:
        raise PermanentFailure(f"图片“{image.title}”不能用于公众号：{error.message}") from error
    with stored.file.open("rb") as handle:
        return stored.file.name.rsplit("/", 1)[-1], handle.read()


def _key(name: str, number: int) -> str:
    """Where the ``number``-th article of a message records ``name`` in a delivery's progress
    (the first article uses the plain name, as a single-article publication does)."""
    return name if number == 1 else f"{name}@{number}"


@contextmanager
def _as_delivery_errors():
    """WeChat's errors as the worker's: temporary ones are retried, the others fail with their
    Chinese message."""
    try:
        yield
    except WeChatError as error:
        failure = TemporaryFailure if error.temporary else PermanentFailure
        raise failure(str(error), retry_after=error.retry_after) from error


class WeChatChannel(Channel):
    kind = "wechat"
    page_types = ("cms.articlepage",)
    republishes_updates = False

    def __init__(self, account: WeChatAccount, **options):
        super().__init__(code=f"wechat-{account.code}", label=account.name, **options)
        self.account = account

    def client(self):
        return client_for(self.account)

    # --- publishing -------------------------------------------------------------------------

    def deliver(self, delivery) -> None:
        with _as_delivery_errors():
            self._deliver(delivery, self.client())

    def _deliver(self, delivery, client) -> None:
        pages = delivery.contents()
        mass_send = bool(delivery.push_id and delivery.push.mode == "mass_send")
        urls = [page.full_url or "" for page in pages]
        wanted = urls if delivery.push_id else urls[0]  # what a lost answer may have created
        done = delivery.progress  # re-read after every record(): it returns a new dict
        if "publish_id" not in done and "msg_id" not in done:
            articles = [
                self.article(delivery, page, client, url, number)
                for number, (page, url) in enumerate(zip(pages, urls, strict=True), start=1)
            ]
            if "draft_media_id" not in delivery.progress and delivery.progress.get(
                "draft_requested"
            ):
                found = publish.find_draft(client, wanted)  # the answer was lost last time
                if found:
                    delivery.record(draft_media_id=found)
            if "draft_media_id" not in delivery.progress:
                delivery.record(draft_requested=True)
                delivery.record(draft_media_id=publish.add_draft(client, articles))
            if mass_send:
                # WeChat knows a mass send by its clientmsgid: a repeat names the first one.
                delivery.record(mass_requested=True)
                msg_id = publish.mass_send(
                    client, delivery.progress["draft_media_id"], f"gxxf-push-{delivery.push_id}"
                )
                delivery.record(msg_id=msg_id)
            else:
                if delivery.progress.get("submit_requested"):
                    # The last submission's answer was lost: did WeChat take it?
                    found = publish.find_publication(client, wanted)
                    if found:
                        self._published(delivery, found, [])
                        return
                    if not self._draft_exists(client, delivery.progress["draft_media_id"]):
                        raise TemporaryFailure(
                            "公众号已收到发布请求，正在等待发布结果", retry_after=POLL_SECONDS
                        )
                delivery.record(submit_requested=True)
                delivery.record(
                    publish_id=publish.submit(client, delivery.progress["draft_media_id"])
                )
        if "msg_id" in delivery.progress:
            sent = publish.mass_status(client, delivery.progress["msg_id"])
            if sent.pending:
                raise TemporaryFailure("公众号正在群发，稍后查询结果", retry_after=POLL_SECONDS)
            if not sent.succeeded:
                raise PermanentFailure(f"公众号群发未成功：{sent.message}")
            delivery.remote_id = delivery.progress["msg_id"]
            delivery.remote_url = (delivery.progress.get("article_urls") or [""])[0]
            return
        state = publish.status(client, delivery.progress["publish_id"])
        if state.pending:
            raise TemporaryFailure("公众号正在发布，稍后查询结果", retry_after=POLL_SECONDS)
        if not state.succeeded:
            raise PermanentFailure(f"公众号发布未成功：{state.message}")
        self._published(delivery, state.article_id, list(state.article_urls))

    @staticmethod
    def _draft_exists(client, media_id: str) -> bool:
        """WeChat removes a draft from the draft box once it is submitted and published."""
        try:
            client.draft.get(media_id)
        except WeChatContentError:
            return False
        return True

    def _published(self, delivery, article_id: str, urls: list[str]) -> None:
        delivery.record(article_id=article_id, article_urls=urls)
        delivery.remote_id = article_id
        delivery.remote_url = urls[0] if urls else ""
        replaces = delivery.progress.get("replaces")
        if replaces and not delivery.progress.get("replaced"):
            # An explicit republication: the new article is out, the one it replaces goes.
            publish.delete_article(self.client(), replaces)
            delivery.record(replaced=True)

    @staticmethod
    def problems(page) -> list[str]:
        """What stops ``page`` from being a WeChat article, in words an editor can act on."""
        title = page.title.strip()
        problems = []
        if len(title) > TITLE_MAX:
            problems.append(f"标题超过 {TITLE_MAX} 个字（现有 {len(title)} 个）")
        if len((getattr(page, "author", "") or "").strip()) > AUTHOR_MAX:
            problems.append(f"作者超过 {AUTHOR_MAX} 个字")
        if len((getattr(page, "summary", "") or "").strip()) > DIGEST_MAX:
            problems.append(f"摘要超过 {DIGEST_MAX} 个字")
        if not getattr(page, "cover_image", None):
            problems.append("没有封面图（公众号图文必须有封面）")
        return problems

    def article(self, delivery, page, client, source_url: str, number: int = 1) -> dict:
        """The draft article of ``page`` (the ``number``-th of its message): fields checked,
        pictures uploaded, body rewritten."""
        problems = self.problems(page)
        if problems:
            where = f"第 {number} 篇《{page.title}》" if delivery.push_id else ""
            raise PermanentFailure(f"{where}不符合公众号要求：" + "；".join(problems))
        thumb = _key("thumb_media_id", number)
        if thumb not in delivery.progress:
            name, data = _bytes_of(page.cover_image, "wechat_cover")
            delivery.record(**{thumb: publish.upload_cover(client, name, data)})
        return {
            "title": page.title.strip(),
            "author": (getattr(page, "author", "") or "").strip(),
            "digest": (getattr(page, "summary", "") or "").strip(),
            "content": self.body(delivery, page, client, number),
            "content_source_url": source_url,
            "thumb_media_id": delivery.progress[thumb],
            "need_open_comment": 0,
        }

    def upload_images(self, delivery, page, client, number: int = 1) -> dict[str, str]:
        """Every picture of the body on mmbiz, uploaded ``WECHAT_UPLOAD_CONCURRENCY`` at a time.

        The variants are read here (database and storage stay in this thread); only the HTTP
        uploads run in parallel. What is uploaded is recorded before anything else happens.
        """
        slot = _key("images", number)
        uploaded = dict(delivery.progress.get(slot, {}))
        images = {}
        for block in page.body:
            value = block.value
            image = None
            if block.block_type == "image":
                image = value["image"]
            elif block.block_type == "video":
                image = value.get("poster")
            if image is not None and str(image.pk) not in uploaded:
                images[str(image.pk)] = image
        if not images:
            return uploaded
        files = {key: _bytes_of(image, "wechat_article") for key, image in images.items()}
        workers = max(1, int(getattr(settings, "WECHAT_UPLOAD_CONCURRENCY", 4)))
        with ThreadPoolExecutor(max_workers=min(workers, len(files))) as pool:
            futures = {
                key: pool.submit(publish.upload_body_image, client, name, data)
                for key, (name, data) in files.items()
            }
        failure = None
        for key, future in futures.items():
            try:
                uploaded[key] = future.result()
            except WeChatError as error:
                failure = failure or error
        delivery.record(**{slot: uploaded})  # what did go up is not uploaded again
        if failure is not None:
            raise failure
        return uploaded

    def body(self, delivery, page, client, number: int = 1) -> str:
        """The article body as WeChat keeps it: its pictures on mmbiz, inline styles only."""
        urls = self.upload_images(delivery, page, client, number)
        parts = []
        for block in page.body:
            value = block.value
            if block.block_type == "paragraph" and isinstance(value, RichText):
                parts.append(expand_db_html(value.source))
            elif block.block_type == "image":
                url = urls[str(value["image"].pk)]
                parts.append(
                    f'<p style="text-align: center;"><img src="{escape(url)}" '
                    f'alt="{escape(value.get("alt") or "")}"></p>'
                )
                if value.get("caption"):
                    parts.append(f'<p style="{CAPTION_STYLE}">{escape(value["caption"])}</p>')
            elif block.block_type == "table":
                parts.append(self._table(value))
            elif block.block_type == "attachment":
                title = value.get("title") or getattr(value.get("document"), "title", "")
                parts.append(f"<p>附件：{escape(title)}（请点击“阅读原文”到门户网站下载）</p>")
            elif block.block_type == "video":
                if value.get("poster"):
                    url = urls[str(value["poster"].pk)]
                    parts.append(
                        f'<p style="text-align: center;"><img src="{escape(url)}" alt=""></p>'
                    )
                parts.append(
                    f"<p>视频：{escape(value.get('title') or '')}"
                    "（请点击“阅读原文”到门户网站观看）</p>"
                )
                if value.get("transcript"):
                    parts.append(f"<p>{escape(value['transcript'])}</p>")
        return sanitize("".join(parts), "wechat")

    def _table(self, value) -> str:
        data = (value.get("table") or {}).get("data") or []
        rows = []
        for r, row in enumerate(data):
            tag = "th" if r == 0 else "td"
            cells = "".join(
                f'<{tag} style="{CELL_STYLE}">{escape(cell or "")}</{tag}>' for cell in row or []
            )
            rows.append(f"<tr>{cells}</tr>")
        caption = escape(value.get("caption") or "")
        return (
            f'<p style="{CAPTION_STYLE}">{caption}</p>'
            '<section style="overflow-x: auto;">'
            f'<table style="border-collapse: collapse; width: 100%;">{"".join(rows)}</table>'
            "</section>"
        )

    # --- withdrawing ------------------------------------------------------------------------

    def withdraw(self, delivery) -> None:
        from channels.models import Delivery

        if delivery.push_id:
            self._withdraw_from_push(delivery)
            return
        published = (
            Delivery.objects.filter(
                page_id=delivery.page_id, channel=self.code, state="published", push__isnull=True
            )
            .exclude(remote_id="")
            .order_by("-pk")
            .first()
        )
        if published is None:
            return
        with _as_delivery_errors():
            publish.delete_article(self.client(), published.remote_id)

    def _withdraw_from_push(self, delivery) -> None:
        """One article of a push leaves WeChat: deleted from the publication (its index), or from
        the mass-sent message (its article_idx); the push's other articles stay."""
        from django.utils import timezone

        push = delivery.push
        item = push.items.filter(page_id=delivery.page_id, withdrawn_at__isnull=True).first()
        sent = (
            push.deliveries.filter(state="published")
            .exclude(action="withdraw")
            .exclude(remote_id="")
            .first()
        )
        if item is None or sent is None:
            return
        with _as_delivery_errors():
            if push.mode == "mass_send":
                self.client().post(
                    "message/mass/delete",
                    data={"msg_id": sent.remote_id, "article_idx": item.position},
                )
            else:
                publish.delete_article(self.client(), sent.remote_id, index=item.position)
        item.withdrawn_at = timezone.now()
        item.save(update_fields=["withdrawn_at"])

"""Article bodies as the APP's web view shows them: one HTML string, cut to the ``app`` profile.

Pictures come from the ``media_pipeline`` APP profiles (``app_thumb`` 360 px and ``app_banner``
1080 px wide) as one ``srcset`` so that the web view picks by screen width; tables are wrapped in
a horizontally scrolling box; attachments are download links; a video becomes its poster with a
link to the file (the web view plays it natively) and its transcript. Links and pictures are
absolute, because the web view loads the HTML without a base address. Nothing of the page runs
in the APP: :func:`channels.html.sanitize` removes scripts, frames, forms and event handlers.
"""

from __future__ import annotations

import logging
from urllib.parse import urljoin

from django.utils.html import escape, format_html
from wagtail.rich_text import RichText, expand_db_html

from channels.html import sanitize

logger = logging.getLogger(__name__)

THUMB, BANNER = "app_thumb", "app_banner"
TABLE_WRAP = "overflow-x: auto;"


def absolute(url: str, base: str) -> str:
    return urljoin(base.rstrip("/") + "/", url) if url else ""


def picture(image, base: str, profile: str = BANNER) -> dict | None:
    """``{url, width, height, srcset}`` of an image for the APP (None without an image)."""
    from media_pipeline.errors import MediaError
    from media_pipeline.services import variant

    if image is None:
        return None
    try:
        main = variant(image, profile)
        others = [variant(image, p) for p in (THUMB, BANNER) if p != profile]
    except MediaError as error:
        # The APP still shows the picture; the editor sees why in the image's variant view.
        logger.warning("image %s does not fit %s: %s", image.pk, profile, error)
        rendition = image.get_rendition("max-1080x1080|format-jpeg")
        url = absolute(rendition.url, base)
        return {
            "url": url,
            "width": rendition.width,
            "height": rendition.height,
            "srcset": f"{url} {rendition.width}w",
        }
    sources = sorted([main, *others], key=lambda v: v.width)
    return {
        "url": absolute(main.file.url, base),
        "width": main.width,
        "height": main.height,
        "srcset": ", ".join(f"{absolute(v.file.url, base)} {v.width}w" for v in sources),
    }


def _img(image, alt: str, base: str) -> str:
    pic = picture(image, base)
    if pic is None:
        return ""
    return format_html(
        '<img src="{}" srcset="{}" sizes="100vw" width="{}" height="{}" alt="{}" loading="lazy">',
        pic["url"],
        pic["srcset"],
        pic["width"],
        pic["height"],
        alt,
    )


def _table(value) -> str:
    rows = (value.get("table") or {}).get("data") or []
    parts = [f'<div class="table-wrap" style="{TABLE_WRAP}"><table>']
    if value.get("caption"):
        parts.append(f"<caption>{escape(value['caption'])}</caption>")
    for number, row in enumerate(rows):
        cell = "th" if number == 0 else "td"
        if number == 0:
            parts.append("<thead>")
        elif number == 1:
            parts.append("<tbody>")
        parts.append("<tr>" + "".join(f"<{cell}>{escape(c or '')}</{cell}>" for c in row) + "</tr>")
        if number == 0:
            parts.append("</thead>")
    if len(rows) > 1:
        parts.append("</tbody>")
    parts.append("</table></div>")
    return "".join(parts)


def attachment(value, base: str) -> dict | None:
    document = value.get("document")
    if document is None:
        return None
    return {
        "title": value.get("title") or document.title,
        "url": absolute(document.url, base),
        "extension": (document.file_extension or "").lower(),
    }


def _attachment_link(item: dict) -> str:
    return format_html(
        '<p class="attachment"><a href="{}" download>{}（{}）</a></p>',
        item["url"],
        item["title"],
        item["extension"].upper(),
    )


def _absolute_links(html: str, base: str) -> str:
    """Relative href/src of rich text (internal pages, documents) made absolute."""
    import re

    return re.sub(
        r'(href|src)="(/[^"]*)"',
        lambda m: f'{m.group(1)}="{escape(absolute(m.group(2), base))}"',
        html,
    )


def body_html(stream, base: str) -> str:
    """The APP web view's HTML of a StreamField body (article body, topic introduction)."""
    parts = []
    for block in stream or []:
        value = block.value
        kind = block.block_type
        if kind == "paragraph" and isinstance(value, RichText):
            parts.append(_absolute_links(expand_db_html(value.source), base))
        elif kind == "image":
            caption = value.get("caption")
            parts.append(
                '<figure class="figure">'
                + _img(value["image"], value.get("alt") or "", base)
                + (f"<figcaption>{escape(caption)}</figcaption>" if caption else "")
                + "</figure>"
            )
        elif kind == "table":
            parts.append(_table(value))
        elif kind == "attachment":
            item = attachment(value, base)
            if item:
                parts.append(_attachment_link(item))
        elif kind == "video":
            video = value.get("video")
            url = absolute(video.url, base) if video else ""
            poster = _img(value.get("poster"), value.get("title") or "", base)
            parts.append(
                '<figure class="video">'
                + (format_html('<a href="{}">', url) + (poster or "观看视频") + "</a>")
                + f"<figcaption>{escape(value.get('title') or '')}</figcaption>"
                + (f"<p>{escape(value['transcript'])}</p>" if value.get("transcript") else "")
                + "</figure>"
            )
    return sanitize("".join(parts), "app")


def attachments(stream, base: str) -> list[dict]:
    """The downloadable files of a body, in order (also shown as a list under the article)."""
    items = []
    for block in stream or []:
        if block.block_type == "attachment":
            item = attachment(block.value, base)
            if item:
                items.append(item)
    return items

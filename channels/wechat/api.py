"""The draft box (草稿箱) and free publishing (发布能力) API groups, in wechatpy's style.

wechatpy 1.8 predates these interfaces, which replaced ``material/add_news`` and mass sending
for articles in 2021. Each group is a small class on wechatpy's ``BaseWeChatAPI``; the client
attaches them like wechatpy's own groups (``client.draft.add(...)``). Paths are relative to the
client's ``cgi-bin/`` base. They return WeChat's JSON as it comes; ``channels.wechat.publish``
is the layer that turns it into values.
"""

from __future__ import annotations

from wechatpy.client.api import WeChatMedia
from wechatpy.client.api.base import BaseWeChatAPI


class WeChatDraft(BaseWeChatAPI):
    """草稿箱: https://developers.weixin.qq.com/doc/offiaccount/Draft_Box/Add_draft.html"""

    def add(self, articles: list[dict]) -> dict:
        """New draft of 1-8 articles; answers ``{"media_id": ...}``."""
        return self._post("draft/add", data={"articles": articles})

    def get(self, media_id: str) -> dict:
        """The draft's articles: ``{"news_item": [...]}``."""
        return self._post("draft/get", data={"media_id": media_id})

    def delete(self, media_id: str) -> dict:
        return self._post("draft/delete", data={"media_id": media_id})

    def update(self, media_id: str, index: int, article: dict) -> dict:
        """Replace the article at ``index`` (0 is the first) of a draft."""
        return self._post(
            "draft/update", data={"media_id": media_id, "index": index, "articles": article}
        )

    def count(self) -> dict:
        return self._get("draft/count")

    def batchget(self, offset: int = 0, count: int = 20, no_content: bool = False) -> dict:
        """Drafts, newest first: ``{"total_count", "item_count", "item": [...]}``."""
        return self._post(
            "draft/batchget",
            data={"offset": offset, "count": count, "no_content": int(no_content)},
        )


class WeChatFreePublish(BaseWeChatAPI):
    """发布能力: https://developers.weixin.qq.com/doc/offiaccount/Publish/Publish.html"""

    def submit(self, media_id: str) -> dict:
        """Publish a draft; answers ``{"publish_id": ..., "msg_data_id": ...}``. The outcome
        comes later, from :meth:`get` (or the PUBLISHJOBFINISH event)."""
        return self._post("freepublish/submit", data={"media_id": media_id})

    def get(self, publish_id: str) -> dict:
        """The state of a publication: ``publish_status``, ``article_id``, ``article_detail``,
        ``fail_idx``."""
        return self._post("freepublish/get", data={"publish_id": publish_id})

    def delete(self, article_id: str, index: int = 0) -> dict:
        """Delete a published article; ``index`` 0 deletes every article of it."""
        return self._post("freepublish/delete", data={"article_id": article_id, "index": index})

    def getarticle(self, article_id: str) -> dict:
        return self._post("freepublish/getarticle", data={"article_id": article_id})

    def batchget(self, offset: int = 0, count: int = 20, no_content: bool = False) -> dict:
        """Successful publications, newest first."""
        return self._post(
            "freepublish/batchget",
            data={"offset": offset, "count": count, "no_content": int(no_content)},
        )


class WeChatMediaRebased(WeChatMedia):
    """wechatpy's media group, with the one URL it builds by hand moved to the client's base."""

    def get_url(self, media_id: str) -> str:
        return (
            f"{self._client.API_BASE_URL}media/get"
            f"?access_token={self.access_token}&media_id={media_id}"
        )

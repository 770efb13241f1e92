"""Channel targets (which columns feed each channel) and deliveries (the publication outbox).

A :class:`Delivery` is written in the transaction that publishes, updates or unpublishes a page,
one per channel the page goes to; the worker claims it with a lease, calls the channel, and
records the result. It is never dropped: temporary failures wait with backoff, permanent ones
keep their reason in Chinese until an editor retries.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ChannelTarget(models.Model):
    """A configured channel as editors and administrators see it (mirrors the registry)."""

    code = models.CharField("渠道代码", max_length=64, unique=True)
    label = models.CharField("渠道名称", max_length=100)
    kind = models.CharField("类型", max_length=32, blank=True)
    enabled = models.BooleanField("启用", default=True)
    columns = models.ManyToManyField(
        "wagtailcore.Page",
        verbose_name="默认发布栏目",
        blank=True,
        related_name="+",
        help_text="这些栏目中的文章发布后默认同步到本渠道（页面的“发布渠道”可以另选）。",
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "发布渠道"
        verbose_name_plural = "发布渠道"
        ordering = ["pk"]

    def __str__(self):
        return self.label


class Delivery(models.Model):
    class Action(models.TextChoices):
        PUBLISH = "publish", "发布"
        UPDATE = "update", "更新"
        WITHDRAW = "withdraw", "撤回"

    class State(models.TextChoices):
        PENDING = "pending", "待发送"
        SENDING = "sending", "发送中"
        PUBLISHED = "published", "已发布"
        WITHDRAWN = "withdrawn", "已撤回"
        FAILED = "failed", "失败"
        SUPERSEDED = "superseded", "已被新版本取代"

    OPEN_STATES = (State.PENDING, State.SENDING)

    page = models.ForeignKey(
        "wagtailcore.Page", verbose_name="页面", on_delete=models.CASCADE, related_name="+"
    )
    revision = models.ForeignKey(
        "wagtailcore.Revision",
        verbose_name="版本",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    site_code = models.CharField("门户代码", max_length=32, blank=True)
    channel = models.CharField("渠道", max_length=64, db_index=True)
    action = models.CharField("操作", max_length=16, choices=Action)
    state = models.CharField("状态", max_length=16, choices=State, default=State.PENDING)
    attempts = models.PositiveIntegerField("尝试次数", default=0)
    last_error = models.TextField("失败原因", blank=True)
    next_attempt_at = models.DateTimeField("下次尝试", default=timezone.now, db_index=True)
    lease_token = models.CharField("租约", max_length=32, blank=True)
    lease_until = models.DateTimeField("租约到期", null=True, blank=True)
    # What the channel created remotely, recorded before and after each remote call
    # (WeChat: thumb media_id, draft media_id, publish_id, article_id).
    progress = models.JSONField("进度", default=dict, blank=True)
    remote_id = models.CharField("渠道内编号", max_length=128, blank=True)
    remote_url = models.URLField("渠道内地址", max_length=500, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发起人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "渠道发布记录"
        verbose_name_plural = "渠道发布记录"
        ordering = ["-pk"]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self):
        return f"{self.channel}·{self.get_action_display()}·{self.page_id}"

    @property
    def channel_label(self) -> str:
        from .base import get_channel

        channel = get_channel(self.channel)
        return channel.label if channel else self.channel

    def record(self, **progress) -> None:
        """Store what was just created remotely before doing anything else (crash safety)."""
        self.progress = {**self.progress, **progress}
        type(self).objects.filter(pk=self.pk, lease_token=self.lease_token).update(
            progress=self.progress, updated_at=timezone.now()
        )

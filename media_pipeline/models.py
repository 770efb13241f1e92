"""Stored image variants and background media jobs (video transcodes and promo compositions).

Variants are our own rows rather than Wagtail renditions because a channel variant needs what a
rendition filter chain cannot express: a byte cap met by re-encoding, a per-portal watermark,
format fallbacks, and a record of whether the result fits the channel.
"""

from django.conf import settings
from django.db import models
from wagtail.images import get_image_model_string


class ImageVariant(models.Model):
    """One rendered variant of a Wagtail image for one profile (and width/format slot)."""

    image = models.ForeignKey(
        get_image_model_string(),
        on_delete=models.CASCADE,
        related_name="channel_variants",
        verbose_name="原图",
    )
    profile = models.CharField("规格", max_length=32, db_index=True)
    width_slot = models.PositiveIntegerField(
        "宽度档", help_text="响应式规格的请求宽度；固定尺寸规格为规格宽度"
    )
    format = models.CharField("格式", max_length=8)
    #: Fingerprint of everything that went into the file (profile definition, source file,
    #: focal point, watermark). A different value means the stored file is stale.
    spec = models.CharField("生成参数指纹", max_length=64)
    file = models.FileField("文件", upload_to="media_pipeline/variants/%Y/%m/", max_length=255)
    width = models.PositiveIntegerField("宽")
    height = models.PositiveIntegerField("高")
    byte_size = models.PositiveIntegerField("字节数")
    quality = models.PositiveSmallIntegerField("编码质量")
    notes = models.JSONField("提示", default=list, blank=True)
    created_at = models.DateTimeField("生成时间", auto_now=True)

    class Meta:
        verbose_name = "图片渠道版本"
        verbose_name_plural = "图片渠道版本"
        constraints = [
            models.UniqueConstraint(
                fields=["image", "profile", "width_slot", "format"],
                name="media_variant_unique_slot",
            )
        ]

    def __str__(self):
        return f"{self.image_id}:{self.profile}:{self.width_slot}:{self.format}"


class MediaJob(models.Model):
    """A long piece of media work run by a task worker, with progress the admin can show."""

    class Kind(models.TextChoices):
        TRANSCODE = "transcode", "视频转码"
        COMPOSE = "compose", "合成宣传片"

    class Status(models.TextChoices):
        PENDING = "pending", "排队中"
        RUNNING = "running", "处理中"
        SUCCEEDED = "succeeded", "已完成"
        FAILED = "failed", "失败"

    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    status = models.CharField(
        "状态", max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    profile = models.CharField("规格", max_length=32)
    title = models.CharField("名称", max_length=200, blank=True)
    #: Compose: {"slides": [{"image_id", "caption", "duration"}], "title", "subtitle", "ending",
    #: "transition"}. Transcode: {}.
    params = models.JSONField("参数", default=dict, blank=True)
    source = models.FileField(
        "源文件", upload_to="media_pipeline/sources/%Y/%m/", blank=True, max_length=255
    )
    music = models.FileField(
        "背景音乐", upload_to="media_pipeline/music/%Y/%m/", blank=True, max_length=255
    )
    output = models.FileField(
        "成品", upload_to="media_pipeline/videos/%Y/%m/", blank=True, max_length=255
    )
    poster = models.FileField(
        "封面帧", upload_to="media_pipeline/posters/%Y/%m/", blank=True, max_length=255
    )
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    message = models.TextField("说明", blank=True, help_text="失败原因或处理提示")
    result = models.JSONField("结果信息", default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField("已尝试次数", default=0)
    max_attempts = models.PositiveSmallIntegerField("最多尝试次数", default=3)
    #: A worker that dies mid-job leaves the row 'running'; once the lease has expired
    #: another worker (or a retry) may claim it again.
    lease_expires_at = models.DateTimeField("租约到期", null=True, blank=True)
    task_id = models.CharField("任务编号", max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="创建人",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "媒体处理任务"
        verbose_name_plural = "媒体处理任务"
        ordering = ["-created_at"]

    def __str__(self):
        return self.title or f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.RUNNING)

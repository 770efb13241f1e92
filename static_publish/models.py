"""The manifest of the published tree (网页防篡改) and the tamper alerts raised from it.

Every file written under ``STATIC_PUBLISH_ROOT`` has a row with its SM3 digest and size: the
timer's ``verify_static`` compares the disk with these rows. An ``.html`` row keeps the page's
bytes, so that a changed or deleted file is restored from the database; its ``.gz`` and ``.br``
are compressed from them again (deterministically, so with the same digest).
"""

from django.db import models


class PublishedFile(models.Model):
    """One file of the published tree."""

    class Encoding(models.TextChoices):
        NONE = "", "HTML"
        GZIP = "gzip", "gzip"
        BROTLI = "br", "brotli"

    path = models.CharField("文件路径", max_length=600, unique=True)
    hostname = models.CharField("门户域名", max_length=255, db_index=True)
    url_path = models.CharField("页面地址", max_length=500)
    page_number = models.PositiveIntegerField("分页页码", default=1)
    care = models.BooleanField("关怀模式", default=False)
    encoding = models.CharField(
        "压缩", max_length=8, choices=Encoding.choices, default=Encoding.NONE, blank=True
    )
    # A plain number: the row outlives a deleted page until the rebuild removes its file.
    page_id = models.PositiveIntegerField("页面ID", null=True, blank=True, db_index=True)
    digest = models.CharField("SM3摘要", max_length=64)
    size = models.PositiveIntegerField("字节数")
    built_at = models.DateTimeField("生成时间")
    # When the render that produced the file started: a slower render of older content never
    # overwrites a newer one (see services.store).
    rendered_at = models.DateTimeField("渲染开始时间")
    content = models.BinaryField("页面内容", blank=True, default=b"")

    class Meta:
        verbose_name = "静态文件"
        verbose_name_plural = "静态文件清单"
        indexes = [models.Index(fields=["hostname", "url_path"], name="static_file_host_url")]

    def __str__(self):
        return self.path


class TamperAlert(models.Model):
    """One run of ``verify_static`` that found files differing from the manifest."""

    found_at = models.DateTimeField("发现时间", auto_now_add=True, db_index=True)
    hostnames = models.JSONField("涉及门户", default=list)
    findings = models.JSONField("发现的问题", default=list)  # [{"path", "problem"}]
    repaired = models.BooleanField("已自动恢复", default=False)
    resolved_at = models.DateTimeField("解除时间", null=True, blank=True)

    class Meta:
        verbose_name = "网页防篡改告警"
        verbose_name_plural = "网页防篡改告警"
        ordering = ["-found_at"]

    def __str__(self):
        return f"{self.found_at:%Y-%m-%d %H:%M} 发现 {len(self.findings)} 个文件异常"

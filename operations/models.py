"""Tables of the operations app.

``CacheEntry`` is the table of Django's own database cache backend (the layout that
``createcachetable`` would make), created by a migration so that every deployment has it: it is
where captchas and rate limits go while Redis is down (``operations.cache``).
``JobLock`` lets a periodic command run on one host at a time and remembers its last run.
"""

from django.db import models


class CacheEntry(models.Model):
    cache_key = models.CharField(max_length=255, primary_key=True)
    value = models.TextField()
    expires = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "operations_cache_entry"
        verbose_name = "缓存后备记录"
        verbose_name_plural = "缓存后备记录"

    def __str__(self):
        return self.cache_key


class JobLock(models.Model):
    name = models.CharField("任务", max_length=100, primary_key=True)
    holder = models.CharField("持有者", max_length=200, blank=True)
    locked_until = models.DateTimeField("锁定到期", null=True, blank=True)
    last_started_at = models.DateTimeField("上次开始", null=True, blank=True)
    last_finished_at = models.DateTimeField("上次完成", null=True, blank=True)
    last_result = models.TextField("上次结果", blank=True)

    class Meta:
        verbose_name = "定时任务锁"
        verbose_name_plural = "定时任务锁"

    def __str__(self):
        return self.name


class InspectionReport(models.Model):
    """One inspection (系统健康巡检) of one portal, or of the whole group when ``portal`` is
    empty, kept so that past reports can be compared. Findings are stored as data; the HTML and
    XLSX forms are made from them (``operations.reports``)."""

    portal = models.ForeignKey(
        "portal_sites.Portal",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="门户网站",
    )
    created_at = models.DateTimeField("巡检时间", db_index=True)
    trigger = models.CharField("触发方式", max_length=32, default="命令")
    findings = models.JSONField("问题清单", default=list)
    summary = models.JSONField("汇总", default=dict)
    network_reachable = models.BooleanField("可访问互联网", null=True)
    duration_seconds = models.FloatField("用时（秒）", default=0)

    class Meta:
        verbose_name = "巡检报告"
        verbose_name_plural = "巡检报告"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.scope_label} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def scope_label(self) -> str:
        return self.portal.name if self.portal_id else "网站群（全部门户）"

    scope_label.fget.short_description = "范围"

    def count(self, severity: str) -> int:
        return self.summary.get("by_severity", {}).get(severity, 0)

    @property
    def serious(self) -> int:
        return self.count("严重")

    serious.fget.short_description = "严重"

    @property
    def warnings(self) -> int:
        return self.count("警告")

    warnings.fget.short_description = "警告"

    @property
    def total(self) -> int:
        return self.summary.get("total", 0)

    total.fget.short_description = "问题总数"

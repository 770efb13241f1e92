"""What the statistics keep: daily page-view counters, the day's visitor digests, and snapshots.

Nothing here identifies a person. Page views are counters per portal, day and path. A visitor is
a keyed SM3 digest of address and browser under a salt that exists for one day only; when the day
is over `stats_rollup` stores the day's count and deletes both the digests and the salt, so
nobody, the bureau included, can link a visitor across days or recover an address.
"""

from django.db import models
from wagtail.models import Page, Site


class PageViewDaily(models.Model):
    site = models.ForeignKey(Site, on_delete=models.CASCADE, verbose_name="站点")
    day = models.DateField("日期", db_index=True)
    path = models.CharField("路径", max_length=500)
    page = models.ForeignKey(
        Page,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="页面",
    )
    views = models.PositiveIntegerField("访问量", default=0)

    class Meta:
        verbose_name = "每日访问量"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["site", "day", "path"], name="stats_view_site_day_path")
        ]

    def __str__(self):
        return f"{self.day} {self.path} {self.views}"


class DailySalt(models.Model):
    """The salt of one day's visitor digests; deleted with them once the day is rolled up."""

    day = models.DateField("日期", unique=True)
    salt = models.CharField("盐值", max_length=64)

    class Meta:
        verbose_name = "当日盐值"
        verbose_name_plural = verbose_name

    def __str__(self):
        return str(self.day)


class VisitorDigest(models.Model):
    site = models.ForeignKey(Site, on_delete=models.CASCADE, verbose_name="站点")
    day = models.DateField("日期")
    digest = models.CharField("摘要", max_length=32)

    class Meta:
        verbose_name = "当日访客摘要"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(
                fields=["site", "day", "digest"], name="stats_visitor_site_day_digest"
            )
        ]

    def __str__(self):
        return f"{self.day} {self.digest}"


class DailyVisitors(models.Model):
    """The rolled-up count of a past day's unique visitors of a portal."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, verbose_name="站点")
    day = models.DateField("日期")
    visitors = models.PositiveIntegerField("独立访客数", default=0)

    class Meta:
        verbose_name = "每日独立访客"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["site", "day"], name="stats_visitors_site_day")
        ]

    def __str__(self):
        return f"{self.day} {self.visitors}"


class LogImport(models.Model):
    """How far an nginx access log has been read, so that importing it again counts nothing twice."""

    fingerprint = models.CharField("日志指纹", max_length=64, unique=True)
    path = models.CharField("文件", max_length=500)
    offset = models.PositiveBigIntegerField("已读取字节", default=0)
    lines = models.PositiveIntegerField("已计入行数", default=0)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "访问日志导入"
        verbose_name_plural = verbose_name

    def __str__(self):
        return self.path


class FollowerSnapshot(models.Model):
    """A WeChat account's follower count on a day, as WeChat's user list API reports it."""

    account = models.CharField("公众号", max_length=32)
    day = models.DateField("日期")
    followers = models.PositiveIntegerField("关注用户数")

    class Meta:
        verbose_name = "公众号关注数"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["account", "day"], name="stats_followers_account_day")
        ]

    def __str__(self):
        return f"{self.account} {self.day} {self.followers}"

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

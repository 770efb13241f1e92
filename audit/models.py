"""Audit records (安全审计记录) and the head of their HMAC-SM3 chain.

A record is never changed or deleted through the ORM (``save`` refuses updates, ``delete``
refuses); what happens behind the ORM's back is caught by ``audit_verify``: each record's MAC
covers its own fields and the previous record's MAC, and the chain head remembers the last one,
so that a changed, removed or inserted record breaks the chain.
"""

from django.db import models


class AppendOnlyError(RuntimeError):
    """Audit records cannot be changed or deleted."""


class Category(models.TextChoices):
    LOGIN = "login", "登录"
    LOCKOUT = "lockout", "账号锁定"
    ACCOUNT = "account", "账号变更"
    PERMISSION = "permission", "角色与权限变更"
    PUBLICATION = "publication", "发布与撤稿"
    DELIVERY = "delivery", "渠道分发"
    EXPORT = "export", "数据导出"
    PERSONAL_DATA = "personal_data", "查看个人信息"
    CONFIGURATION = "configuration", "配置变更"
    ACCESS = "access", "越权访问"
    AUDIT = "audit", "审计管理"


class Outcome(models.TextChoices):
    SUCCESS = "success", "成功"
    FAILURE = "failure", "失败"
    DENIED = "denied", "拒绝"


class AuditRecord(models.Model):
    """One security-relevant event: who, when, from where, what and the outcome."""

    seq = models.BigIntegerField("序号", unique=True, editable=False)
    created_at = models.DateTimeField("时间", db_index=True, editable=False)
    # A plain number, not a foreign key: deleting a user must not rewrite the records about them.
    user_id = models.BigIntegerField("用户 ID", null=True, blank=True, editable=False)
    username = models.CharField("用户名", max_length=150, blank=True, db_index=True)
    ip = models.CharField("IP 地址", max_length=45, blank=True, db_index=True)
    user_agent = models.CharField("浏览器标识", max_length=300, blank=True)
    category = models.CharField("类别", max_length=16, choices=Category, db_index=True)
    action = models.CharField("事件", max_length=64, db_index=True)
    target = models.CharField("对象", max_length=300, blank=True)
    portal = models.CharField("门户", max_length=32, blank=True, db_index=True)
    outcome = models.CharField("结果", max_length=8, choices=Outcome, default=Outcome.SUCCESS)
    details = models.JSONField("详情", default=dict, blank=True)
    prev_mac = models.CharField("上一条校验值", max_length=64, editable=False)
    mac = models.CharField("校验值（HMAC-SM3）", max_length=64, editable=False)

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["-seq"]
        default_permissions = ("view",)
        permissions = [("export_auditrecord", "导出审计记录")]

    def __str__(self):
        return f"#{self.seq} {self.username} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("审计记录不可修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("审计记录不可删除；过期记录请用 audit_purge 清理")


class AuditChain(models.Model):
    """The single head row of the chain: the last record, and where the chain starts after the
    records older than the retention period were purged (the anchor)."""

    last_seq = models.BigIntegerField(default=0)
    last_mac = models.CharField(max_length=64, default="")
    anchor_seq = models.BigIntegerField(default=0)
    anchor_mac = models.CharField(max_length=64, default="")

    class Meta:
        verbose_name = "审计链"
        verbose_name_plural = "审计链"
        default_permissions = ()

    def __str__(self):
        return f"审计链 #{self.anchor_seq}–#{self.last_seq}"

"""Submissions from citizens, their attachments, status history, evaluation and follow-ups, the
outbox towards the case system, and the audit log of unmasked views of personal data.

Personal fields (name, ID number, phone) are SM4 ciphertext in the database
(``crypto.EncryptedTextField``) with HMAC-SM3 blind indexes beside them. The query code is never
stored, only its blind index.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from . import crypto


class PetitionType(models.TextChoices):
    COMPLAINT = "complaint", "投诉/求决"
    SUGGESTION = "suggestion", "建议"
    CONSULTATION = "consultation", "咨询"
    APPEAL = "appeal", "申诉"
    ACCUSATION = "accusation", "检举控告"
    OTHER = "other", "其他"


class Channel(models.TextChoices):
    ONLINE = "online", "网上信访"
    PINGLU_CANAL = "pinglu_canal", "平陆运河绿色通道"


class Source(models.TextChoices):
    PORTAL = "portal", "门户网站"
    WECHAT = "wechat", "微信"
    APP = "app", "APP"
    API = "api", "接口"


class Priority(models.TextChoices):
    NORMAL = "normal", "普通"
    HIGH = "high", "优先"


class Status(models.TextChoices):
    SUBMITTED = "submitted", "已提交"
    ACCEPTED = "accepted", "已受理"
    NOT_ACCEPTED = "not_accepted", "不予受理"
    TRANSFERRED = "transferred", "已转办"
    HANDLING = "handling", "办理中"
    EXTENDED = "extended", "已延期"
    REPLIED = "replied", "已答复"
    CLOSED = "closed", "已办结"


# Statuses after which the citizen may evaluate, and after which no follow-up is taken.
EVALUABLE_STATUSES = (Status.REPLIED, Status.CLOSED)
FINAL_STATUSES = (Status.CLOSED, Status.NOT_ACCEPTED)


class Submission(models.Model):
    """One petition (网上信访 or 平陆运河绿色通道) as the citizen sent it."""

    reference = models.UUIDField("编号", default=uuid.uuid4, unique=True, editable=False)
    portal = models.ForeignKey(
        "portal_sites.Portal",
        on_delete=models.PROTECT,
        related_name="submissions",
        verbose_name="门户网站",
    )
    channel = models.CharField("渠道", max_length=16, choices=Channel, default=Channel.ONLINE)
    source = models.CharField("来源", max_length=8, choices=Source, default=Source.PORTAL)
    priority = models.CharField("优先级", max_length=8, choices=Priority, default=Priority.NORMAL)
    petition_type = models.CharField("信访类型", max_length=16, choices=PetitionType)
    title = models.CharField("标题", max_length=100)
    content = models.TextField("信访事项")
    region_code = models.CharField("发生地行政区划代码", max_length=6)
    region_name = models.CharField("发生地", max_length=64)
    address = models.CharField("详细地点", max_length=200, blank=True)
    respondent = models.CharField("被反映对象", max_length=200, blank=True)

    name = crypto.EncryptedTextField("姓名")
    id_number = crypto.EncryptedTextField("身份证号")
    phone = crypto.EncryptedTextField("手机号")
    id_index = models.CharField("身份证号索引", max_length=64, db_index=True, editable=False)
    phone_index = models.CharField("手机号索引", max_length=64, db_index=True, editable=False)
    query_code_index = models.CharField("查询码索引", max_length=64, unique=True, editable=False)

    status = models.CharField("状态", max_length=16, choices=Status, default=Status.SUBMITTED)
    case_number = models.CharField("信访件编号", max_length=64, blank=True, db_index=True)
    reply = models.TextField("答复意见", blank=True)
    handling_unit = models.CharField("办理单位", max_length=128, blank=True)
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    extension_days = models.PositiveSmallIntegerField("延长办理天数", default=0)

    needs_moderation = models.BooleanField("待人工审核", default=False)
    sensitive_hits = models.JSONField("敏感词命中", default=list, blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
        verbose_name="疑似重复于",
    )

    created_at = models.DateTimeField("提交时间", default=timezone.now, db_index=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    status_synced_at = models.DateTimeField("状态同步时间", null=True, blank=True)

    class Meta:
        verbose_name = "信访件"
        verbose_name_plural = "信访件"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["portal", "status", "created_at"])]

    def __str__(self):
        return f"{self.get_petition_type_display()}：{self.title}"

    @property
    def masked_name(self) -> str:
        return crypto.mask_name(self.name)

    @property
    def masked_id_number(self) -> str:
        return crypto.mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return crypto.mask_phone(self.phone)

    @property
    def is_duplicate_suspect(self) -> bool:
        return self.duplicate_of_id is not None


class Attachment(models.Model):
    """A file sent with a submission, checked by its content (images re-encoded)."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="attachments", verbose_name="信访件"
    )
    file = models.FileField("文件", upload_to="bridge/%Y/%m/")
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("类型", max_length=100)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["id"]

    def __str__(self):
        return self.original_name


class StatusEvent(models.Model):
    """One step of a submission's timeline, from the case system or the built-in inbox."""

    class Origin(models.TextChoices):
        PORTAL = "portal", "门户"
        WEBHOOK = "webhook", "状态推送"
        PULL = "pull", "状态拉取"
        INBOX = "inbox", "内置受理台"

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="events", verbose_name="信访件"
    )
    status = models.CharField("状态", max_length=16, choices=Status)
    note = models.TextField("说明", blank=True)
    occurred_at = models.DateTimeField("时间")
    origin = models.CharField("来源", max_length=8, choices=Origin)
    # The case system's id of the event: the same event arriving by webhook and pull (or twice)
    # is stored once.
    external_id = models.CharField("外部事件编号", max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = "办理进度"
        verbose_name_plural = "办理进度"
        ordering = ["occurred_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "external_id"],
                condition=~models.Q(external_id=""),
                name="bridge_event_external_id_once",
            )
        ]

    def __str__(self):
        return f"{self.get_status_display()} {self.occurred_at:%Y-%m-%d}"


class Evaluation(models.Model):
    """The citizen's one evaluation of the reply."""

    class Rating(models.TextChoices):
        SATISFIED = "satisfied", "满意"
        BASICALLY_SATISFIED = "basically_satisfied", "基本满意"
        DISSATISFIED = "dissatisfied", "不满意"

    submission = models.OneToOneField(
        Submission, on_delete=models.CASCADE, related_name="evaluation", verbose_name="信访件"
    )
    rating = models.CharField("评价", max_length=24, choices=Rating)
    reason = models.TextField("理由", blank=True)
    created_at = models.DateTimeField("评价时间", default=timezone.now)

    class Meta:
        verbose_name = "评价"
        verbose_name_plural = "评价"

    def __str__(self):
        return self.get_rating_display()


class FollowUp(models.Model):
    """Additional information (追加) the citizen adds to a still-open matter."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="follow_ups", verbose_name="信访件"
    )
    content = models.TextField("追加内容")
    needs_moderation = models.BooleanField("待人工审核", default=False)
    created_at = models.DateTimeField("追加时间", default=timezone.now)

    class Meta:
        verbose_name = "追加"
        verbose_name_plural = "追加"
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.content[:30]


class OutboxItem(models.Model):
    """A message to the case system, written in the same transaction as what it carries.

    Never deleted or given up on: a failing item keeps its failure count and last reason and is
    retried with exponential backoff until it is delivered (staff can retry at once). A worker
    claims an item with a lease (``lease_token``/``lease_until``); if the worker dies the lease
    expires and another worker takes the item again.
    """

    class Kind(models.TextChoices):
        SUBMIT = "submit", "提交信访件"
        EVALUATION = "evaluation", "评价"
        FOLLOW_UP = "follow_up", "追加"

    class State(models.TextChoices):
        PENDING = "pending", "待发送"
        DELIVERED = "delivered", "已送达"

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="outbox_items", verbose_name="信访件"
    )
    kind = models.CharField("类型", max_length=16, choices=Kind)
    # Delivery order within one submission (submit first, then evaluation/follow-ups in order).
    sequence = models.PositiveIntegerField("顺序")
    object_id = models.PositiveBigIntegerField("关联对象", null=True, blank=True)
    idempotency_key = models.CharField("幂等键", max_length=64, unique=True)
    state = models.CharField("状态", max_length=12, choices=State, default=State.PENDING)
    attempts = models.PositiveIntegerField("失败次数", default=0)
    last_error = models.TextField("最近失败原因", blank=True)
    last_attempt_at = models.DateTimeField("最近尝试", null=True, blank=True)
    next_attempt_at = models.DateTimeField("下次尝试", default=timezone.now, db_index=True)
    lease_token = models.CharField("租约", max_length=32, blank=True)
    lease_until = models.DateTimeField("租约到期", null=True, blank=True)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)

    class Meta:
        verbose_name = "待发送消息"
        verbose_name_plural = "待发送消息"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "sequence"], name="bridge_outbox_sequence_once"
            )
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"


class PiiAccessLog(models.Model):
    """Audit log: every time someone sees personal data unmasked (等保 level 3)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, verbose_name="用户"
    )
    username = models.CharField("用户名", max_length=150)
    submission = models.ForeignKey(
        Submission, null=True, on_delete=models.SET_NULL, verbose_name="信访件"
    )
    fields = models.CharField("查看字段", max_length=200)
    reason = models.CharField("事由", max_length=200, blank=True)
    ip = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "个人信息查看记录"
        verbose_name_plural = "个人信息查看记录"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.username} {self.created_at:%Y-%m-%d %H:%M}"

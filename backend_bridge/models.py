"""Submissions from citizens (petitions, messages to leaders, suggestions), their attachments, status history, evaluation and follow-ups, the
outbox towards the case system, and the audit log of unmasked views of personal data.

Personal fields (name, ID number, phone) are SM4 ciphertext in the database
(``crypto.EncryptedTextField``) with HMAC-SM3 blind indexes beside them. The query code is never
stored, only its blind index.

A message to a leader (领导留言板) and a people's suggestion (人民建议征集) are submissions too
(``Submission.kind``): they share screening, encryption, the outbox, lookup, evaluation and
follow-ups. ``Leader``, ``SuggestionDomain`` and ``SuggestionCampaign`` are what they refer to.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField

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


class IdentityCheck(models.TextChoices):
    """The outcome of the real-name check of name + ID number (services.identity)."""

    NOT_GIVEN = "", "未提供身份证号"
    VERIFIED = "verified", "已核验"
    UNAVAILABLE = "unavailable", "核验服务不可用，待人工核验"


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


class Kind(models.TextChoices):
    PETITION = "petition", "信访件"
    LEADER_MESSAGE = "leader_message", "领导留言"
    SUGGESTION = "suggestion", "人民建议"


class Publication(models.TextChoices):
    """Whether a leader message and its reply may appear on the public board."""

    NOT_APPLICABLE = "", "不适用"
    PENDING = "pending", "待审核公开"
    APPROVED = "approved", "已同意公开"
    REFUSED = "refused", "不予公开"


# Statuses after which the citizen may evaluate, and after which no follow-up is taken.
EVALUABLE_STATUSES = (Status.REPLIED, Status.CLOSED)
FINAL_STATUSES = (Status.CLOSED, Status.NOT_ACCEPTED)


class Leader(models.Model):
    """A leader of a portal's bureau to whom citizens can write (领导留言板)."""

    portal = models.ForeignKey(
        "portal_sites.Portal",
        on_delete=models.CASCADE,
        related_name="leaders",
        verbose_name="门户网站",
    )
    name = models.CharField("姓名", max_length=32)
    title = models.CharField("职务", max_length=64)
    photo = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="照片",
    )
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    active = models.BooleanField("在留言板显示", default=True)

    class Meta:
        verbose_name = "领导"
        verbose_name_plural = "领导"
        ordering = ["portal", "sort_order", "id"]

    def __str__(self):
        return f"{self.title} {self.name}"


class SuggestionDomain(models.Model):
    """A domain (领域) of people's suggestions; the list is kept by administrators."""

    name = models.CharField("领域", max_length=32, unique=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    active = models.BooleanField("启用", default=True)

    panels = [FieldPanel("name"), FieldPanel("sort_order"), FieldPanel("active")]

    class Meta:
        verbose_name = "建议领域"
        verbose_name_plural = "建议领域"
        ordering = ["sort_order", "id"]

    def __str__(self):
        return self.name


class SuggestionCampaign(models.Model):
    """A themed call for suggestions (主题征集): open from its start date to its end date
    inclusive, so it closes itself; nobody has to switch it off."""

    portal = models.ForeignKey(
        "portal_sites.Portal",
        on_delete=models.CASCADE,
        related_name="suggestion_campaigns",
        verbose_name="门户网站",
    )
    title = models.CharField("征集主题", max_length=100)
    intro = RichTextField("征集说明", blank=True)
    start_date = models.DateField("开始日期")
    end_date = models.DateField("截止日期")

    class Meta:
        verbose_name = "主题征集"
        verbose_name_plural = "主题征集"
        ordering = ["-start_date", "-id"]

    def __str__(self):
        return self.title

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "截止日期不能早于开始日期。"})

    def is_open(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.start_date <= today <= self.end_date

    def state_label(self, today=None) -> str:
        today = today or timezone.localdate()
        if today < self.start_date:
            return "未开始"
        return "征集中" if today <= self.end_date else "已结束"


class Submission(models.Model):
    """One submission as the citizen sent it: a petition (网上信访 or 平陆运河绿色通道), a message
    to a leader or a people's suggestion (``kind``)."""

    reference = models.UUIDField("编号", default=uuid.uuid4, unique=True, editable=False)
    portal = models.ForeignKey(
        "portal_sites.Portal",
        on_delete=models.PROTECT,
        related_name="submissions",
        verbose_name="门户网站",
    )
    kind = models.CharField(
        "类别", max_length=16, choices=Kind, default=Kind.PETITION, db_index=True
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
    leader = models.ForeignKey(
        Leader,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
        verbose_name="留言对象",
    )
    domain = models.ForeignKey(
        SuggestionDomain,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="suggestions",
        verbose_name="建议领域",
    )
    campaign = models.ForeignKey(
        SuggestionCampaign,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="suggestions",
        verbose_name="主题征集",
    )
    # The writer's choice (leader messages): False means never on the public board.
    publish_consent = models.BooleanField("同意公开", default=False)
    publication = models.CharField(
        "公开审核",
        max_length=12,
        choices=Publication,
        default=Publication.NOT_APPLICABLE,
        blank=True,
    )
    publication_decided_at = models.DateTimeField("公开审核时间", null=True, blank=True)
    publication_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="公开审核人",
    )

    name = crypto.EncryptedTextField("姓名")
    id_number = crypto.EncryptedTextField("身份证号")
    phone = crypto.EncryptedTextField("手机号")
    id_index = models.CharField("身份证号索引", max_length=64, db_index=True, editable=False)
    phone_index = models.CharField("手机号索引", max_length=64, db_index=True, editable=False)
    query_code_index = models.CharField("查询码索引", max_length=64, unique=True, editable=False)
    # The index key the query code's index was made with: the code itself is never stored, so
    # rotate_keys cannot re-key it, and that key stays readable until these cases are gone.
    query_code_key_version = models.PositiveSmallIntegerField(
        "查询码索引密钥版本", default=1, editable=False
    )
    identity_check = models.CharField(
        "实名核验",
        max_length=16,
        blank=True,
        default="",
        choices=IdentityCheck,
    )

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
    def public_name(self) -> str:
        """The writer on the public board: family name and one star (张*), whatever the length."""
        return (self.name[:1] + "*") if self.name else "匿*"

    @property
    def masked_id_number(self) -> str:
        return crypto.mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return crypto.mask_phone(self.phone)

    @property
    def is_duplicate_suspect(self) -> bool:
        return self.duplicate_of_id is not None

    # Leader messages and suggestions come through their own doors, not a petition channel:
    # staff and citizens see them named as what they are.
    DOORS = {Kind.LEADER_MESSAGE: "领导留言板", Kind.SUGGESTION: "人民建议征集"}
    WRITERS = {Kind.LEADER_MESSAGE: "留言人", Kind.SUGGESTION: "建议人"}
    CONTENT_LABELS = {Kind.LEADER_MESSAGE: "留言内容", Kind.SUGGESTION: "建议内容"}

    @property
    def door_label(self) -> str:
        """Where it came in: the petition channel with its priority, or the message board or the
        suggestions' page (which have no channel of their own)."""
        if self.kind in self.DOORS:
            return self.DOORS[self.kind]
        return self.get_channel_display()

    @property
    def writer_label(self) -> str:
        return self.WRITERS.get(self.kind, "信访人")

    @property
    def content_label(self) -> str:
        return self.CONTENT_LABELS.get(self.kind, "信访事项")


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
        # A staff member's step (status, reply) or note, forwarded to the case system.
        ACTION = "action", "办理操作"
        NOTE = "note", "办理备注"

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


class CaseNote(models.Model):
    """A staff member's internal note on a submission (办理备注): never shown to the citizen,
    forwarded to the case system through the outbox when one is configured."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="notes", verbose_name="信访件"
    )
    content = models.TextField("备注")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, verbose_name="填写人"
    )
    created_at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "办理备注"
        verbose_name_plural = "办理备注"
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.content[:30]


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

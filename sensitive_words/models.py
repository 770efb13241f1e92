"""Dictionaries, words, allow-list, expression rules, the shared version row, and the workflow task.

Any change to these tables bumps :class:`DictionaryVersion` in the same transaction; every
process compares it with the version its engine was built from and rebuilds when it differs
(see :mod:`sensitive_words.services`).
"""

from __future__ import annotations

import re
import threading
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.models import AbstractGroupApprovalTask, TaskState

from .engine import LEVEL_LABELS, Profile

CATEGORY_CHOICES = [
    (c, c) for c in ("政治", "涉黄", "涉赌", "暴恐", "辱骂", "广告", "隐私", "表述规范", "其他")
]
LEVEL_CHOICES = list(LEVEL_LABELS.items())
SITE_CODE_HELP = "留空表示适用于全部门户；填写门户站点代码则只在该门户生效。"


class Dictionary(models.Model):
    """A named word list with its own normalizations and (optionally) one portal."""

    name = models.CharField("词库名称", max_length=64, unique=True)
    description = models.CharField("说明", max_length=255, blank=True)
    site_code = models.CharField("门户代码", max_length=32, blank=True, help_text=SITE_CODE_HELP)
    enabled = models.BooleanField("启用", default=True)
    fold_case = models.BooleanField("忽略大小写", default=True)
    fold_width = models.BooleanField("全角半角及兼容字符归一（NFKC）", default=True)
    fold_traditional = models.BooleanField("繁体转简体", default=True)
    strip_noise = models.BooleanField("忽略夹杂的符号、空白、表情", default=True)
    collapse_repeats = models.BooleanField("忽略重复字符", default=True)
    read_numerals = models.BooleanField("中文数字按阿拉伯数字匹配", default=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("description"),
        FieldPanel("site_code"),
        FieldPanel("enabled"),
        MultiFieldPanel(
            [
                FieldPanel("fold_case"),
                FieldPanel("fold_width"),
                FieldPanel("fold_traditional"),
                FieldPanel("strip_noise"),
                FieldPanel("collapse_repeats"),
                FieldPanel("read_numerals"),
            ],
            heading="匹配前的文本归一化",
        ),
    ]

    class Meta:
        verbose_name = "敏感词库"
        verbose_name_plural = "敏感词库"
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def profile(self) -> Profile:
        return Profile(
            case=self.fold_case,
            width=self.fold_width,
            traditional=self.fold_traditional,
            noise=self.strip_noise,
            repeats=self.collapse_repeats,
            numerals=self.read_numerals,
        )


class SensitiveWord(models.Model):
    dictionary = models.ForeignKey(
        Dictionary, on_delete=models.CASCADE, related_name="words", verbose_name="词库"
    )
    word = models.CharField("词语", max_length=100)
    category = models.CharField("分类", max_length=16, choices=CATEGORY_CHOICES, default="其他")
    level = models.CharField("级别", max_length=8, choices=LEVEL_CHOICES, default="review")
    suggestion = models.CharField("建议写法", max_length=200, blank=True)
    match_pinyin = models.BooleanField(
        "匹配拼音及首字母", default=False, help_text="勾选后也能识别全拼、首字母及混写（如 zg人）。"
    )
    enabled = models.BooleanField("启用", default=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    panels = [
        FieldPanel("dictionary"),
        FieldPanel("word"),
        FieldPanel("category"),
        FieldPanel("level"),
        FieldPanel("suggestion"),
        FieldPanel("match_pinyin"),
        FieldPanel("enabled"),
    ]

    class Meta:
        verbose_name = "敏感词"
        verbose_name_plural = "敏感词"
        ordering = ["dictionary", "word"]
        constraints = [
            models.UniqueConstraint(fields=["dictionary", "word"], name="sw_unique_word")
        ]

    def __str__(self):
        return self.word


class AllowPhrase(models.Model):
    """白名单: a legitimate phrase containing a sensitive word (三黄片 contains 黄片)."""

    phrase = models.CharField("白名单词语", max_length=100)
    dictionary = models.ForeignKey(
        Dictionary,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="allow_phrases",
        verbose_name="词库",
        help_text="留空表示对全部词库生效。",
    )
    site_code = models.CharField("门户代码", max_length=32, blank=True, help_text=SITE_CODE_HELP)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    panels = [FieldPanel("phrase"), FieldPanel("dictionary"), FieldPanel("site_code")]

    class Meta:
        verbose_name = "白名单"
        verbose_name_plural = "白名单"
        ordering = ["phrase"]
        constraints = [
            models.UniqueConstraint(
                fields=["phrase", "dictionary", "site_code"], name="sw_unique_allow_phrase"
            )
        ]

    def __str__(self):
        return self.phrase


def validate_pattern(value: str) -> None:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValidationError(f"正则表达式有误：{exc}") from exc


class ExpressionRule(models.Model):
    """表述规范 rule: a regular expression over the normalized text, with the correct form."""

    name = models.CharField("规则名称", max_length=64)
    pattern = models.CharField(
        "正则表达式",
        max_length=500,
        validators=[validate_pattern],
        help_text="匹配归一化后的文本（简体、小写、半角、已去掉标点空格）。建议中可用 \\1 引用分组。",
    )
    dictionary = models.ForeignKey(
        Dictionary, on_delete=models.CASCADE, related_name="rules", verbose_name="词库"
    )
    category = models.CharField("分类", max_length=16, choices=CATEGORY_CHOICES, default="表述规范")
    level = models.CharField("级别", max_length=8, choices=LEVEL_CHOICES, default="review")
    suggestion = models.CharField("建议写法", max_length=200, blank=True)
    enabled = models.BooleanField("启用", default=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("pattern"),
        FieldPanel("dictionary"),
        FieldPanel("category"),
        FieldPanel("level"),
        FieldPanel("suggestion"),
        FieldPanel("enabled"),
    ]

    class Meta:
        verbose_name = "表述规范规则"
        verbose_name_plural = "表述规范规则"
        ordering = ["name"]

    def __str__(self):
        return self.name


class DictionaryVersion(models.Model):
    """One row: bumped on every dictionary change; processes rebuild when it moves."""

    version = models.BigIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "词库版本"
        verbose_name_plural = "词库版本"

    def __str__(self):
        return f"v{self.version}"


_batch = threading.local()


@contextmanager
def batch_changes():
    """Bump the version once for many changes (imports) instead of once per row."""
    depth = getattr(_batch, "depth", 0)
    _batch.depth = depth + 1
    try:
        yield
    finally:
        _batch.depth = depth
    if depth == 0:
        bump_version()


def bump_version() -> None:
    """Advance the shared version in the current transaction; refresh the cache on commit."""
    from . import services

    updated = DictionaryVersion.objects.filter(pk=1).update(version=F("version") + 1)
    if not updated:
        DictionaryVersion.objects.get_or_create(pk=1, defaults={"version": 2})
    # This process sees its own change at once; the others when the commit publishes it.
    services.forget_version()
    transaction.on_commit(services.publish_version)


@receiver(post_save, sender=Dictionary)
@receiver(post_save, sender=SensitiveWord)
@receiver(post_save, sender=AllowPhrase)
@receiver(post_save, sender=ExpressionRule)
@receiver(post_delete, sender=Dictionary)
@receiver(post_delete, sender=SensitiveWord)
@receiver(post_delete, sender=AllowPhrase)
@receiver(post_delete, sender=ExpressionRule)
def _dictionary_changed(sender, **kwargs):
    if kwargs.get("raw") or getattr(_batch, "depth", 0):
        return  # loading fixtures, or inside batch_changes()
    bump_version()


# --- workflow -------------------------------------------------------------------------------


class SensitiveWordsTaskState(TaskState):
    """The task state of a sensitive-words check, keeping the hits it found."""

    hits = models.JSONField("命中结果", default=list, blank=True)

    class Meta:
        verbose_name = "敏感词检查状态"
        verbose_name_plural = "敏感词检查状态"


class Clearance(models.Model):
    """A reviewer's recorded confirmation that one review-level hit may be published on a portal.

    It covers the same word, matched as the same text in the same context, on the same portal
    (see :func:`sensitive_words.gate.hit_key`); the page and revision say where it was given.
    """

    site_code = models.CharField("门户代码", max_length=32, blank=True)
    key = models.CharField("命中指纹", max_length=64)
    word = models.CharField("命中词", max_length=100)
    matched_text = models.CharField("原文", max_length=100)
    context = models.CharField("上下文", max_length=300)
    field_label = models.CharField("位置", max_length=200, blank=True)
    level = models.CharField("级别", max_length=16, choices=LEVEL_CHOICES)
    page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name="页面",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revision_id = models.PositiveBigIntegerField("版本", null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="确认人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField("确认时间", auto_now_add=True)
    note = models.CharField("说明", max_length=500, blank=True)

    class Meta:
        verbose_name = "敏感词确认记录"
        verbose_name_plural = "敏感词确认记录"
        indexes = [models.Index(fields=["site_code", "key"])]
        ordering = ["-confirmed_at"]

    def __str__(self):
        return f"{self.word}（{self.field_label}）"


class SensitiveWordsCheckTask(AbstractGroupApprovalTask):
    """First step of the 三审 workflow: checks the submitted revision automatically.

    Block-level hits reject the revision at once (the editor gets it back with the hits in the
    comment); review-level hits that nobody has confirmed on this portal wait for a member of the
    chosen groups, whose approval is recorded as the confirmation; otherwise the step approves
    itself so the workflow moves on.
    """

    DEFAULT_NAME = "敏感词检查"
    task_state_class = SensitiveWordsTaskState

    class Meta:
        verbose_name = "敏感词检查"
        verbose_name_plural = "敏感词检查"

    @classmethod
    def get_default(cls) -> SensitiveWordsCheckTask:
        """The one shared instance that every portal's workflow uses as its first step."""
        task, _ = cls.objects.get_or_create(name=cls.DEFAULT_NAME)
        return task

    @classmethod
    def get_description(cls):
        return "自动检查敏感词与表述规范：禁止级命中退回修改，需审核级命中由所选用户组确认，无命中自动通过。"

    def start(self, workflow_state, user=None):
        from . import gate

        task_state = super().start(workflow_state, user=user)
        verdict = gate.assess(_revision_object(task_state))
        task_state.hits = [h.as_dict() for h in verdict.hits]
        task_state.save(update_fields=["hits"])
        if verdict.blocked:
            task_state.reject(user=None, update=False, comment=gate.hits_comment(verdict))
        elif not verdict.pending:
            comment = "未发现敏感词，自动通过。"
            if verdict.hits:
                comment = "命中的词语均已由审核人员确认过，自动通过。"
            task_state.approve(user=None, update=False, comment=comment)
        return task_state

    def on_action(self, task_state, user, action_name, **kwargs):
        from . import gate

        if action_name == "approve":
            obj = _revision_object(task_state)
            verdict = gate.assess(obj)
            if verdict.blocked:
                raise gate.PublicationRefused(verdict)
            gate.confirm(
                verdict,
                user,
                page=workflow_page(task_state),
                revision=task_state.revision,
                note=kwargs.get("comment", ""),
            )
        return super().on_action(task_state, user, action_name, **kwargs)

    def get_actions(self, obj, user):
        if user.is_superuser or self._user_in_groups(user):
            return [
                ("reject", "退回修改", True),
                ("approve", "确认无误并通过", False),
                ("approve", "确认并附言", True),
            ]
        return []


def _revision_object(task_state):
    if task_state.revision_id:
        return task_state.revision.as_object()
    return task_state.workflow_state.content_object


def workflow_page(task_state):
    return task_state.workflow_state.content_object

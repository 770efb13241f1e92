"""Channel targets (which columns feed each channel) and deliveries (the publication outbox).

A :class:`Delivery` is written in the transaction that publishes, updates or unpublishes a page,
one per channel the page goes to; the worker claims it with a lease, calls the channel, and
records the result. It is never dropped: temporary failures wait with backoff, permanent ones
keep their reason in Chinese until an editor retries.

:class:`WeChatWelcome` and :class:`WeChatKeywordReply` are what the WeChat message callback
(``channels.wechat.callback``) answers with, :class:`WeChatMenu` an account's custom menu
(``channels.wechat.menu``); administrators edit them as snippets.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from wagtail.fields import StreamField

from .blocks import MenuBlock


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
    #: A multi-article push (多图文推送): ``page`` is its first article.
    push = models.ForeignKey(
        "WeChatPush",
        verbose_name="多图文推送",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
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

    def contents(self) -> list:
        """The page versions this delivery carries: a push's articles in order, else its page
        (the revision it was written for, or the page as it is)."""
        if self.push_id:
            return [item.content() for item in self.push.items.select_related("revision")]
        return [self.revision.as_object() if self.revision_id else self.page.specific]

    def record(self, **progress) -> None:
        """Store what was just created remotely before doing anything else (crash safety)."""
        self.progress = {**self.progress, **progress}
        type(self).objects.filter(pk=self.pk, lease_token=self.lease_token).update(
            progress=self.progress, updated_at=timezone.now()
        )


# --- WeChat message callback: welcome text, default answer and keyword replies ---------------
# Managed as snippets (channels.wagtail_hooks); read by channels.wechat.callback.

#: WeChat's limit for a passive text reply (bytes of UTF-8).
WECHAT_TEXT_MAX_BYTES = 2048


def wechat_account_choices():
    """The configured official accounts (WECHAT_ACCOUNTS), as (code, label) choices."""
    from .wechat.accounts import get_accounts

    return [(account.code, str(account)) for account in get_accounts()]


def _check_text_size(value: str, field: str) -> dict:
    size = len(value.encode("utf-8"))
    if size > WECHAT_TEXT_MAX_BYTES:
        return {
            field: f"微信文字消息最长 {WECHAT_TEXT_MAX_BYTES} 字节，现有 {size} 字节（约一个汉字 3 字节）"
        }
    return {}


class WeChatWelcome(models.Model):
    """What one official account answers to a new follower and to messages it does not know."""

    account = models.CharField("公众号", max_length=32, unique=True, choices=wechat_account_choices)
    welcome_text = models.TextField(
        "关注欢迎语",
        blank=True,
        help_text='用户关注公众号时自动回复。可以使用 <a href="网址">文字</a> 形式的链接。留空则使用系统默认欢迎语。',
    )
    default_text = models.TextField(
        "默认回复",
        blank=True,
        help_text="用户发送的消息没有匹配任何关键词时自动回复。留空则回复系统默认内容（网上信访、信访件查询评价的入口）。",
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "欢迎语与默认回复"
        verbose_name_plural = "欢迎语与默认回复"
        ordering = ["account"]

    def __str__(self):
        return f"{self.get_account_display()}的欢迎语"

    def clean(self):
        super().clean()
        errors = {
            **_check_text_size(self.welcome_text, "welcome_text"),
            **_check_text_size(self.default_text, "default_text"),
        }
        if errors:
            raise ValidationError(errors)


class WeChatKeywordReply(models.Model):
    """A keyword that a follower may send, and what the account answers: a text, or the latest
    articles of a column as a news message."""

    class Match(models.TextChoices):
        EXACT = "exact", "完全匹配"
        CONTAINS = "contains", "包含关键词"

    account = models.CharField("公众号", max_length=32, choices=wechat_account_choices)
    keyword = models.CharField("关键词", max_length=60, help_text="不区分大小写，首尾空格忽略。")
    match = models.CharField("匹配方式", max_length=16, choices=Match, default=Match.EXACT)
    reply_text = models.TextField(
        "回复文字",
        blank=True,
        help_text='可以使用 <a href="网址">文字</a> 形式的链接。与“回复栏目”二选一。',
    )
    column = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name="回复栏目",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"content_type__app_label": "cms", "content_type__model": "columnpage"},
        help_text="回复该栏目最新的文章（图文消息，最多 8 篇）。与“回复文字”二选一。",
    )
    enabled = models.BooleanField("启用", default=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "关键词回复"
        verbose_name_plural = "关键词回复"
        ordering = ["account", "keyword"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "keyword"], name="channels_wechat_keyword_unique"
            )
        ]

    def __str__(self):
        return self.keyword

    def clean(self):
        super().clean()
        self.keyword = " ".join(self.keyword.split())
        has_text = bool(self.reply_text.strip())
        if has_text == bool(self.column_id):
            raise ValidationError("请填写“回复文字”或选择“回复栏目”，二者只能选一项")
        errors = _check_text_size(self.reply_text, "reply_text")
        if errors:
            raise ValidationError(errors)


class WeChatMenu(models.Model):
    """The custom menu of one official account, as edited in the admin and last pushed."""

    account = models.CharField("公众号", max_length=32, unique=True, choices=wechat_account_choices)
    buttons = StreamField(MenuBlock(), verbose_name="菜单", blank=True)
    pushed_at = models.DateTimeField("最近推送时间", null=True, blank=True, editable=False)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "自定义菜单"
        verbose_name_plural = "自定义菜单"
        ordering = ["account"]

    def __str__(self):
        return f"{self.get_account_display()}的自定义菜单"

    def clean(self):
        from .wechat.menu import MenuInvalid, build

        super().clean()
        try:
            build(self.buttons)
        except MenuInvalid as error:
            raise ValidationError(error.errors) from None


# --- WeChat: an editor's push of several articles, published or sent to every follower ----------


class WeChatPush(models.Model):
    """An editor's push of 1 to 8 live articles to one official account as one WeChat message
    (多图文推送). It is published (发布, like the automatic single-article publication) or sent to
    every follower (群发, which spends the account's mass-send quota): never automatic. Its one
    :class:`Delivery` (``deliveries``) carries it through the outbox like any publication."""

    class Mode(models.TextChoices):
        PUBLISH = "publish", "发布（不群发，不占用群发次数）"
        MASS_SEND = "mass_send", "群发给全部关注者"

    account = models.CharField("公众号", max_length=32, choices=wechat_account_choices)
    mode = models.CharField("推送方式", max_length=16, choices=Mode, default=Mode.PUBLISH)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="推送人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("推送时间", default=timezone.now)

    class Meta:
        verbose_name = "公众号推送"
        verbose_name_plural = "公众号推送"
        ordering = ["-pk"]

    def __str__(self):
        first = self.items.select_related("page").first()
        title = first.page.title if first else ""
        return f"{self.get_account_display()}：{title}等 {self.items.count()} 篇"

    @property
    def delivery(self):
        """Its publication (withdrawals of single articles are deliveries of their own)."""
        return self.deliveries.exclude(action=Delivery.Action.WITHDRAW).order_by("-pk").first()

    @admin.display(description="状态")
    def state_label(self) -> str:
        delivery = self.delivery
        return delivery.get_state_display() if delivery else ""


class WeChatMassSendLock(models.Model):
    """One row per official account, taken FOR UPDATE while a mass send checks the quota and
    reserves its place (writes its push and delivery): two editors pushing at the same instant
    are served one after the other, so the second one sees the first one's send."""

    account = models.CharField("公众号", max_length=32, unique=True, choices=wechat_account_choices)

    class Meta:
        verbose_name = "群发次数锁"
        verbose_name_plural = "群发次数锁"

    def __str__(self):
        return self.get_account_display()


class WeChatPushItem(models.Model):
    """One article of a push, at its place in the message, with the version that goes out."""

    push = models.ForeignKey(
        WeChatPush, verbose_name="推送", on_delete=models.CASCADE, related_name="items"
    )
    position = models.PositiveSmallIntegerField("位置")  # 1-based, as WeChat's idx
    page = models.ForeignKey(
        "wagtailcore.Page", verbose_name="文章", on_delete=models.CASCADE, related_name="+"
    )
    revision = models.ForeignKey(
        "wagtailcore.Revision",
        verbose_name="版本",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField("已从公众号删除", null=True, blank=True)

    class Meta:
        verbose_name = "推送文章"
        verbose_name_plural = "推送文章"
        ordering = ["push", "position"]
        constraints = [
            models.UniqueConstraint(fields=["push", "position"], name="channels_push_position"),
            models.UniqueConstraint(fields=["push", "page"], name="channels_push_page"),
        ]

    def __str__(self):
        return f"第 {self.position} 篇：{self.page.title}"

    def content(self):
        """The version that goes out (the live one when the push was made)."""
        return self.revision.as_object() if self.revision_id else self.page.specific


# --- WeChat H5 pages: who submitted through WeChat, and the subscribe messages they agreed to --
# Written by channels.wechat.h5 and channels.wechat.notices; backend_bridge knows nothing of them.


class WeChatSubmission(models.Model):
    """A submission made on a service account's H5 pages by the citizen with this OpenID, so
    that they find it again in WeChat without the query code."""

    account = models.CharField("公众号", max_length=32, choices=wechat_account_choices)
    openid = models.CharField("OpenID", max_length=64, db_index=True)
    submission = models.OneToOneField(
        "backend_bridge.Submission",
        verbose_name="信访件",
        on_delete=models.CASCADE,
        related_name="wechat",
    )
    created_at = models.DateTimeField("提交时间", default=timezone.now)

    class Meta:
        verbose_name = "微信提交记录"
        verbose_name_plural = "微信提交记录"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["account", "openid"])]

    def __str__(self):
        return f"{self.account}·{self.submission_id}"


class WeChatNoticeSubscription(models.Model):
    """The citizen agreed, in WeChat's own dialog, to get this template's subscribe messages
    about this submission."""

    account = models.CharField("公众号", max_length=32, choices=wechat_account_choices)
    openid = models.CharField("OpenID", max_length=64, db_index=True)
    submission = models.ForeignKey(
        "backend_bridge.Submission",
        verbose_name="信访件",
        on_delete=models.CASCADE,
        related_name="wechat_subscriptions",
    )
    template_id = models.CharField("模板 ID", max_length=128)
    agreed_at = models.DateTimeField("同意时间", default=timezone.now)

    class Meta:
        verbose_name = "订阅通知授权"
        verbose_name_plural = "订阅通知授权"
        ordering = ["-agreed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "openid", "template_id"],
                name="channels_notice_subscription_unique",
            )
        ]

    def __str__(self):
        return f"{self.account}·{self.template_id}"


class WeChatNotice(models.Model):
    """One subscribe message to send (``message/subscribe/bizsend``): an outbox row written in the
    transaction that changed the submission's status, leased and sent by the worker."""

    class State(models.TextChoices):
        PENDING = "pending", "待发送"
        SENT = "sent", "已发送"
        FAILED = "failed", "失败"
        UNKNOWN = "unknown", "结果未知"

    subscription = models.ForeignKey(
        WeChatNoticeSubscription,
        verbose_name="订阅通知授权",
        on_delete=models.CASCADE,
        related_name="notices",
    )
    event = models.ForeignKey(
        "backend_bridge.StatusEvent", verbose_name="状态变化", on_delete=models.CASCADE
    )
    data = models.JSONField("模板数据", default=dict)
    page = models.URLField("跳转网址", max_length=500, blank=True)
    state = models.CharField("状态", max_length=16, choices=State, default=State.PENDING)
    attempts = models.PositiveIntegerField("尝试次数", default=0)
    last_error = models.TextField("失败原因", blank=True)
    next_attempt_at = models.DateTimeField("下次尝试", default=timezone.now, db_index=True)
    lease_token = models.CharField("租约", max_length=32, blank=True)
    lease_until = models.DateTimeField("租约到期", null=True, blank=True)
    # Set just before the call to WeChat, cleared when WeChat answered: a row found with it set
    # was perhaps sent by a worker that died, and is never sent again.
    sending_since = models.DateTimeField("开始发送", null=True, blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)

    class Meta:
        verbose_name = "订阅通知"
        verbose_name_plural = "订阅通知"
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event"], name="channels_notice_once_per_event"
            )
        ]

    def __str__(self):
        return f"{self.subscription}·{self.get_state_display()}"


# --- APP content ---
# The APP channel's sync journal (channels.app.journal) and the APP releases (channels.app.releases).


class AppSyncCounter(models.Model):
    """The last sequence number handed out to a portal's APP journal. Taken FOR UPDATE by every
    journal write, so numbers are handed out in commit order and a sync never skips one."""

    site_code = models.CharField("门户代码", max_length=32, unique=True)
    value = models.BigIntegerField("当前序号", default=0)

    class Meta:
        verbose_name = "APP 同步序号"
        verbose_name_plural = "APP 同步序号"

    def __str__(self):
        return f"{self.site_code}:{self.value}"


class AppEntry(models.Model):
    """One page as the APP knows it: live (served) or withdrawn (a tombstone), with the sequence
    number of its last change. The journal keeps one row per page: a sync returns each page's
    latest state once, however often it changed since the cursor."""

    class Kind(models.TextChoices):
        ARTICLE = "article", "文章"
        TOPIC = "topic", "专题"

    page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name="页面",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    page_key = models.BigIntegerField("页面编号")  # kept when the page is deleted
    site_code = models.CharField("门户代码", max_length=32)
    kind = models.CharField("类型", max_length=16, choices=Kind)
    seq = models.BigIntegerField("序号")
    live = models.BooleanField("在APP中显示", default=True)
    revision = models.ForeignKey(
        "wagtailcore.Revision",
        verbose_name="版本",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changed_at = models.DateTimeField("变更时间", default=timezone.now)

    class Meta:
        verbose_name = "APP 内容"
        verbose_name_plural = "APP 内容"
        ordering = ["site_code", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["site_code", "seq"], name="channels_app_entry_seq"),
            models.UniqueConstraint(
                fields=["site_code", "page_key"], name="channels_app_entry_page"
            ),
        ]

    def __str__(self):
        return f"{self.site_code}#{self.seq}·{self.page_key}"


class AppRelease(models.Model):
    """A version of the 广西信访APP for one platform (网上信访APP版本更新上线)."""

    class Platform(models.TextChoices):
        ANDROID = "android", "安卓（Android）"
        IOS = "ios", "苹果（iOS）"
        HARMONY = "harmony", "鸿蒙（HarmonyOS）"

    platform = models.CharField("平台", max_length=16, choices=Platform)
    version = models.CharField(
        "版本号", max_length=32, help_text="形如 2.3.1 的数字版本号（主版本.次版本.修订号）。"
    )
    release_notes = models.TextField("更新说明", help_text="显示在 APP 的更新提示中。")
    download_url = models.URLField(
        "下载地址", max_length=500, help_text="安装包地址或应用商店页面地址。"
    )
    checksum = models.CharField(
        "安装包 SHA-256",
        max_length=64,
        blank=True,
        help_text="安装包文件的 SHA-256 校验值（64 位十六进制）；应用商店发布的可留空。",
    )
    min_supported_version = models.CharField(
        "最低支持版本",
        max_length=32,
        blank=True,
        help_text="低于该版本的 APP 必须更新（强制更新）；留空表示不强制。",
    )
    rollout_percent = models.PositiveSmallIntegerField(
        "灰度发布比例（%）",
        default=100,
        help_text="0–100。按设备编号稳定地选出这一比例的设备先收到更新；100 表示全部设备。",
    )
    published = models.BooleanField(
        "已上线", default=False, help_text="勾选后 APP 才能检查到该版本。"
    )
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "APP 版本"
        verbose_name_plural = "APP 版本"
        ordering = ["platform", "-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["platform", "version"], name="channels_app_release")
        ]

    def __str__(self):
        return f"{self.get_platform_display()} {self.version}"

    def clean(self):
        import re

        from .app.releases import ReleaseError, parse_version

        super().clean()
        errors = {}
        for name in ("version", "min_supported_version"):
            value = getattr(self, name).strip()
            setattr(self, name, value)
            if value or name == "version":
                try:
                    parse_version(value)
                except ReleaseError as error:
                    errors[name] = error.message
        self.checksum = self.checksum.strip().lower()
        if self.checksum and not re.fullmatch(r"[0-9a-f]{64}", self.checksum):
            errors["checksum"] = "SHA-256 校验值应为 64 位十六进制字符"
        if self.rollout_percent > 100:
            errors["rollout_percent"] = "灰度发布比例应在 0 到 100 之间"
        if (
            not errors
            and self.min_supported_version
            and parse_version(self.min_supported_version) > parse_version(self.version)
        ):
            errors["min_supported_version"] = "最低支持版本不能高于本版本"
        if errors:
            raise ValidationError(errors)


# --- APP accounts and staff ---------------------------------------------------------------------
# Citizens' accounts of 广西信访APP (phone + SMS code), the signed-in devices of citizens and of
# staff of the simple-handling APP (token digests only), the citizens' own submissions, and the
# push notices of status changes (an outbox: channels.app.push). Written by channels.app.

from backend_bridge.crypto import EncryptedTextField  # noqa: E402 - this section's own import


class AppAccount(models.Model):
    """A citizen's APP account: a phone number proven by SMS; nothing else about the person."""

    phone = EncryptedTextField("手机号")
    phone_index = models.CharField("手机号索引", max_length=64, unique=True, editable=False)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("注册时间", default=timezone.now)
    last_login_at = models.DateTimeField("最近登录", null=True, blank=True)

    class Meta:
        verbose_name = "APP 用户"
        verbose_name_plural = "APP 用户"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        from backend_bridge.crypto import mask_phone

        return mask_phone(self.phone)


class AppSession(models.Model):
    """One signed-in device: a citizen's (``account``) or a staff member's (``user``).

    Only HMAC-SM3 digests of the tokens are stored. The access token is short-lived; the refresh
    token is replaced at each use (rotation), and presenting the one it replaced again (a stolen
    copy) revokes the session. Every token works only with the device id it was issued to.
    """

    class Kind(models.TextChoices):
        CITIZEN = "citizen", "群众"
        STAFF = "staff", "工作人员"

    kind = models.CharField("类型", max_length=8, choices=Kind)
    account = models.ForeignKey(
        AppAccount,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sessions",
        verbose_name="APP 用户",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="app_sessions",
        verbose_name="工作人员",
    )
    device_id = models.CharField("设备标识", max_length=64)
    access_digest = models.CharField("访问令牌摘要", max_length=64, unique=True)
    access_expires_at = models.DateTimeField("访问令牌到期")
    refresh_digest = models.CharField("刷新令牌摘要", max_length=64, unique=True)
    previous_refresh_digest = models.CharField(
        "上一刷新令牌摘要", max_length=64, blank=True, db_index=True
    )
    refresh_expires_at = models.DateTimeField("刷新令牌到期")
    ip = models.GenericIPAddressField("登录 IP", null=True, blank=True)
    created_at = models.DateTimeField("登录时间", default=timezone.now)
    last_used_at = models.DateTimeField("最近使用", default=timezone.now)
    revoked_at = models.DateTimeField("注销时间", null=True, blank=True)
    revoke_reason = models.CharField("注销原因", max_length=32, blank=True)

    class Meta:
        verbose_name = "APP 登录设备"
        verbose_name_plural = "APP 登录设备"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()}·{self.device_id}"

    @property
    def owner_label(self) -> str:
        """Who signed in: the citizen's masked phone or the staff member's user name."""
        if self.kind == self.Kind.STAFF:
            return self.user.get_username() if self.user_id else ""
        return str(self.account) if self.account_id else ""


class AppSubmission(models.Model):
    """A submission made in the APP by a signed-in citizen (or claimed with its query code), so
    that they see it in the APP without the query code."""

    account = models.ForeignKey(
        AppAccount, on_delete=models.CASCADE, related_name="submissions", verbose_name="APP 用户"
    )
    submission = models.OneToOneField(
        "backend_bridge.Submission",
        on_delete=models.CASCADE,
        related_name="app",
        verbose_name="信访件",
    )
    created_at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "APP 提交记录"
        verbose_name_plural = "APP 提交记录"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.account_id}·{self.submission_id}"


class PushDevice(models.Model):
    """Where a citizen's device receives push notices: the vendor's push token."""

    account = models.ForeignKey(
        AppAccount, on_delete=models.CASCADE, related_name="push_devices", verbose_name="APP 用户"
    )
    device_id = models.CharField("设备标识", max_length=64)
    provider = models.CharField("推送服务", max_length=32)
    token = models.CharField("推送令牌", max_length=512)
    active = models.BooleanField("有效", default=True)
    updated_at = models.DateTimeField("更新时间", default=timezone.now)

    class Meta:
        verbose_name = "推送设备"
        verbose_name_plural = "推送设备"
        constraints = [
            models.UniqueConstraint(
                fields=["account", "device_id"], name="channels_push_device_once"
            )
        ]

    def __str__(self):
        return f"{self.provider}·{self.device_id}"


class PushMessage(models.Model):
    """One push notice of a status change to one device: written in the transaction that changed
    the status, leased and sent by the channels worker (``channels.app.push``)."""

    class State(models.TextChoices):
        PENDING = "pending", "待发送"
        SENT = "sent", "已发送"
        FAILED = "failed", "失败"

    device = models.ForeignKey(
        PushDevice, on_delete=models.CASCADE, related_name="messages", verbose_name="推送设备"
    )
    event = models.ForeignKey(
        "backend_bridge.StatusEvent", on_delete=models.CASCADE, verbose_name="状态变化"
    )
    title = models.CharField("标题", max_length=64)
    body = models.CharField("内容", max_length=256)
    data = models.JSONField("附加数据", default=dict)
    state = models.CharField("状态", max_length=16, choices=State, default=State.PENDING)
    attempts = models.PositiveIntegerField("尝试次数", default=0)
    last_error = models.TextField("失败原因", blank=True)
    next_attempt_at = models.DateTimeField("下次尝试", default=timezone.now, db_index=True)
    lease_token = models.CharField("租约", max_length=32, blank=True)
    lease_until = models.DateTimeField("租约到期", null=True, blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)

    class Meta:
        verbose_name = "APP 推送"
        verbose_name_plural = "APP 推送"
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(fields=["device", "event"], name="channels_push_once_per_event")
        ]

    def __str__(self):
        return f"{self.device}·{self.get_state_display()}"

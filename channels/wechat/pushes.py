"""An editor's push of several articles to an official account (多图文推送), and mass sending.

A push puts 1 to 8 live articles into one WeChat message, in the editor's order. It is either
published (发布: the articles appear on the account, no notification) or sent to every follower
(群发: ``message/mass/sendall``), which spends the account's mass-send quota: a service account
has 4 a month, a subscription account 1 a day (``WECHAT_MASS_SEND_QUOTA``). WeChat answers no
question about the remaining quota, so it is counted here from the pushes themselves; WeChat's
own refusal (45028) is reported in Chinese as well, never retried in a loop.

:func:`create_push` checks everything an editor can get wrong before anything is queued, then
writes the push, its articles and its one :class:`~channels.models.Delivery` in one transaction;
the WeChat channel (``channels.wechat.channel``) sends it like any publication, re-checking each
article with the sensitive-word gate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from wagtail.models import Page

from sensitive_words import gate

from .accounts import WeChatAccount, get_accounts
from .channel import WeChatChannel
from .publish import MAX_ARTICLES

#: kind -> (sends, period): WeChat's mass-send allowance per account kind.
DEFAULT_QUOTA = {"service": (4, "month"), "subscription": (1, "day")}
PERIOD_LABELS = {"month": "本月", "day": "今天"}


class PushInvalid(ValueError):
    """What stops a push, as Chinese sentences for the editor."""

    def __init__(self, errors: list[str]):
        super().__init__("；".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Quota:
    limit: int
    used: int
    period: str  # "month" or "day"
    resets_at: datetime

    @property
    def remaining(self) -> int:
        return max(self.limit - self.used, 0)

    def __str__(self) -> str:
        resets = timezone.localtime(self.resets_at).strftime("%Y-%m-%d %H:%M")
        return (
            f"{PERIOD_LABELS[self.period]}还可群发 {self.remaining} 次（共 {self.limit} 次，"
            f"{resets} 恢复）"
        )


def _period_start(period: str, now: datetime) -> tuple[datetime, datetime]:
    local = timezone.localtime(now)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "day":
        return start, start + timedelta(days=1)
    start = start.replace(day=1)
    following = (start + timedelta(days=32)).replace(day=1)
    return start, following


def mass_quota(account: WeChatAccount, now: datetime | None = None) -> Quota:
    """The account's mass sends in this period: every one queued, sending or sent counts (a
    failure counts only once WeChat took it: then the send was spent)."""
    from channels.models import Delivery, WeChatPush

    quotas = {**DEFAULT_QUOTA, **getattr(settings, "WECHAT_MASS_SEND_QUOTA", {})}
    limit, period = quotas.get(account.kind, DEFAULT_QUOTA["subscription"])
    start, end = _period_start(period, now or timezone.now())
    used = (
        WeChatPush.objects.filter(
            account=account.code, mode=WeChatPush.Mode.MASS_SEND, created_at__gte=start
        )
        .filter(
            Q(deliveries__state__in=[*Delivery.OPEN_STATES, Delivery.State.PUBLISHED])
            | Q(deliveries__progress__has_key="msg_id")
        )
        .distinct()
        .count()
    )
    return Quota(limit=limit, used=used, period=period, resets_at=end)


def accounts_for(user) -> list[WeChatAccount]:
    """The accounts ``user`` may push to: every one for a superuser; else those that the
    administrators made a channel of one of the user's portals (设置 → 发布渠道)."""
    from channels.models import ChannelTarget
    from channels.services import portal_roots, under

    accounts = get_accounts()
    if user.is_superuser:
        return accounts
    # One request asks this many times (the permission policy per menu item, action and row,
    # the form, its check): the answer is kept on the user object, which lives as long as the
    # request (or the delivery) does, like Wagtail's own permission caches on the user.
    key = tuple(accounts)
    cached = getattr(user, "_channels_push_accounts", None)
    if cached is not None and cached[0] == key:
        return list(cached[1])
    roots = portal_roots(user, "publish_page")
    fed = set()
    if roots:
        condition = under(roots, "columns__path")
        fed = set(
            ChannelTarget.objects.filter(condition, enabled=True).values_list("code", flat=True)
        )
    found = [account for account in accounts if f"wechat-{account.code}" in fed]
    user._channels_push_accounts = (key, found)
    return list(found)


def pushable_articles(user):
    """Live articles: what the push form can choose from; :func:`check` then asks Wagtail's own
    page permissions whether ``user`` may publish each one."""
    from cms.models import ArticlePage

    return ArticlePage.objects.live().order_by("-first_published_at")


def check(account: WeChatAccount, pages: list, mode: str, user) -> list[str]:
    """Every reason the push cannot be made, at once (empty: it can)."""
    from channels.models import WeChatPush

    errors = []
    if account.code not in {a.code for a in accounts_for(user)}:
        errors.append(f"您不能向“{account.name}”推送")
    if not pages:
        errors.append("请至少选择 1 篇文章")
    if len(pages) > MAX_ARTICLES:
        errors.append(f"一次最多推送 {MAX_ARTICLES} 篇文章，现有 {len(pages)} 篇")
    if len({page.pk for page in pages}) != len(pages):
        errors.append("同一篇文章不能选择两次")
    for number, page in enumerate(pages, start=1):
        where = f"第 {number} 篇《{page.title}》"
        if not page.live:
            errors.append(f"{where}尚未发布到门户网站")
            continue
        if not page.permissions_for_user(user).can_publish():
            errors.append(f"{where}：您没有发布这篇文章的权限")
            continue
        content = page.live_revision.as_object() if page.live_revision_id else page
        errors.extend(f"{where}{problem}" for problem in WeChatChannel.problems(content))
        verdict = gate.assess(content, gate.site_code_of(page))
        if not verdict.ok:
            errors.append(f"{where}未通过敏感词检查：{verdict.message()}")
    if mode == WeChatPush.Mode.MASS_SEND:
        quota = mass_quota(account)
        if not quota.remaining:
            errors.append(f"“{account.name}”的群发次数已用完：{quota}")
    return errors


def _lock_mass_send(account: WeChatAccount) -> None:
    """Hold the account's row until the calling transaction ends: the quota is counted and the
    send reserved by one transaction at a time (a second editor's waits, then counts the first
    one's send). Needs an open transaction."""
    from django.db import IntegrityError

    from channels.models import WeChatMassSendLock

    rows = WeChatMassSendLock.objects.select_for_update()
    if rows.filter(account=account.code).first() is not None:
        return
    try:
        with transaction.atomic():  # the first send of this account ever: create its row
            WeChatMassSendLock.objects.create(account=account.code)
    except IntegrityError:  # created by the other transaction at the same instant
        pass
    rows.filter(account=account.code).first()  # and take the lock


def create_push(account: WeChatAccount, pages: list, mode: str, user):
    """Queue a push of ``pages`` (in this order); raises :class:`PushInvalid`. A mass send's
    quota check and its reservation happen under the account's row lock (``_lock_mass_send``)."""
    from channels import services
    from channels.models import Delivery, WeChatPush, WeChatPushItem

    pages = [page.specific if isinstance(page, Page) else page for page in pages]
    with transaction.atomic():
        if mode == WeChatPush.Mode.MASS_SEND:
            _lock_mass_send(account)
        errors = check(account, pages, mode, user)
        if errors:
            raise PushInvalid(errors)
        push = WeChatPush.objects.create(account=account.code, mode=mode, created_by=user)
        WeChatPushItem.objects.bulk_create(
            WeChatPushItem(push=push, position=n, page=page, revision=page.live_revision)
            for n, page in enumerate(pages, start=1)
        )
        Delivery.objects.create(
            page=pages[0],
            revision=pages[0].live_revision,
            site_code=gate.site_code_of(pages[0]),
            channel=f"wechat-{account.code}",
            action=Delivery.Action.PUBLISH,
            push=push,
            requested_by=user,
        )
        transaction.on_commit(services.kick)
    return push

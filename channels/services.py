"""The publication fan-out: which channels a page goes to, the delivery outbox and its worker.

Writing: when a page goes live, is updated or is unpublished, :func:`fan_out` writes one
:class:`~channels.models.Delivery` per channel in the publishing transaction (an older delivery
of the same page to the same channel that has not been sent yet is superseded: only the newest
revision goes out). After the commit a task asks a worker to deliver.

Delivering: :func:`claim` leases due deliveries with the project's one outbox lease
(``backend_bridge.services.outbox.lease_rows``), :func:`deliver` re-checks the revision with the
sensitive-words gate on the page's own portal, calls the channel and records the outcome.
Temporary failures wait with exponential backoff; permanent ones keep their reason in Chinese
until an editor retries. A worker that dies leaves a lease that expires; the next worker takes
the delivery again, and the channel resumes from what it recorded (``Delivery.record``).
"""

from __future__ import annotations

import logging
import random
import uuid
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from backend_bridge.services.outbox import lease_rows, renew_lease
from sensitive_words import gate

from .base import DeliveryError, PermanentFailure, get_channel, get_channels
from .models import ChannelTarget, Delivery

logger = logging.getLogger(__name__)

State = Delivery.State
Action = Delivery.Action


def _setting(name: str, default):
    return getattr(settings, name, default)


# --- whose portals ---------------------------------------------------------------------------


def portal_roots(user, permission: str) -> list[str]:
    """Tree paths of the portals where ``user`` holds ``permission`` (e.g. "publish_page")."""
    from wagtail.models import GroupPagePermission

    return list(
        GroupPagePermission.objects.filter(
            group__user=user, permission__codename=permission
        ).values_list("page__path", flat=True)
    )


def under(paths: list[str], field: str = "path") -> Q:
    """Rows whose ``field`` (a tree path) lies under one of ``paths``."""
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(**{f"{field}__startswith": path})
    return condition


# --- which channels -------------------------------------------------------------------------


def sync_targets() -> dict[str, ChannelTarget]:
    """One :class:`ChannelTarget` per configured channel (labels follow the configuration)."""
    targets = {t.code: t for t in ChannelTarget.objects.all()}
    for code, channel in get_channels().items():
        target = targets.get(code)
        if target is None:
            targets[code] = ChannelTarget.objects.create(
                code=code, label=channel.label, kind=channel.kind
            )
        elif (target.label, target.kind) != (channel.label, channel.kind):
            target.label, target.kind = channel.label, channel.kind
            target.save(update_fields=["label", "kind", "updated_at"])
    return {code: t for code, t in targets.items() if code in get_channels()}


def channels_for(page) -> list:
    """The channels ``page`` goes to: its own choice in “发布渠道”, else its columns' defaults."""
    configured = get_channels()
    if not configured:
        return []
    mode = getattr(page, "channel_mode", "default")
    if mode == "none":
        return []
    if mode == "custom":
        codes = set(page.channel_targets.values_list("code", flat=True))
    else:
        ancestors = page.get_ancestors().values("pk")
        codes = set(
            ChannelTarget.objects.filter(enabled=True, columns__in=ancestors).values_list(
                "code", flat=True
            )
        )
        # Channels that carry every column (the APP mirrors the portals) need no column list.
        codes |= {code for code, c in configured.items() if getattr(c, "every_column", False)}
    enabled = set(ChannelTarget.objects.filter(enabled=True).values_list("code", flat=True))
    return [c for code, c in configured.items() if code in codes & enabled and c.accepts(page)]


# --- writing --------------------------------------------------------------------------------


def _live_on(page) -> set[str]:
    """Channels where the page is out now: their latest finished delivery published it."""
    latest: dict[str, str] = {}
    finished = Delivery.objects.filter(
        page=page, state__in=[State.PUBLISHED, State.WITHDRAWN], push__isnull=True
    )
    for channel, state in finished.order_by("-finished_at", "-pk").values_list("channel", "state"):
        latest.setdefault(channel, state)
    return {channel for channel, state in latest.items() if state == State.PUBLISHED}


#: (page id, channel codes) that the unpublication being made leaves alone (the editor
#: unticked them on the confirmation); cleared after it and at the end of every request.
_kept_on: ContextVar[tuple[int, frozenset[str]] | None] = ContextVar("channels_kept", default=None)


def _pushed_in(page):
    """Editors' pushes (多图文推送) that put ``page`` out and still hold it."""
    from .models import WeChatPushItem

    return (
        WeChatPushItem.objects.filter(
            page=page,
            withdrawn_at__isnull=True,
            push__deliveries__state=State.PUBLISHED,
            push__deliveries__action=Action.PUBLISH,
        )
        .select_related("push")
        .distinct()
    )


def published_on(page) -> list[tuple[str, str]]:
    """(code, label) of where ``page`` is out now: configured channels, and editors' pushes
    (code ``push-<id>``)."""
    live_on = _live_on(page)
    channels = get_channels()
    out = [(code, c.label) for code, c in channels.items() if code in live_on]
    for item in _pushed_in(page):
        channel = channels.get(f"wechat-{item.push.account}")
        if channel is not None:
            out.append(
                (f"push-{item.push_id}", f"{channel.label}（多图文推送第 {item.position} 篇）")
            )
    return out


def keep_on(page, codes) -> None:
    """The next unpublication of ``page`` in this request does not withdraw from ``codes``."""
    _kept_on.set((page.pk, frozenset(codes)))


def stop_keeping(**kwargs) -> None:
    _kept_on.set(None)


def _kept_for(page) -> frozenset[str]:
    kept = _kept_on.get()
    return kept[1] if kept and kept[0] == page.pk else frozenset()


def fan_out(page, action: str, revision=None, user=None) -> list[Delivery]:
    """Write the deliveries of one publishing event; call inside the publishing transaction.

    ``action`` is publish or withdraw; a publication of a page already out on a channel is an
    update there, which channels that cannot edit what they published (WeChat) do not take.
    """
    if not get_channels():
        return []
    page = page.specific
    live_on = _live_on(page)
    if action == Action.WITHDRAW:
        kept = _kept_for(page)
        plan = [
            (c, Action.WITHDRAW, None)
            for code, c in get_channels().items()
            if code in live_on and code not in kept
        ]
        for item in _pushed_in(page):
            channel = get_channel(f"wechat-{item.push.account}")
            if channel is not None and f"push-{item.push_id}" not in kept:
                plan.append((channel, Action.WITHDRAW, item.push))
    else:
        plan = [
            (c, Action.UPDATE if c.code in live_on else Action.PUBLISH, None)
            for c in channels_for(page)
        ]
        plan = [(c, a, p) for c, a, p in plan if a == Action.PUBLISH or c.republishes_updates]
    site = gate.site_code_of(page)
    created = []
    for channel, channel_action, push in plan:
        Delivery.objects.filter(
            page=page, channel=channel.code, state=State.PENDING, lease_token="", push=push
        ).update(state=State.SUPERSEDED, finished_at=timezone.now())
        created.append(
            Delivery.objects.create(
                page=page,
                revision=revision,
                site_code=site,
                channel=channel.code,
                action=channel_action,
                push=push,
                requested_by=user if getattr(user, "is_authenticated", False) else None,
            )
        )
    if created:
        transaction.on_commit(kick)
    return created


def kick() -> None:
    """Ask a task worker to drain the outbox (the immediate backend drains it at once)."""
    from .tasks import deliver_due

    try:
        deliver_due.enqueue()
    except Exception:  # noqa: BLE001 - the worker command and the next kick deliver it anyway
        logger.exception("channels: could not enqueue the delivery task")


def retry(delivery: Delivery) -> Delivery:
    """An editor's retry: a failed delivery is due again now, with its progress kept."""
    if delivery.state != State.FAILED:
        raise ValueError("只有发送失败的记录可以重试")
    Delivery.objects.filter(pk=delivery.pk, state=State.FAILED).update(
        state=State.PENDING, next_attempt_at=timezone.now(), last_error="", lease_token=""
    )
    transaction.on_commit(kick)
    delivery.refresh_from_db()
    return delivery


def republish(page, channel_code: str, user=None) -> Delivery:
    """An editor's explicit republication of the live version to a channel that cannot edit
    what it published (WeChat): a new publication, after which the channel removes the one it
    replaces (``progress["replaces"]``)."""
    page = page.specific
    channel = get_channel(channel_code)
    if channel is None or not page.live:
        raise ValueError("页面未发布或渠道已不在配置中，不能重新发布")
    current = (
        Delivery.objects.filter(
            page=page, channel=channel_code, state=State.PUBLISHED, push__isnull=True
        )
        .exclude(action=Action.WITHDRAW)
        .order_by("-finished_at", "-pk")
        .first()
    )
    if current is None or channel_code not in _live_on(page):
        raise ValueError("该渠道中没有已发布的版本，无需重新发布")
    if Delivery.objects.filter(
        page=page, channel=channel_code, state__in=Delivery.OPEN_STATES, push__isnull=True
    ):
        raise ValueError("该渠道已有正在发送的版本，请等待发送完成")
    delivery = Delivery.objects.create(
        page=page,
        revision=page.live_revision,
        site_code=gate.site_code_of(page),
        channel=channel_code,
        action=Action.PUBLISH,
        progress={"replaces": current.remote_id},
        requested_by=user if getattr(user, "is_authenticated", False) else None,
    )
    transaction.on_commit(kick)
    return delivery


# --- claiming -------------------------------------------------------------------------------


def lease_seconds() -> int:
    return _setting("CHANNELS_LEASE_SECONDS", 300)


def _due(now):
    return Delivery.objects.filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now),
        state__in=Delivery.OPEN_STATES,
        next_attempt_at__lte=now,
    )


def claim(batch: int = 10, *, now=None) -> tuple[str, list[int]]:
    """Lease up to ``batch`` due deliveries to this caller: (lease token, ids)."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    lease = {
        "lease_token": token,
        "lease_until": now + timedelta(seconds=lease_seconds()),
        "state": State.SENDING,
    }
    return token, lease_rows(_due(now), batch, lease)


# --- delivering -----------------------------------------------------------------------------


def backoff_seconds(attempts: int) -> float:
    """60 s, 120 s, 240 s … capped at CHANNELS_BACKOFF_MAX_SECONDS, with ±10 % jitter."""
    base = _setting("CHANNELS_BACKOFF_BASE_SECONDS", 60) * (2 ** min(max(attempts - 1, 0), 20))
    return min(base, _setting("CHANNELS_BACKOFF_MAX_SECONDS", 3600)) * random.uniform(0.9, 1.1)


def max_attempts() -> int:
    return _setting("CHANNELS_MAX_ATTEMPTS", 8)


def deliver(delivery_id: int, token: str) -> str:
    """Send one leased delivery; returns its new state. Only the lease holder writes results."""
    delivery = Delivery.objects.select_related("revision", "page").get(pk=delivery_id)
    if delivery.lease_token != token:
        return delivery.state
    channel = get_channel(delivery.channel)
    delivery.attempts += 1
    try:
        if channel is None:
            raise PermanentFailure(f"渠道“{delivery.channel}”已不在配置中")
        if delivery.action == Action.WITHDRAW:
            channel.withdraw(delivery)
        else:
            # Nothing reaches a channel that the portal should not have published.
            for content in delivery.contents():
                verdict = gate.assess(content, gate.site_code_of(content) or delivery.site_code)
                if not verdict.ok:
                    where = f"《{content.title}》" if delivery.push_id else ""
                    raise PermanentFailure(f"{where}敏感词检查未通过，未发送：{verdict.message()}")
            channel.deliver(delivery)
    except DeliveryError as error:
        return _failed(delivery, token, error)
    except Exception as error:  # noqa: BLE001 - an unexpected error is retried, never lost
        logger.exception("channels: delivery %s to %s crashed", delivery.pk, delivery.channel)
        return _failed(delivery, token, DeliveryError(f"系统错误：{type(error).__name__}"))
    state = State.WITHDRAWN if delivery.action == Action.WITHDRAW else State.PUBLISHED
    _finish(delivery, token, state=state, last_error="", finished_at=timezone.now())
    return state


def _failed(delivery: Delivery, token: str, error: DeliveryError) -> str:
    permanent = not error.temporary or delivery.attempts >= max_attempts()
    message = error.message
    if error.temporary and permanent:
        message = f"{message}（已重试 {delivery.attempts} 次，请检查后重试）"
    if permanent:
        _finish(delivery, token, state=State.FAILED, last_error=message)
        return State.FAILED
    wait = (
        error.retry_after if error.retry_after is not None else backoff_seconds(delivery.attempts)
    )
    _finish(
        delivery,
        token,
        state=State.PENDING,
        last_error=message,
        next_attempt_at=timezone.now() + timedelta(seconds=wait),
    )
    return State.PENDING


def _finish(delivery: Delivery, token: str, **fields) -> None:
    fields.update(
        attempts=delivery.attempts,
        progress=delivery.progress,
        remote_id=delivery.remote_id,
        remote_url=delivery.remote_url,
        lease_token="",
        lease_until=None,
        updated_at=timezone.now(),
    )
    updated = Delivery.objects.filter(pk=delivery.pk, lease_token=token).update(**fields)
    if updated and fields.get("state") in (State.PUBLISHED, State.WITHDRAWN, State.FAILED):
        from .signals import delivery_finished

        delivery_finished.send(
            Delivery, delivery=delivery, state=fields["state"], error=fields.get("last_error", "")
        )


@dataclass
class RunStats:
    claimed: int = 0
    published: int = 0
    failed: int = 0
    waiting: int = 0


def run_once(batch: int = 10) -> RunStats:
    """Claim and deliver one batch (the task and the worker command both call this)."""
    stats = RunStats()
    token, ids = claim(batch)
    stats.claimed = len(ids)
    for position, pk in enumerate(ids):
        renew_lease(Delivery, token, ids[position:], lease_seconds())
        state = deliver(pk, token)
        if state in (State.PUBLISHED, State.WITHDRAWN):
            stats.published += 1
        elif state == State.FAILED:
            stats.failed += 1
        else:
            stats.waiting += 1
    return stats


# --- reporting ------------------------------------------------------------------------------


def problems(now=None):
    """Deliveries an editor or operator must look at: failed, or stuck past their lease."""
    now = now or timezone.now()
    stuck_after = now - timedelta(seconds=_setting("CHANNELS_STUCK_SECONDS", 1800))
    return Delivery.objects.filter(
        Q(state=State.FAILED)
        | Q(state=State.SENDING, lease_until__lt=now)
        | Q(state=State.PENDING, created_at__lt=stuck_after)
    )

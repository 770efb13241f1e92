"""Sending subscribe messages (订阅消息) from the ``Notice`` outbox.

``send_due(batch)`` leases due rows with the project's ``lease_rows`` (``FOR UPDATE SKIP
LOCKED`` on PostgreSQL, so several workers on several hosts never take the same row), records
the attempt, then calls ``message/subscribe/send`` through wechatpy's ``WeChatWxa``. Busy or
unreachable WeChat is retried with backoff; a refusal (43101 the diner did not agree or
revoked, 40037 bad template, 40003 bad OpenID …) is final and recorded with its reason; a call
whose answer never came (timeout, crash with an expired lease) is not repeated: 结果未知.
A reminder for a meal that was cancelled, or that the diner has already ordered, is skipped.
``send_due`` runs from the ``mp_send_notices`` timer and from the task
``mini_programs.tasks.send_due_notices``, kicked after a meal's cancellation commits.
"""

from __future__ import annotations

import logging
import random
import uuid
from datetime import timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from backend_bridge.services.outbox import lease_rows

from ..models import Notice, Order
from ..wechat import WeChatError, WeChatTimeoutError, mini_program_client
from .config import get_config

logger = logging.getLogger(__name__)
State = Notice.State
VALUE_LIMITS = {"thing": 20, "phrase": 5, "character_string": 32, "name": 10, "number": 32}
MAX_ATTEMPTS = 6
UNKNOWN_REASON = (
    "发送时未得到微信的答复（超时或进程中断），无法确认是否已送达；为避免重复通知，不再重发"
)


def _lease_seconds() -> int:
    return int(getattr(settings, "MP_NOTICE_LEASE_SECONDS", 120))


def _value(key: str, text: str) -> str:
    kind = key.rstrip("0123456789")
    limit = VALUE_LIMITS.get(kind, 20)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def message_data(notice: Notice, template: dict) -> dict:
    meal = notice.meal
    values = {
        "meal": str(meal),
        "cutoff": f"{timezone.localtime(meal.cutoff_at):%Y-%m-%d %H:%M}",
        "reason": meal.cancel_reason or "食堂停止供应",
        "name": notice.diner.name,
    }
    return {key: {"value": _value(key, text.format(**values))} for key, text in template.items()}


def _expire_leases(now) -> int:
    """Rows whose worker died during the call: the message may have gone out."""
    return Notice.objects.filter(state=State.SENDING, lease_until__lt=now).update(
        state=State.UNKNOWN, last_error=UNKNOWN_REASON, lease_token=""
    )


def send_due(batch: int = 50, *, now=None) -> dict[str, int]:
    """Send up to ``batch`` due notices; returns counts per resulting state."""
    now = now or timezone.now()
    counts = {"unknown": _expire_leases(now)}
    token = uuid.uuid4().hex
    due = Notice.objects.filter(state=State.PENDING, next_attempt_at__lte=now)
    ids = lease_rows(
        due,
        batch,
        {
            "state": State.SENDING,
            "lease_token": token,
            "lease_until": now + timedelta(seconds=_lease_seconds()),
            "attempts": F("attempts") + 1,
        },
    )
    if not ids:
        return counts
    config = get_config()
    client = mini_program_client()
    for notice in Notice.objects.filter(pk__in=ids, lease_token=token).select_related(
        "meal", "diner"
    ):
        state = _send_one(client, config, notice, now)
        counts[state] = counts.get(state, 0) + 1
    return counts


def _finish(notice: Notice, state: str, error: str = "", **extra) -> str:
    Notice.objects.filter(pk=notice.pk).update(
        state=state, last_error=error[:300], lease_token="", lease_until=None, **extra
    )
    return state


def _send_one(client, config, notice: Notice, now) -> str:
    if notice.kind == Notice.Kind.REMINDER:
        if notice.meal.cancelled:
            return _finish(notice, State.SKIPPED, "餐次已取消")
        ordered = Order.objects.filter(
            Q(diner=notice.diner, meal=notice.meal, status=Order.Status.ACTIVE)
        ).exists()
        if ordered:
            return _finish(notice, State.SKIPPED, "已订餐，无需提醒")
    if notice.app_id != config.app_id:
        return _finish(notice, State.SKIPPED, "小程序 AppID 已变更，原 OpenID 不再有效")
    template = config.template(notice.kind)
    if template is None:
        return _finish(notice, State.SKIPPED, "未配置订阅消息模板")
    template_id, data = template
    try:
        client.wxa.send_subscribe_message(
            notice.openid, template_id, message_data(notice, data), page="pages/index/index"
        )
    except WeChatTimeoutError:
        return _finish(notice, State.UNKNOWN, UNKNOWN_REASON)
    except WeChatError as error:
        if error.temporary and notice.attempts < MAX_ATTEMPTS:
            delay = 60 * 2 ** (notice.attempts - 1) * random.uniform(0.9, 1.1)
            return _finish(
                notice, State.PENDING, str(error), next_attempt_at=now + timedelta(seconds=delay)
            )
        logger.info("Subscribe message %s refused: %s", notice.pk, error)
        return _finish(notice, State.FAILED, str(error))
    return _finish(notice, State.SENT, sent_at=now)

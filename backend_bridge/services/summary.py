"""The daily summary of failing and stuck outbox items for administrators (bridge_summary)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.utils import timezone

from .outbox import problem_items

STUCK_AFTER = timedelta(hours=1)


def recipients() -> list[str]:
    """BRIDGE_SUMMARY_RECIPIENTS, or else every active superuser with an e-mail address."""
    if settings.BRIDGE_SUMMARY_RECIPIENTS:
        return list(settings.BRIDGE_SUMMARY_RECIPIENTS)
    users = get_user_model().objects.filter(is_superuser=True, is_active=True).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


def build() -> tuple[str, str, int]:
    """(subject, body, number of problem items)."""
    items = list(problem_items(STUCK_AFTER))
    now = timezone.localtime()
    lines = [
        f"统计时间：{now:%Y-%m-%d %H:%M}",
        f"未送达案件系统且失败过或滞留超过1小时的消息：{len(items)} 条",
        "",
    ]
    for item in items[:200]:
        waited = now - timezone.localtime(item.created_at)
        lines.append(
            f"- #{item.pk} {item.get_kind_display()}｜{item.submission.portal.name}｜"
            f"已等待 {waited.days} 天 {waited.seconds // 3600} 小时｜失败 {item.attempts} 次｜"
            f"原因：{item.last_error[:200] or '（尚未尝试）'}"
        )
    if len(items) > 200:
        lines.append(f"……另有 {len(items) - 200} 条，请在后台“互动交流 › 待发送消息”查看。")
    lines += ["", "处理：后台“互动交流 › 待发送消息”可逐条或全部立即重试；消息不会被丢弃。"]
    subject = f"[互动交流] 待发送消息日报：{len(items)} 条异常"
    return subject, "\n".join(lines), len(items)


def send(always: bool = False) -> int:
    """Send the summary (only when something is wrong, unless ``always``); returns item count."""
    subject, body, count = build()
    to = recipients()
    if to and (count or always):
        send_mail(subject, body, None, to)
    return count

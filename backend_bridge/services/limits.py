"""The legal time limits of a petition (信访工作条例) and whether they are being met.

- 受理: the decision to accept is due within 15 days of the submission;
- 办理: handling is due within 60 days of acceptance, plus any extension (at most 30 days);
- 复查: after the reply, the citizen may request a review within 30 days.

A reply given without a separate acceptance (leader messages and suggestions are often answered
directly) counts as the decision: no limit then says that a decision is still awaited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from backend_bridge.models import Status, Submission

ACCEPT_DAYS = 15
HANDLE_DAYS = 60
MAX_EXTENSION_DAYS = 30
REVIEW_WINDOW_DAYS = 30


@dataclass
class TimeLimit:
    label: str
    due: datetime | None
    state: str  # met / pending / overdue / open / expired / na
    text: str

    @property
    def is_met(self) -> bool | None:
        return {"met": True, "overdue": False}.get(self.state)


def _date(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y年%m月%d日")


def time_limits(submission: Submission, now: datetime | None = None) -> list[TimeLimit]:
    now = now or timezone.now()
    limits = []

    accept_due = submission.created_at + timedelta(days=ACCEPT_DAYS)
    decided_at = submission.accepted_at or (
        submission.closed_at if submission.status == Status.NOT_ACCEPTED else None
    )
    # An answer given without a separate 受理 step (usual for leader messages and suggestions)
    # is the decision: the citizen must not read that one is still awaited.
    answered_at = None
    if not decided_at and submission.status in (Status.REPLIED, Status.CLOSED):
        answered_at = submission.replied_at or submission.closed_at
    if answered_at:
        state = "met" if answered_at <= accept_due else "overdue"
        text = f"已于{_date(answered_at)}直接答复，无需另作受理决定" + (
            "，在期限内。" if state == "met" else "，晚于受理期限。"
        )
    elif decided_at:
        state = "met" if decided_at <= accept_due else "overdue"
        text = f"已于{_date(decided_at)}作出受理决定" + (
            "，在期限内。" if state == "met" else "，已超过期限。"
        )
    elif now > accept_due:
        state, text = "overdue", f"应于{_date(accept_due)}前决定是否受理，已超期。"
    else:
        state, text = "pending", f"应于{_date(accept_due)}前决定是否受理。"
    limits.append(TimeLimit("受理期限（15日）", accept_due, state, text))

    if submission.accepted_at:
        extension = min(submission.extension_days, MAX_EXTENSION_DAYS)
        handle_due = submission.accepted_at + timedelta(days=HANDLE_DAYS + extension)
        label = f"办理期限（60日{f'，延长{extension}日' if extension else ''}）"
        done_at = submission.replied_at or submission.closed_at
        if done_at:
            state = "met" if done_at <= handle_due else "overdue"
            text = f"已于{_date(done_at)}出具处理意见" + (
                "，在期限内。" if state == "met" else "，已超过期限。"
            )
        elif now > handle_due:
            state, text = "overdue", f"应于{_date(handle_due)}前办结，已超期。"
        else:
            state, text = "pending", f"应于{_date(handle_due)}前办结。"
        limits.append(TimeLimit(label, handle_due, state, text))
    elif answered_at:
        limits.append(TimeLimit("办理期限（60日）", None, "met", f"已于{_date(answered_at)}答复。"))
    elif submission.status != Status.NOT_ACCEPTED:
        limits.append(
            TimeLimit(
                "办理期限（60日）",
                None,
                "na",
                "自受理之日起60日内办结，情况复杂的可延长不超过30日。",
            )
        )

    if submission.replied_at:
        review_due = submission.replied_at + timedelta(days=REVIEW_WINDOW_DAYS)
        if now <= review_due:
            state, text = "open", f"对处理意见不服的，可于{_date(review_due)}前请求复查。"
        else:
            state, text = "expired", f"请求复查的期限已于{_date(review_due)}届满。"
        limits.append(TimeLimit("复查申请期限（30日）", review_due, state, text))
    return limits


def overdue_q(now: datetime | None = None):
    """Submissions past a time limit of :func:`time_limits`, as a query: not decided within the
    15 days, or accepted and not replied or closed within 60 days plus their extension."""
    from django.db.models import Q

    now = now or timezone.now()
    undecided = Q(accepted_at__isnull=True, created_at__lt=now - timedelta(days=ACCEPT_DAYS)) & ~Q(
        status=Status.NOT_ACCEPTED
    )
    unfinished = Q(accepted_at__isnull=False, replied_at__isnull=True, closed_at__isnull=True)
    late = Q(pk__in=[])
    # One condition per extension length (0–30 days): portable arithmetic on every database.
    for extension in range(MAX_EXTENSION_DAYS + 1):
        days = HANDLE_DAYS + extension
        condition = Q(accepted_at__lt=now - timedelta(days=days))
        if extension == MAX_EXTENSION_DAYS:
            late |= condition & Q(extension_days__gte=extension)
        else:
            late |= condition & Q(extension_days=extension)
    return undecided | (unfinished & late)

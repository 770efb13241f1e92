"""What a citizen does after a lookup: evaluate the reply (once) and add follow-ups (追加).

Both are stored and queued for the case system in one transaction; the outbox keeps them in
order behind the submission itself.
"""

from __future__ import annotations

from django.db import transaction

from backend_bridge.models import (
    EVALUABLE_STATUSES,
    FINAL_STATUSES,
    Evaluation,
    FollowUp,
    OutboxItem,
    Submission,
)

from . import outbox
from .errors import InvalidInput, NotAllowed
from .screening import screen
from .submission import _clean_text

MAX_REASON = 1000
MAX_FOLLOW_UP = 2000


def evaluate(submission: Submission, rating: str, reason: str = "") -> Evaluation:
    reason = _clean_text(reason)
    errors: dict[str, list[str]] = {}  # every error at once
    if rating not in Evaluation.Rating.values:
        errors["rating"] = ["请选择满意、基本满意或不满意。"]
    if rating == Evaluation.Rating.DISSATISFIED and not reason:
        errors["reason"] = ["选择“不满意”时请填写理由。"]
    if len(reason) > MAX_REASON:
        errors["reason"] = [f"理由不能超过 {MAX_REASON} 个字。"]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        if locked.status not in EVALUABLE_STATUSES:
            raise NotAllowed("not_replied", "该事项尚未答复，答复后才能评价。")
        if Evaluation.objects.filter(submission=locked).exists():
            raise NotAllowed("already_evaluated", "该事项已经评价过，每件事项只能评价一次。")
        evaluation = Evaluation.objects.create(submission=locked, rating=rating, reason=reason)
        outbox.enqueue(locked, OutboxItem.Kind.EVALUATION, evaluation.pk)
    return evaluation


def add_follow_up(submission: Submission, content: str) -> FollowUp:
    content = _clean_text(content)
    if len(content) < 5:
        raise InvalidInput({"content": ["请填写追加内容（至少5个字）。"]})
    if len(content) > MAX_FOLLOW_UP:
        raise InvalidInput({"content": [f"追加内容不能超过 {MAX_FOLLOW_UP} 个字。"]})
    screening = screen(content, submission.portal.code)
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        if locked.status in FINAL_STATUSES:
            raise NotAllowed("closed", "该事项已办结，不能再追加；如有新的诉求，请重新提交。")
        follow_up = FollowUp.objects.create(
            submission=locked, content=content, needs_moderation=screening.needs_moderation
        )
        outbox.enqueue(locked, OutboxItem.Kind.FOLLOW_UP, follow_up.pk)
    return follow_up

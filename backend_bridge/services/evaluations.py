"""Citizens' satisfaction evaluations (满意度评价) for staff: the list of one's own portals'
evaluations filtered by portal, month and rating, the counts and satisfaction rate (满意 and
基本满意 over all evaluated, as the statistics count it), and the XLSX export.

Seen by the handling roles (受理, 办理) of the portal and superusers, like the case inbox
(``services.inbox.submissions_for``). No personal data is listed or exported.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Count, QuerySet
from django.utils import timezone

from backend_bridge.models import Evaluation

from . import inbox

EXPORT_LIMIT = 50_000


@dataclass(frozen=True)
class EvaluationFilter:
    portal_id: int | None = None
    month: date | None = None  # the first day of the month
    rating: str = ""

    def describe(self) -> dict:
        return {
            "portal": self.portal_id,
            "month": self.month.strftime("%Y-%m") if self.month else "",
            "rating": self.rating,
        }


def evaluations_for(user) -> QuerySet[Evaluation]:
    """The evaluations of the submissions the user may see in the inbox."""
    return (
        Evaluation.objects.filter(submission__in=inbox.submissions_for(user))
        .select_related("submission__portal")
        .order_by("-created_at", "-id")
    )


def _month_range(month: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(month.replace(day=1), time.min))
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return start, timezone.make_aware(datetime.combine(following, time.min))


def filtered(user, chosen: EvaluationFilter) -> QuerySet[Evaluation]:
    queryset = evaluations_for(user)
    if chosen.portal_id:
        queryset = queryset.filter(submission__portal_id=chosen.portal_id)
    if chosen.month:
        start, end = _month_range(chosen.month)
        queryset = queryset.filter(created_at__gte=start, created_at__lt=end)
    if chosen.rating:
        queryset = queryset.filter(rating=chosen.rating)
    return queryset


def summary(queryset: QuerySet[Evaluation]) -> dict:
    counts = dict(
        queryset.order_by().values("rating").annotate(n=Count("pk")).values_list("rating", "n")
    )
    total = sum(counts.values())
    satisfied = counts.get(Evaluation.Rating.SATISFIED, 0) + counts.get(
        Evaluation.Rating.BASICALLY_SATISFIED, 0
    )
    return {
        "total": total,
        "ratings": [(label, counts.get(value, 0)) for value, label in Evaluation.Rating.choices],
        "satisfaction": round(100 * satisfied / total, 1) if total else None,
    }


EXPORT_HEADER = ("评价时间", "门户", "类别", "标题", "信访件编号", "办理状态", "评价", "理由")


def export_xlsx(queryset: QuerySet[Evaluation]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("满意度评价")
    sheet.append(EXPORT_HEADER)
    for evaluation in queryset[:EXPORT_LIMIT].iterator(chunk_size=2000):
        submission = evaluation.submission
        sheet.append(
            [
                timezone.localtime(evaluation.created_at).strftime("%Y-%m-%d %H:%M"),
                submission.portal.name,
                submission.get_kind_display(),
                _cell(submission.title),
                submission.case_number,
                submission.get_status_display(),
                evaluation.get_rating_display(),
                _cell(evaluation.reason),
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value: str) -> str:
    # Citizens' text: a leading = + - @ would make a spreadsheet run it as a formula.
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value

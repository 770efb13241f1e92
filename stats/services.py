"""The figures of the statistics page and of the national reports, from the system's own records.

Every front door (the admin's statistics page, its XLSX export, `annual_report`,
`quarterly_report`) asks these functions, so a figure in a report is the figure on the page.
A ``Scope`` says which portals (all 15, or one), which period and, where it applies, which
channel and column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from backend_bridge.models import (
    Evaluation,
    Kind,
    Publication,
    Source,
    Status,
    Submission,
    SuggestionCampaign,
)
from sites.models import Portal
from sites.registry import group_name

STAT_ROLES = ("admin",)  # a portal's 管理员 sees its statistics; the regional one sees all
ANSWERED = (Status.REPLIED, Status.CLOSED)
ACCEPTED = (
    Status.ACCEPTED,
    Status.TRANSFERRED,
    Status.HANDLING,
    Status.EXTENDED,
    Status.REPLIED,
    Status.CLOSED,
)


def visible_portals(user):
    """The portals whose statistics the user may see."""
    portals = Portal.objects.select_related("site").order_by("sort_order", "pk")
    if user.is_superuser:
        return portals
    names = set(user.groups.values_list("name", flat=True))
    own = [p for p in portals if any(group_name(p.name, r) in names for r in STAT_ROLES)]
    if any(p.is_regional for p in own):
        return portals
    return portals.filter(pk__in=[p.pk for p in own])


@dataclass
class Scope:
    portals: list  # sites.Portal
    start: date
    end: date  # inclusive
    source: str = ""  # backend_bridge Source value, "" for every channel
    column_id: int | None = None
    months: list = field(init=False)

    def __post_init__(self):
        self.months = months_between(self.start, self.end)

    @property
    def site_ids(self):
        return [p.site_id for p in self.portals]

    @property
    def portal_ids(self):
        return [p.pk for p in self.portals]

    def aware_range(self):
        tz = timezone.get_current_timezone()
        start = timezone.datetime.combine(self.start, timezone.datetime.min.time(), tz)
        end = timezone.datetime.combine(
            self.end + timedelta(days=1), timezone.datetime.min.time(), tz
        )
        return start, end


def months_between(start: date, end: date) -> list[str]:
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def year_scope(portals, year: int) -> Scope:
    return Scope(list(portals), date(year, 1, 1), date(year, 12, 31))


def quarter_scope(portals, year: int, quarter: int) -> Scope:
    first = 3 * (quarter - 1) + 1
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, first + 3, 1)
    return Scope(list(portals), date(year, first, 1), end - timedelta(days=1))


def _by_month(rows, key="month", value="n") -> dict[str, int]:
    return {row[key].strftime("%Y-%m"): row[value] for row in rows if row[key]}


# --- traffic -----------------------------------------------------------------------------------


def traffic(scope: Scope) -> dict:
    """Page views and unique visitors; per month and the most read pages."""
    from django.db.models.functions import TruncMonth
    from wagtail.models import Page

    from stats.models import DailyVisitors, PageViewDaily, VisitorDigest

    views = PageViewDaily.objects.filter(
        site_id__in=scope.site_ids, day__gte=scope.start, day__lte=scope.end
    )
    if scope.column_id:
        column = Page.objects.filter(pk=scope.column_id).first()
        views = views.filter(Q(page__path__startswith=column.path) if column else Q(pk__in=[]))
    per_month = _by_month(
        views.annotate(month=TruncMonth("day")).values("month").annotate(n=Sum("views"))
    )
    rolled = DailyVisitors.objects.filter(
        site_id__in=scope.site_ids, day__gte=scope.start, day__lte=scope.end
    )
    visitors_month = _by_month(
        rolled.annotate(month=TruncMonth("day")).values("month").annotate(n=Sum("visitors"))
    )
    # Days not rolled up yet (today, or before the timer ran) still hold their digests.
    live = (
        VisitorDigest.objects.filter(
            site_id__in=scope.site_ids, day__gte=scope.start, day__lte=scope.end
        )
        .annotate(month=TruncMonth("day"))
        .values("month")
        .annotate(n=Count("pk"))
    )
    for month, n in _by_month(live).items():
        visitors_month[month] = visitors_month.get(month, 0) + n
    top = list(
        views.values("site__hostname", "path", "page__title")
        .annotate(n=Sum("views"))
        .order_by("-n", "path")[:20]
    )
    return {
        "views": sum(per_month.values()),
        "visitors": sum(visitors_month.values()),
        "views_by_month": [per_month.get(m, 0) for m in scope.months],
        "visitors_by_month": [visitors_month.get(m, 0) for m in scope.months],
        "top_pages": top,
    }


# --- content -----------------------------------------------------------------------------------


def _live_articles(scope: Scope):
    from cms.models import ArticlePage

    start, end = scope.aware_range()
    roots = [p.site.root_page.path for p in scope.portals]
    under = Q(pk__in=[])
    for path in roots:
        under |= Q(path__startswith=path)
    # The article's own 发布时间 (what readers see), not when the CMS first published it.
    articles = ArticlePage.objects.live().filter(
        under, publish_date__gte=start, publish_date__lt=end
    )
    if scope.column_id:
        from wagtail.models import Page

        column = Page.objects.filter(pk=scope.column_id).first()
        articles = articles.filter(path__startswith=column.path) if column else articles.none()
    return articles


def content(scope: Scope) -> dict:
    """Articles published per month and column, topics maintained, 解读 and 回应 articles."""
    from django.db.models.functions import TruncMonth

    from cms.models import ColumnPage, TopicPage

    articles = _live_articles(scope)
    per_month = _by_month(
        articles.annotate(month=TruncMonth("publish_date")).values("month").annotate(n=Count("pk"))
    )
    columns = {}
    kinds = dict.fromkeys(ColumnPage.StatisticsKind.values, 0)
    column_pages = {}
    for article in articles.only("path", "depth"):
        parent_path = article.path[: -ColumnPage.steplen]
        columns[parent_path] = columns.get(parent_path, 0) + 1
    for column in ColumnPage.objects.filter(path__in=list(columns)).select_related():
        column_pages[column.path] = column
        if column.statistics_kind:
            kinds[column.statistics_kind] += columns[column.path]
    by_column = sorted(
        (
            {"column": column_pages[path].title, "column_id": column_pages[path].pk, "n": n}
            for path, n in columns.items()
            if path in column_pages
        ),
        key=lambda row: (-row["n"], row["column"]),
    )
    roots = Q(pk__in=[])
    for portal in scope.portals:
        roots |= Q(path__startswith=portal.site.root_page.path)
    topics = TopicPage.objects.live().filter(roots)
    start, end = scope.aware_range()
    return {
        "articles": sum(per_month.values()),
        "articles_by_month": [per_month.get(m, 0) for m in scope.months],
        "by_column": by_column,
        "topics": topics.count(),
        "topics_new": topics.filter(
            first_published_at__gte=start, first_published_at__lt=end
        ).count(),
        "by_kind": {kind: n for kind, n in kinds.items() if kind},
    }


# --- interaction -------------------------------------------------------------------------------


def _submissions(scope: Scope):
    start, end = scope.aware_range()
    rows = Submission.objects.filter(
        portal_id__in=scope.portal_ids, created_at__gte=start, created_at__lt=end
    )
    return rows.filter(source=scope.source) if scope.source else rows


def _kind_figures(rows) -> dict:
    received = rows.count()
    accepted = rows.filter(status__in=ACCEPTED).count()
    answered_rows = rows.filter(status__in=ANSWERED, replied_at__isnull=False)
    answered = answered_rows.count()
    durations = [
        (replied - created).total_seconds() / 86400
        for created, replied in answered_rows.values_list("created_at", "replied_at")
    ]
    ratings = dict(
        Evaluation.objects.filter(submission__in=rows)
        .values("rating")
        .annotate(n=Count("pk"))
        .values_list("rating", "n")
    )
    evaluated = sum(ratings.values())
    satisfied = ratings.get(Evaluation.Rating.SATISFIED, 0) + ratings.get(
        Evaluation.Rating.BASICALLY_SATISFIED, 0
    )
    return {
        "received": received,
        "accepted": accepted,
        "answered": answered,
        "published": rows.filter(publication=Publication.APPROVED).count(),
        "reply_rate": round(100 * answered / received, 1) if received else None,
        "average_days": round(sum(durations) / len(durations), 1) if durations else None,
        "longest_days": round(max(durations), 1) if durations else None,
        "evaluated": evaluated,
        "satisfaction": round(100 * satisfied / evaluated, 1) if evaluated else None,
    }


def interaction(scope: Scope) -> dict:
    """Petitions, leader messages and suggestions: received, accepted, answered, published,
    handling time, reply rate and satisfaction; per month and per channel; the campaigns."""
    from django.db.models.functions import TruncMonth

    rows = _submissions(scope)
    kinds = {kind: _kind_figures(rows.filter(kind=kind)) for kind in Kind.values}
    per_month = {}
    for row in (
        rows.annotate(month=TruncMonth("created_at"))
        .values("month", "kind")
        .annotate(n=Count("pk"))
    ):
        per_month.setdefault(row["kind"], {})[row["month"].strftime("%Y-%m")] = row["n"]
    by_source = dict(rows.values("source").annotate(n=Count("pk")).values_list("source", "n"))
    start, end = scope.aware_range()
    campaigns = [
        {
            "title": c.title,
            "portal": c.portal.name,
            "start": c.start_date,
            "end": c.end_date,
            "participants": c.n,
        }
        for c in SuggestionCampaign.objects.filter(
            portal_id__in=scope.portal_ids, start_date__lte=scope.end, end_date__gte=scope.start
        )
        .select_related("portal")
        .annotate(n=Count("suggestions", filter=Q(suggestions__created_at__lt=end)))
        .order_by("start_date", "pk")
    ]
    return {
        "kinds": [
            {"kind": kind, "label": Kind(kind).label, **figures} for kind, figures in kinds.items()
        ],
        "by_month": {
            kind: [per_month.get(kind, {}).get(m, 0) for m in scope.months] for kind in Kind.values
        },
        "by_source": [
            {"source": s, "label": Source(s).label, "n": by_source.get(s, 0)} for s in Source.values
        ],
        "campaigns": campaigns,
        "open_oldest": rows.exclude(status__in=ANSWERED + (Status.NOT_ACCEPTED,)).aggregate(
            oldest=Max("created_at")
        )["oldest"],
    }


# --- channels ----------------------------------------------------------------------------------


def wechat(scope: Scope) -> dict:
    """WeChat articles published per account and month, and the latest follower counts."""
    from django.db.models.functions import TruncMonth

    from channels.models import Delivery
    from channels.wechat.accounts import get_accounts
    from stats.models import FollowerSnapshot

    start, end = scope.aware_range()
    codes = [p.code for p in scope.portals]
    accounts = [a for a in get_accounts() if a.portal in codes]
    result = []
    for account in accounts:
        rows = Delivery.objects.filter(
            channel=f"wechat-{account.code}",
            state=Delivery.State.PUBLISHED,
            action__in=[Delivery.Action.PUBLISH, Delivery.Action.UPDATE],
            finished_at__gte=start,
            finished_at__lt=end,
        )
        per_month = _by_month(
            rows.annotate(month=TruncMonth("finished_at"))
            .values("month")
            .annotate(n=Count("page_id", distinct=True))
        )
        snapshot = (
            FollowerSnapshot.objects.filter(account=account.code, day__lte=scope.end)
            .order_by("-day")
            .first()
        )
        result.append(
            {
                "account": account.code,
                "name": str(account),
                "articles": rows.values("page_id").distinct().count(),
                "articles_by_month": [per_month.get(m, 0) for m in scope.months],
                "followers": snapshot.followers if snapshot else None,
                "followers_day": snapshot.day if snapshot else None,
            }
        )
    return {"accounts": result}


def overview(scope: Scope) -> dict:
    """Everything the statistics page shows for a scope."""
    return {
        "traffic": traffic(scope),
        "content": content(scope),
        "interaction": interaction(scope),
        "wechat": wechat(scope),
    }

"""Campaigns that close themselves, on the pages too (主题征集按日期自动开始、结束).

A ``SuggestionCampaign`` is open from its start date to its end date inclusive, so it opens and
closes by the calendar, without a save that would purge the cached home page that lists it. A
periodic job shortly after midnight (Asia/Shanghai) finds the portals whose campaigns opened or
closed since the job last looked and calls ``cms.signals.portal_pages_changed`` for them.

When the job last looked is kept on a ``JobLock`` row of its own (``STATE``): the date of every
run, so a missed night is caught up and a second run on the same day finds nothing more (running
it several times, or on several hosts, is harmless).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from .models import JobLock

logger = logging.getLogger(__name__)

STATE = "campaign-pages:checked"


@dataclass
class Refreshed:
    since: date
    today: date
    opened: list
    closed: list
    site_ids: set[int]


def changes_between(since: date, today: date):
    """Campaigns that opened (start date in ``(since, today]``) and that closed (the day after
    their end date in ``(since, today]``) between two local dates."""
    from backend_bridge.models import SuggestionCampaign

    campaigns = SuggestionCampaign.objects.select_related("portal")
    opened = list(campaigns.filter(start_date__gt=since, start_date__lte=today))
    closed = list(campaigns.filter(end_date__gte=since, end_date__lt=today))
    return opened, closed


def last_checked() -> date | None:
    row = JobLock.objects.filter(name=STATE).values_list("last_finished_at", flat=True).first()
    return timezone.localdate(row) if row else None


def refresh_campaign_pages(today: date | None = None) -> Refreshed:
    """Make the pages of every portal whose campaigns opened or closed since the last run render
    afresh; the first run looks back one day."""
    from cms.signals import portal_pages_changed

    now = timezone.now()
    today = today or timezone.localdate(now)
    since = last_checked() or today - timedelta(days=1)
    since = min(since, today)
    opened, closed = changes_between(since, today)
    site_ids = portal_pages_changed({c.portal.site_id for c in opened + closed})
    JobLock.objects.update_or_create(name=STATE, defaults={"last_finished_at": now})
    logger.info(
        "campaign pages %s..%s: %d opened, %d closed, sites %s",
        since,
        today,
        len(opened),
        len(closed),
        sorted(site_ids),
    )
    return Refreshed(since, today, opened, closed, site_ids)

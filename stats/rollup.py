"""The daily roll-up: past days' visitor digests become a count, and their salt is destroyed."""

from django.db import transaction
from django.db.models import Count
from django.utils import timezone


def rollup(today=None) -> int:
    """Roll up every day before ``today``; returns how many (portal, day) counts were stored."""
    from stats.models import DailySalt, DailyVisitors, VisitorDigest

    today = today or timezone.localdate()
    stored = 0
    with transaction.atomic():
        past = (
            VisitorDigest.objects.filter(day__lt=today)
            .values("site_id", "day")
            .annotate(n=Count("pk"))
        )
        for row in past:
            counted, created = DailyVisitors.objects.select_for_update().get_or_create(
                site_id=row["site_id"], day=row["day"], defaults={"visitors": row["n"]}
            )
            if not created:  # a log imported after the day's roll-up adds to it
                counted.visitors += row["n"]
                counted.save(update_fields=["visitors"])
            stored += 1
        VisitorDigest.objects.filter(day__lt=today).delete()
        DailySalt.objects.filter(day__lt=today).delete()
    return stored

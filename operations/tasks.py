"""Background tasks of the operations app: an inspection started from the admin."""

from django_tasks import task


@task()
def inspect_portals(codes: list[str], trigger: str) -> int:
    """Inspect the portals ``codes``; returns the number of findings of the group report."""
    from sites.models import Portal

    from .reports import run_inspection

    portals = list(
        Portal.objects.select_related("site__root_page")
        .filter(code__in=codes)
        .order_by("sort_order")
    )
    _reports, group = run_inspection(portals, trigger=trigger)
    return group.total

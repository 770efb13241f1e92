"""Background tasks (Django Tasks API) of static publishing, run by the task workers: the files
of a batch of page changes, and whole portals (navigation, footer, portal or Site changes)."""

from django_tasks import task


@task()
def rebuild(changes: dict) -> dict:
    """Rebuild what a batch of changes touches (see ``signals.Batch`` for its keys)."""
    from . import layout, services

    if not layout.enabled():
        return {}
    plan = services.plan_for(
        changed=changes.get("changed", ()),
        gone=changes.get("gone", ()),
        containers=changes.get("containers", ()),
        shares=[tuple(pair) for pair in changes.get("shares", ())],
        homes=changes.get("homes", ()),
    )
    summary = services.execute(plan)
    if plan.portals:
        rebuild_portals.enqueue(sorted(plan.portals))
    return summary.as_dict()


@task()
def rebuild_portals(site_ids: list[int] | None) -> dict:
    """Rebuild every page of these portals (None: all of them, and remove the files of hosts
    that no longer exist)."""
    from . import layout, services

    if not layout.enabled():
        return {}
    return services.publish_all(site_ids).as_dict()

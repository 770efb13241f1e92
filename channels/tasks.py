"""Background task (Django Tasks API): drain the delivery outbox on a task worker."""

from django_tasks import task


@task()
def deliver_due() -> dict:
    """Deliver what is due, batch after batch, until nothing is left to claim."""
    from .services import run_once

    total = {"claimed": 0, "published": 0, "failed": 0, "waiting": 0}
    while True:
        stats = run_once()
        for key in total:
            total[key] += getattr(stats, key)
        if not stats.claimed:
            return total

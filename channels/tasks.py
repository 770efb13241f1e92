"""Background task (Django Tasks API): drain the delivery outbox and the WeChat subscribe
messages on a task worker."""

from django_tasks import task


@task()
def deliver_due() -> dict:
    """Deliver what is due, batch after batch, until nothing is left to claim."""
    from .app import push
    from .services import run_once
    from .wechat import notices

    total = {"claimed": 0, "published": 0, "failed": 0, "waiting": 0, "notices": 0}
    while True:
        stats = run_once()
        sent = notices.run_once()["claimed"] + push.run_once()["claimed"]
        for key in total:
            total[key] += getattr(stats, key, 0)
        total["notices"] += sent
        if not stats.claimed and not sent:
            return total

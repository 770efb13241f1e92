"""Background task (Django Tasks API): send the canteen's due subscribe messages on a task
worker right after a meal is cancelled, instead of waiting for the next ``mp_send_notices``."""

import logging

from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def send_due_notices() -> dict:
    """Send what is due, batch after batch, until nothing is left."""
    from .services.notices import send_due

    total: dict[str, int] = {}
    while True:
        counts = send_due()
        for key, value in counts.items():
            total[key] = total.get(key, 0) + value
        if not any(v for k, v in counts.items() if k != "unknown"):
            return total


def kick() -> None:
    """Ask a task worker to send the due notices (the immediate backend sends them at once)."""
    try:
        send_due_notices.enqueue()
    except Exception:  # noqa: BLE001 - the timer's mp_send_notices sends them anyway
        logger.exception("mini_programs: could not enqueue the notice task")

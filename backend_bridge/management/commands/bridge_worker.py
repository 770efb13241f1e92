"""Deliver the bridge's outbox to the case system: ``bridge_worker`` (loop) or ``--once``.

Any number of workers may run on any hosts; each item is leased to one of them at a time.
"""

import signal

from django.core.management.base import BaseCommand

from backend_bridge.services import outbox


class Command(BaseCommand):
    help = "向案件系统投递待发送消息（--once 只处理一轮）"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="drain what is due, then exit")
        parser.add_argument("--batch", type=int, default=20)
        parser.add_argument("--interval", type=float, default=2.0, help="seconds between polls")

    def handle(self, *args, once=False, batch=20, interval=2.0, **options):
        if once:
            stats = outbox.run_once(batch)
            self.stdout.write(
                f"claimed={stats.claimed} delivered={stats.delivered} failed={stats.failed}"
            )
            return
        stopping = {"now": False}

        def stop(*_):
            stopping["now"] = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        outbox.run_forever(batch, interval, stop=lambda: stopping["now"])

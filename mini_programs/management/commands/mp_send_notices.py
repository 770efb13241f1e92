"""Send the due subscribe messages of the canteen (reminders, meal cancellations).

Run it every minute from a systemd timer (deploy/); safe on several hosts at once, because
rows are leased with ``FOR UPDATE SKIP LOCKED``. ``--loop`` keeps it running as a worker.
"""

import time

from django.core.management.base import BaseCommand

from mini_programs.services.accounts import purge_expired_sessions
from mini_programs.services.notices import send_due


class Command(BaseCommand):
    help = "发送到期的订餐订阅消息（截止提醒、停餐通知）"

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=50)
        parser.add_argument(
            "--loop", action="store_true", help="持续运行，每隔 --interval 秒检查一次"
        )
        parser.add_argument("--interval", type=float, default=30.0)

    def handle(self, *args, batch, loop, interval, **options):
        while True:
            counts = send_due(batch)
            # The same per-minute timer also clears expired mini-program sessions.
            purge_expired_sessions()
            sent = ", ".join(f"{k}={v}" for k, v in sorted(counts.items()) if v)
            self.stdout.write(f"订阅消息：{sent or '无到期消息'}")
            if not loop:
                return
            time.sleep(interval)

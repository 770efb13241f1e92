"""Deliver published pages to their channels: ``manage.py channels_worker [--once]``.

Safe on any number of hosts at once: deliveries are leased, and a dead worker's lease expires.
"""

import time

from django.core.management.base import BaseCommand

from channels import services


class Command(BaseCommand):
    help = "把已发布的页面发送到各渠道（微信公众号、APP）；可在多台主机上同时运行。"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="发送完到期的记录后退出")
        parser.add_argument("--batch", type=int, default=10)
        parser.add_argument("--idle", type=float, default=5.0, help="无事可做时的等待秒数")

    def handle(self, *args, once=False, batch=10, idle=5.0, **options):
        services.sync_targets()
        while True:
            stats = services.run_once(batch)
            if stats.claimed:
                self.stdout.write(
                    f"发送 {stats.claimed} 条：成功 {stats.published}，"
                    f"失败 {stats.failed}，等待重试 {stats.waiting}"
                )
                continue
            if once:
                return
            time.sleep(idle)

"""Deliver published pages to their channels and the WeChat subscribe messages (订阅通知) to
citizens: ``manage.py channels_worker [--once]``.

Safe on any number of hosts at once: deliveries are leased, and a dead worker's lease expires.
"""

import time

from django.core.management.base import BaseCommand

from channels import services
from channels.app import push
from channels.wechat import notices


class Command(BaseCommand):
    help = "把已发布的页面发送到各渠道（微信公众号、APP），并发送微信订阅通知；可在多台主机上同时运行。"

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
            sent = notices.run_once(batch)
            if sent["claimed"]:
                self.stdout.write(
                    f"订阅通知 {sent['claimed']} 条：已发送 {sent.get('sent', 0)}，"
                    f"失败 {sent.get('failed', 0)}，结果未知 {sent.get('unknown', 0)}，"
                    f"等待重试 {sent.get('pending', 0)}"
                )
            pushed = push.run_once(batch)
            if pushed["claimed"]:
                self.stdout.write(
                    f"APP 推送 {pushed['claimed']} 条：已发送 {pushed.get('sent', 0)}，"
                    f"失败 {pushed.get('failed', 0)}，等待重试 {pushed.get('pending', 0)}"
                )
            if stats.claimed or sent["claimed"] or pushed["claimed"]:
                continue
            if once:
                return
            time.sleep(idle)

"""Put the portals' live pages into the APP's sync journal once the APP channel is configured
(pages published before that never went through its delivery). Idempotent: pages already in
the journal are left alone."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from channels.app import journal


class Command(BaseCommand):
    help = "把已发布的页面写入 APP 同步记录（首次配置 APP 渠道后运行一次）"

    def add_arguments(self, parser):
        parser.add_argument("--site", default=None, help="只处理这个门户（门户代码）")

    def handle(self, *args, site, **options):
        written = journal.backfill(site)
        self.stdout.write(f"已写入 {written} 个页面")

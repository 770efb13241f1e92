"""Daily (timer): write this process's counts, roll up past days' visitors, destroy their salts."""

from django.core.management.base import BaseCommand

from stats.counting import flush
from stats.rollup import rollup


class Command(BaseCommand):
    help = "汇总前一日及更早的独立访客数，并销毁当日盐值与访客摘要"

    def handle(self, *args, **options):
        flush()
        stored = rollup()
        self.stdout.write(f"已汇总 {stored} 个门户日的独立访客数")

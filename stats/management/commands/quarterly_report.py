"""`quarterly_report --year 2026 --quarter 4 [--site CODE]`: the quarterly self-check report."""

from django.core.management.base import CommandError

from stats import reports
from stats.management.commands.annual_report import ReportCommand


class Command(ReportCommand):
    help = "生成网站季度自查报告（HTML、XLSX 与待三审的稿件）"
    kind = "quarterly"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--quarter", type=int, required=True)

    def build(self, portal, options):
        if options["quarter"] not in (1, 2, 3, 4):
            raise CommandError("季度应为 1 至 4")
        return reports.quarterly(portal, options["year"], options["quarter"])

"""``manage.py scan_sensitive``: scan every live page for sensitive words and write a report."""

import datetime
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from sensitive_words import services


class Command(BaseCommand):
    help = "扫描已发布页面中的敏感词，输出报告（CSV/XLSX/HTML）"

    def add_arguments(self, parser):
        parser.add_argument("--site", help="只扫描该门户（站点代码）")
        parser.add_argument("--since", help="只扫描该日期（YYYY-MM-DD）之后发布的页面")
        parser.add_argument("--format", choices=["csv", "xlsx", "html"], default="csv")
        parser.add_argument("--output", "-o", help="报告文件路径（默认 CSV/HTML 输出到标准输出）")

    def handle(self, *args, site=None, since=None, format="csv", output=None, **options):  # noqa: A002
        since_dt = None
        if since:
            try:
                day = datetime.date.fromisoformat(since)
            except ValueError as exc:
                raise CommandError(f"日期格式应为 YYYY-MM-DD：{since}") from exc
            since_dt = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
        try:
            rows = services.scan_pages(site=site, since=since_dt)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        data = services.write_report(rows, format)
        if output is None and format == "xlsx":
            output = f"sensitive_scan_{timezone.localdate():%Y%m%d}.xlsx"
        if output:
            with open(output, "wb") as fh:
                fh.write(data)
            self.stderr.write(f"共 {len(rows)} 处命中，报告已写入 {output}")
        else:
            self.stdout.flush()
            (getattr(self.stdout, "buffer", None) or sys.stdout.buffer).write(data)
            self.stderr.write(f"共 {len(rows)} 处命中")

"""`annual_report --year 2026 [--site CODE] [--out DIR]`: each portal's 政府网站工作年度报表
as HTML and XLSX, and as a draft article for 三审 (the editors complete and publish it)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from sites.models import Portal
from stats import reports


class ReportCommand(BaseCommand):
    kind = ""

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--site", help="门户代码；不填为全部 15 个门户")
        parser.add_argument("--out", default="reports", help="HTML 与 XLSX 的输出目录")
        parser.add_argument("--no-draft", action="store_true", help="不生成待审稿件")

    def portals(self, code):
        portals = Portal.objects.select_related("site__root_page").order_by("sort_order", "pk")
        if code:
            portals = portals.filter(code=code)
            if not portals:
                raise CommandError(f"没有代码为“{code}”的门户")
        return list(portals)

    def build(self, portal, options):
        raise NotImplementedError

    def handle(self, *args, **options):
        year = options["year"]
        if not 2000 <= year <= timezone.localdate().year:
            raise CommandError(f"年份 {year} 不在可统计范围内")
        out = Path(options["out"])
        out.mkdir(parents=True, exist_ok=True)
        for portal in self.portals(options.get("site")):
            report = self.build(portal, options)
            stem = out / f"{portal.code}-{self.kind}-{report.period.split(' ')[0]}"
            stem.with_suffix(".html").write_text(reports.to_html(report), encoding="utf-8")
            stem.with_suffix(".xlsx").write_bytes(reports.to_xlsx(report))
            line = f"{portal.name}：{stem}.html、{stem}.xlsx，待填写 {len(report.missing)} 项"
            if not options["no_draft"]:
                page, _revision = reports.save_draft(report)
                line += f"；待审稿件“{page.title}”（页面 {page.pk}）"
            self.stdout.write(line)


class Command(ReportCommand):
    help = "生成政府网站工作年度报表（HTML、XLSX 与待三审的稿件）"
    kind = "annual"

    def build(self, portal, options):
        return reports.annual(portal, options["year"])

"""``manage.py site_check [--site CODE] [--csv FILE]``: kept for the scripts and habits that call
it; ``inspect_sites`` replaces it. It runs the content part of the health inspection
(``operations.inspection.content_findings``: blank and stale columns, the home page, dead internal
links), the same checks ``inspect_sites`` reports, written once, and prints them as before."""

import csv

from django.core.management.base import BaseCommand, CommandError

from operations.inspection import content_findings
from sites.models import Portal


class Command(BaseCommand):
    help = (
        "（已由 inspect_sites 取代）按政府网站检查指标检查空白栏目、不更新栏目、首页更新和错链；"
        "检查内容与 inspect_sites 的内容检查相同。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--site", help="站点代码（默认检查全部门户）")
        parser.add_argument("--csv", dest="csv_path", help="把结果写入 CSV 文件")

    def handle(self, *args, site=None, csv_path=None, **options):
        portals = Portal.objects.select_related("site__root_page").order_by("sort_order", "id")
        if site:
            portals = portals.filter(code=site)
            if not portals:
                raise CommandError(f"未知的站点代码“{site}”")
        self.stderr.write(
            "提示：site_check 已由 inspect_sites 取代（巡检报告保存在后台，另含页面、链接、"
            "互动、系统等检查），本命令只做其中的内容检查。"
        )
        rows = [
            (portal.site.site_name or portal.name, finding)
            for portal in portals
            for finding in content_findings(portal)
        ]
        for name, f in rows:
            self.stdout.write(f"[{f.indicator}] {name} · {f.where} {f.url}：{f.detail}")
        if csv_path:
            self._write_csv(csv_path, rows)
        self.stdout.write(f"共发现 {len(rows)} 个问题。")

    @staticmethod
    def _write_csv(path, rows):
        with open(path, "w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.writer(handle)
            writer.writerow(["网站", "问题类型", "页面", "地址", "说明", "严重程度", "整改建议"])
            writer.writerows(
                [name, f.indicator, f.where, f.url, f.detail, f.severity, f.fix] for name, f in rows
            )

"""python manage.py site_check [--site CODE] [--csv FILE]: blank/stale columns and dead links."""

import csv

from django.core.management.base import BaseCommand, CommandError
from wagtail.models import Site

from cms.site_check import check_site


class Command(BaseCommand):
    help = "按政府网站检查指标检查空白栏目、不更新栏目、首页更新和错链"

    def add_arguments(self, parser):
        parser.add_argument("--site", help="站点代码（默认检查全部门户）")
        parser.add_argument("--csv", dest="csv_path", help="把结果写入 CSV 文件")

    def handle(self, *args, site=None, csv_path=None, **options):
        sites = Site.objects.select_related("root_page").order_by("portal__sort_order", "id")
        if site:
            sites = sites.filter(portal__code=site)
            if not sites:
                raise CommandError(f"未知的站点代码“{site}”")
        findings = [finding for s in sites for finding in check_site(s)]
        for f in findings:
            self.stdout.write(f"[{f.kind}] {f.site} · {f.page_title} {f.page_url}：{f.detail}")
        if csv_path:
            self._write_csv(csv_path, findings)
        self.stdout.write(f"共发现 {len(findings)} 个问题。")

    @staticmethod
    def _write_csv(path, findings):
        with open(path, "w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.writer(handle)
            writer.writerow(["网站", "问题类型", "页面", "地址", "说明"])
            writer.writerows([f.site, f.kind, f.page_title, f.page_url, f.detail] for f in findings)

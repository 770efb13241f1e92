"""``manage.py inspect_sites [--site CODE] [--out DIR]``: the system health inspection
(系统健康巡检) of every portal or one, stored in the admin (巡检报告) and optionally written as
HTML and XLSX files. It grows out of ``site_check``, whose checks it runs among many others."""

from django.core.management.base import BaseCommand, CommandError

from operations.reports import run_inspection, write_files
from sites.models import Portal


class Command(BaseCommand):
    help = "按政府网站与政务新媒体检查指标巡检各门户，报告保存在后台“巡检报告”中，可另存为 HTML 和 XLSX。"

    def add_arguments(self, parser):
        parser.add_argument("--site", help="站点代码（默认巡检全部门户）")
        parser.add_argument("--out", help="把报告另存为 HTML 和 XLSX 文件的目录")
        parser.add_argument("--no-pages", action="store_true", help="不逐页访问（只查内容和系统）")
        parser.add_argument("--no-links", action="store_true", help="不检查外部链接")

    def handle(self, *args, site=None, out=None, no_pages=False, no_links=False, **options):
        portals = Portal.objects.select_related("site__root_page").order_by("sort_order", "id")
        if site:
            portals = portals.filter(code=site)
            if not portals:
                raise CommandError(f"未知的站点代码“{site}”")
        reports, group = run_inspection(
            list(portals), trigger="命令", pages=not no_pages, links=not no_links
        )
        for report in reports:
            self.stdout.write(
                f"{report.scope_label}：{report.total} 个问题（严重 {report.serious}，"
                f"警告 {report.warnings}）"
            )
        self.stdout.write(f"合计 {group.total} 个问题（严重 {group.serious}）")
        if out:
            for report in [*reports, group]:
                for path in write_files(report, out):
                    self.stdout.write(str(path))

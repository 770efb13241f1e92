"""``manage.py publish_static [--site CODE] [--check]``: rebuild the whole published tree (every
portal, or one), or with ``--check`` list the files that differ from what would be rendered."""

from django.core.management.base import BaseCommand, CommandError

from static_publish import layout, services


class Command(BaseCommand):
    help = (
        "静态发布：重新生成全部门户（或一个门户）的静态页面；--check 只列出与应生成内容不同的文件。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--site", metavar="CODE", help="只处理该门户（门户代码，如 nanning）")
        parser.add_argument(
            "--check", action="store_true", help="只检查，不写入：有不同的文件时以非零状态退出"
        )

    def handle(self, *args, site=None, check=False, **options):
        if not layout.enabled():
            raise CommandError("未设置 STATIC_PUBLISH_ROOT：静态发布未启用，没有写入任何文件")
        site_ids = None
        if site:
            from sites.models import Portal

            portal = Portal.objects.filter(code=site).first()
            if portal is None:
                raise CommandError(f"没有代码为“{site}”的门户")
            site_ids = [portal.site_id]
        plan = services.plan_portals(site_ids)
        if check:
            summary = services.check(plan)
            for line in summary.differing:
                self.stdout.write(line)
            self.stdout.write(
                f"检查 {summary.documents} 个页面：{len(summary.differing)} 个文件不同，"
                f"{summary.unchanged} 个一致；用时 {summary.seconds:.2f} 秒"
            )
            if summary.differing:
                raise CommandError(f"{len(summary.differing)} 个文件与应生成的内容不同")
            return
        summary = services.execute(plan)
        for name in summary.failed:
            self.stderr.write(f"渲染失败：{name}")
        self.stdout.write(f"全量生成{'（' + site + '）' if site else ''}：{summary.text()}")

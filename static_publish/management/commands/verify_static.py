"""``manage.py verify_static [--repair]``: compare the published tree with the manifest (网页防篡改);
run every minute by gxxf-verify-static.timer."""

from django.core.management.base import BaseCommand, CommandError

from static_publish import layout, tamper


class Command(BaseCommand):
    help = "网页防篡改：比对静态页面文件与发布记录（SM3 摘要），报告被修改、缺失和多出的文件；--repair 从数据库恢复。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--repair", action="store_true", help="从数据库恢复被修改和缺失的文件，删除多出的文件"
        )

    def handle(self, *args, repair=False, **options):
        if not layout.enabled():
            self.stdout.write("未设置 STATIC_PUBLISH_ROOT：静态发布未启用，无需检查")
            return
        report = tamper.verify(repair=repair)
        self.stdout.write(report.text())
        if report.findings and not all(f.repaired for f in report.findings):
            raise CommandError(f"发现 {len(report.findings)} 个文件与发布记录不符，已告警")

"""Check the audit log's HMAC-SM3 chain: exits non-zero on a changed, removed or inserted record."""

from django.core.management.base import BaseCommand, CommandError

from audit import services


class Command(BaseCommand):
    help = "校验审计记录的 HMAC-SM3 链，发现被修改、删除或插入的记录"

    def handle(self, *args, **options):
        report = services.verify()
        if report.ok:
            self.stdout.write(f"审计链完整：已校验 {report.checked} 条记录。")
            return
        for problem in report.problems:
            self.stderr.write(problem)
        raise CommandError(
            f"审计链被破坏：发现 {len(report.problems)} 处问题（已校验 {report.checked} 条）"
        )

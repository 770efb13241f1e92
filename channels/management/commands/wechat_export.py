"""Export an official account's followers, tags, materials, articles and menu into an archive.

``manage.py wechat_export --account CODE ARCHIVE``: a thin front door over
``channels.wechat.migration.export_account``. Run it again after an interruption to continue.
"""

from django.core.management.base import BaseCommand, CommandError

from channels.wechat.migration import MigrationError, MigrationInterrupted, export_account


class Command(BaseCommand):
    help = "导出公众号的粉丝（OpenID、标签、备注）、标签、永久素材、已发表文章和自定义菜单到导出包目录；中断后再次运行即可继续。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--account", required=True, help="要导出的公众号代码（WECHAT_ACCOUNTS 中的 code）"
        )
        parser.add_argument("archive", help="导出包目录（不存在时新建；已有未完成的导出包时继续）")

    def handle(self, *args, account, archive, **options):
        try:
            report = export_account(account, archive)
        except MigrationError as error:
            raise CommandError(str(error)) from None
        except MigrationInterrupted as interrupted:
            self.stdout.write("\n".join(interrupted.report.lines()))
            raise CommandError(
                f"导出已中断：{interrupted}。再次运行同一命令即可从中断处继续。"
            ) from None
        self.stdout.write("\n".join(report.lines()))

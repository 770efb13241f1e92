"""Re-create an exported official account in another account.

``manage.py wechat_import --account CODE ARCHIVE [--from-appid OLD_APPID]``: a thin front door
over ``channels.wechat.migration.import_account``. ``--from-appid`` only once WeChat's own
account migration has moved the followers. Run it again after an interruption to continue.
"""

from django.core.management.base import BaseCommand, CommandError

from channels.wechat.migration import MigrationError, MigrationInterrupted, import_account


class Command(BaseCommand):
    help = "把导出包中的标签、永久素材、文章（存为草稿）和自定义菜单导入另一个公众号；粉丝经微信公众平台迁移后，加 --from-appid 转换 OpenID 并恢复标签和备注。中断后再次运行即可继续。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--account", required=True, help="导入的目标公众号代码（WECHAT_ACCOUNTS 中的 code）"
        )
        parser.add_argument(
            "--from-appid",
            help="原公众号的 AppID：仅在微信公众平台的账号迁移完成、粉丝已转到新公众号之后填写",
        )
        parser.add_argument("archive", help="wechat_export 生成的导出包目录")

    def handle(self, *args, account, archive, from_appid=None, **options):
        try:
            report = import_account(account, archive, from_appid=from_appid)
        except MigrationError as error:
            raise CommandError(str(error)) from None
        except MigrationInterrupted as interrupted:
            self.stdout.write("\n".join(interrupted.report.lines()))
            raise CommandError(
                f"导入已中断：{interrupted}。再次运行同一命令即可从中断处继续。"
            ) from None
        self.stdout.write("\n".join(report.lines()))

"""``manage.py backup DEST_DIR [--encrypt] [--keep-daily N --keep-weekly N --keep-monthly N]``:
write one checksummed archive of the database, media and non-secret configuration, print its
path, then rotate (``operations.backup``)."""

from django.core.management.base import BaseCommand, CommandError

from operations import backup


class Command(BaseCommand):
    help = (
        "备份数据库、媒体文件和非保密配置到 DEST_DIR（一个带清单和校验值的归档），并按保留数轮换。"
    )

    def add_arguments(self, parser):
        parser.add_argument("dest_dir", help="备份目录")
        group = parser.add_mutually_exclusive_group()
        group.add_argument(
            "--encrypt", action="store_true", default=None, help="用 BACKUP_SM4_KEY 加密（SM4）"
        )
        group.add_argument("--no-encrypt", dest="encrypt", action="store_false")
        parser.add_argument("--keep-daily", type=int, default=None, help="保留最近 N 天各一份")
        parser.add_argument("--keep-weekly", type=int, default=0, help="保留最近 N 周各一份")
        parser.add_argument("--keep-monthly", type=int, default=0, help="保留最近 N 月各一份")

    def handle(self, *args, dest_dir, encrypt, keep_daily, keep_weekly, keep_monthly, **options):
        try:
            path = backup.create_backup(dest_dir, encrypt=encrypt)
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(str(path))
        if keep_daily is not None:
            deleted = backup.rotate(
                dest_dir, daily=keep_daily, weekly=keep_weekly, monthly=keep_monthly
            )
            for old in deleted:
                self.stderr.write(f"已轮换删除 {old.name}")

"""``manage.py backup DEST_DIR [--encrypt] [--keep-daily N --keep-weekly N --keep-monthly N]
[--upload-pending]``: write one checksummed archive of the database, media and non-secret
configuration, print its path, copy it to object storage when ``BACKUP_S3_BUCKET`` is set, then
rotate, locally and in the store (``operations.backup``, ``operations.offsite``).

A failed upload keeps the local archive, says so and exits non-zero; the next backup (or
``--upload-pending``, which writes no new archive) uploads what the store is missing."""

import logging

from django.core.management.base import BaseCommand, CommandError

from operations import backup, offsite

logger = logging.getLogger("operations.backup")


class Command(BaseCommand):
    help = (
        "备份数据库、媒体文件和非保密配置到 DEST_DIR（一个带清单和校验值的归档），"
        "设置了 BACKUP_S3_BUCKET 时复制到对象存储，并按保留数轮换本地和对象存储中的备份。"
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
        parser.add_argument(
            "--upload-pending",
            action="store_true",
            help="不做新备份，只把对象存储中还没有的本地备份补传上去",
        )

    def handle(self, *args, dest_dir, encrypt, keep_daily, keep_weekly, keep_monthly, **options):
        if options["upload_pending"]:
            if not offsite.configured():
                raise CommandError("未设置 BACKUP_S3_BUCKET，没有可补传的对象存储")
        else:
            try:
                path = backup.create_backup(dest_dir, encrypt=encrypt)
            except backup.BackupError as error:
                raise CommandError(str(error)) from None
            self.stdout.write(str(path))
        failures = []
        if offsite.configured():
            try:
                uploaded, failures = offsite.upload_pending(dest_dir)
            except offsite.OffsiteError as error:
                uploaded, failures = [], [str(error)]
            for key in uploaded:
                self.stdout.write(f"已复制到对象存储并校验：{key}")
        if keep_daily is not None:
            keep = {"daily": keep_daily, "weekly": keep_weekly, "monthly": keep_monthly}
            for old in backup.rotate(dest_dir, **keep):
                self.stderr.write(f"已轮换删除 {old.name}")
            if offsite.configured() and not failures:
                try:
                    for name in offsite.rotate_remote(**keep):
                        self.stderr.write(f"已轮换删除对象存储中的 {name}")
                except offsite.OffsiteError as error:
                    failures.append(str(error))
        if failures:
            message = (
                f"复制到对象存储失败：{failures[0]}。本地备份已保留在 {dest_dir}，"
                "下次备份时会自动补传，也可运行 backup DEST_DIR --upload-pending 补传。"
            )
            logger.error("backup offsite copy failed: %s", failures[0])
            raise CommandError(message)

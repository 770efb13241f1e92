"""``manage.py restore ARCHIVE | s3://BUCKET/KEY | --from-storage NAME [--verify-only]``:
rebuild a fresh, empty installation from a backup, local or in object storage, after checking
every checksum; a corrupted or partial archive changes nothing, and a failure while writing is
rolled back (database and media)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from operations import backup


class Command(BaseCommand):
    help = (
        "从备份归档（本地文件，或对象存储中的 s3://存储桶/对象名）恢复到新建的空安装；"
        "先校验全部文件，损坏或不完整的归档不做任何更改，写入中途失败则全部回滚。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "archive", nargs="?", help="备份文件（.tar.gz 或 .tar.gz.sm4）或 s3://存储桶/对象名"
        )
        parser.add_argument(
            "--from-storage",
            metavar="NAME",
            help="从 BACKUP_S3_BUCKET 取回名为 NAME 的备份（如 gxxf-backup-20261203T020000Z.tar.gz）",
        )
        parser.add_argument("--verify-only", action="store_true", help="只校验，不恢复")

    def handle(self, *args, archive, from_storage, verify_only, **options):
        if bool(archive) == bool(from_storage):
            raise CommandError("请给出一个备份文件，或用 --from-storage 指定对象存储中的备份")
        if from_storage:
            if not settings.BACKUP_S3_BUCKET:
                raise CommandError("未设置 BACKUP_S3_BUCKET，无法从对象存储取回备份")
            from operations.offsite import key_for

            archive = f"s3://{settings.BACKUP_S3_BUCKET}/{key_for(from_storage)}"
        try:
            summary = backup.restore(archive, verify_only=verify_only)
        except backup.BackupError as error:
            message = str(error)
            if "已回滚" not in message:
                message += "（未做任何更改）"
            raise CommandError(message) from None
        done = "校验通过" if verify_only else "恢复完成"
        self.stdout.write(
            f"{done}：备份时间 {summary['created_at']}，{summary['tables']} 张表、"
            f"{summary['rows']} 行，媒体文件 {summary['media_files']} 个"
        )

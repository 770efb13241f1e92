"""``manage.py restore ARCHIVE [--verify-only]``: rebuild a fresh, empty installation from a
backup, after checking every checksum; a corrupted or partial archive changes nothing."""

from django.core.management.base import BaseCommand, CommandError

from operations import backup


class Command(BaseCommand):
    help = "从备份归档恢复到新建的空安装；先校验全部文件，损坏或不完整的归档不做任何更改。"

    def add_arguments(self, parser):
        parser.add_argument("archive", help="备份文件（.tar.gz 或 .tar.gz.sm4）")
        parser.add_argument("--verify-only", action="store_true", help="只校验，不恢复")

    def handle(self, *args, archive, verify_only, **options):
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

"""python manage.py import_accounts FILE: bulk create/update staff accounts from CSV or XLSX."""

import csv
import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from sites.services.accounts import ImportFileError, import_accounts


class Command(BaseCommand):
    help = "从 CSV/XLSX 批量导入账号（表头：username,姓名,phone,portal,role），可重复执行"

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV 或 XLSX 文件")
        parser.add_argument(
            "--passwords-out",
            help="新账号一次性密码的输出文件（CSV，权限 600）；默认 accounts-passwords-<时间>.csv",
        )

    def handle(self, *args, file, passwords_out=None, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件：{file}")
        try:
            report = import_accounts(path)
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        for error in report.errors:
            self.stderr.write(f"第 {error.line} 行：{error.message}")
        if report.created:
            out = Path(
                passwords_out or f"accounts-passwords-{timezone.localtime():%Y%m%d%H%M%S}.csv"
            )
            fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", newline="", encoding="utf-8-sig") as handle:
                writer = csv.writer(handle)
                writer.writerow(["username", "一次性密码"])
                writer.writerows(report.created)
            self.stdout.write(
                f"新账号的一次性密码已写入 {out}（首次登录须修改），请妥善保管后删除。"
            )
        self.stdout.write(
            f"新建 {len(report.created)} 个，更新 {len(report.updated)} 个，"
            f"无变化 {len(report.unchanged)} 个，错误 {len(report.errors)} 行。"
        )
        if report.errors:
            raise CommandError(f"{len(report.errors)} 行未导入，见上方说明")

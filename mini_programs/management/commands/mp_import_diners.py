"""Import the staff list (用餐人员) from a CSV or XLSX file, like the admin's import screen."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from mini_programs.services.diners import import_diners
from mini_programs.services.errors import MealError


class Command(BaseCommand):
    help = "从 CSV/XLSX 导入用餐人员（列：姓名、手机号、部门、工号、允许代订客餐）"

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件：{file}")
        try:
            report = import_diners(path.name, path.read_bytes())
        except MealError as error:
            raise CommandError(error.message) from None
        for line in report.errors:
            self.stderr.write(line)
        self.stdout.write(
            f"新增 {report.created} 人，更新 {report.updated} 人，{len(report.errors)} 行未导入。"
        )

"""``manage.py import_sensitive_words FILE``: import a TXT/CSV/XLSX dictionary or allow-list."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sensitive_words import services


class Command(BaseCommand):
    help = "导入敏感词库（TXT 每行一词；CSV/XLSX：词语,分类,级别,建议写法）"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--dictionary", default="导入词库", help="导入到的词库名称（不存在则新建）"
        )
        parser.add_argument("--allow", action="store_true", help="导入到白名单")

    def handle(self, *args, file, dictionary, allow, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在：{file}")
        fmt = services.format_of(path.name)
        if fmt not in ("txt", "csv", "xlsx"):
            raise CommandError("只支持 .txt、.csv、.xlsx 文件")
        try:
            report = services.import_words(path.read_bytes(), fmt, dictionary, allow=allow)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        for line, message in report.errors:
            self.stderr.write(f"第 {line} 行：{message}")
        self.stdout.write(report.summary())

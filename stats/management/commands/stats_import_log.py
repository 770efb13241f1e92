"""Count the pages nginx served from the static tree: `stats_import_log /var/log/nginx/gxxf.log`."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from stats.logimport import LogFormatError, import_log


class Command(BaseCommand):
    help = "从 nginx 访问日志统计静态页面的访问量（重复导入不会重复计数）"

    def add_arguments(self, parser):
        parser.add_argument("logs", nargs="+", help="访问日志文件")
        parser.add_argument("--host", help="日志为 combined 格式（无主机名）时，所属门户的主机名")

    def handle(self, *args, **options):
        for name in options["logs"]:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"找不到日志文件：{path}")
            try:
                result = import_log(path, options.get("host"))
            except LogFormatError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(
                f"{path}：新读取 {result['lines']} 行，计入 {result['counted']} 次页面访问，"
                f"跳过 {result['skipped']} 行，无法识别 {result['malformed']} 行"
            )

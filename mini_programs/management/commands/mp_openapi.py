"""Write the mini-program API's OpenAPI document to docs/mp-openapi.json (``--check``: only
say whether the copy in the repository is current, exit 1 if not)."""

from django.core.management.base import BaseCommand, CommandError

from mini_programs.openapi import DOCUMENT, render


class Command(BaseCommand):
    help = "生成小程序接口的 OpenAPI 文档 docs/mp-openapi.json"

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true")

    def handle(self, *args, check, **options):
        text = render()
        current = DOCUMENT.read_text(encoding="utf-8") if DOCUMENT.exists() else ""
        if check:
            if current != text:
                raise CommandError(f"{DOCUMENT} 已过期，请运行 manage.py mp_openapi 更新")
            self.stdout.write("OpenAPI 文档是最新的。")
            return
        DOCUMENT.write_text(text, encoding="utf-8")
        self.stdout.write(f"已写入 {DOCUMENT}")

"""Write the APP API's OpenAPI document (``/api/app/v1/openapi.json``) to docs/app-openapi.json.

The committed file is what the APP developers build against; a test fails when it is stale, so
run this (or ``make app-openapi``) after changing an APP endpoint. ``--check`` only compares.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

DEFAULT_PATH = Path(settings.BASE_DIR) / "docs" / "app-openapi.json"


def document() -> str:
    from channels.app.api import app_api

    schema = app_api.get_openapi_schema(path_prefix="/api/app/v1")
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


class Command(BaseCommand):
    help = "生成 APP 接口的 OpenAPI 文档（docs/app-openapi.json）"

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(DEFAULT_PATH), help="输出文件")
        parser.add_argument("--check", action="store_true", help="只检查文件是否为最新")

    def handle(self, *args, output, check, **options):
        path = Path(output)
        text = document()
        if check:
            current = path.read_text(encoding="utf-8") if path.exists() else ""
            if current != text:
                raise CommandError(f"{path} 不是最新的，请运行 make app-openapi 重新生成")
            self.stdout.write(f"{path} 是最新的")
            return
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"已写入 {path}")

"""``manage.py seed_sensitive_words``: load the built-in demo words and official-expression rules."""

from django.core.management.base import BaseCommand

from sensitive_words import services


class Command(BaseCommand):
    help = "载入内置示例词库与表述规范规则（可重复执行）"

    def handle(self, *args, **options):
        counts = services.seed_defaults()
        self.stdout.write(
            f"新增敏感词 {counts['words']} 条、白名单 {counts['allow']} 条、规则 {counts['rules']} 条"
        )

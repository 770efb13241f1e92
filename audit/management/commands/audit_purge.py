"""Remove audit records older than a date; refuses dates within the retention period (≥ 6 months)."""

from datetime import datetime, time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from audit import services


class Command(BaseCommand):
    help = "清理早于指定日期的审计记录（至少保留 6 个月，更新的记录拒绝清理）"

    def add_arguments(self, parser):
        parser.add_argument("--before", required=True, help="YYYY-MM-DD：清理此日期之前的记录")

    def handle(self, *args, before, **options):
        try:
            day = datetime.strptime(before, "%Y-%m-%d").date()
        except ValueError as exc:
            raise CommandError("日期格式应为 YYYY-MM-DD") from exc
        moment = timezone.make_aware(datetime.combine(day, time.min))
        try:
            count = services.purge_before(moment)
        except services.RetentionError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"已清理 {count} 条审计记录。")

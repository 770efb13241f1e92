"""Mail administrators the daily summary of failing and stuck outbox items (run from cron)."""

from django.core.management.base import BaseCommand

from backend_bridge.services import summary


class Command(BaseCommand):
    help = "向管理员发送待发送消息异常日报"

    def add_arguments(self, parser):
        parser.add_argument("--always", action="store_true", help="send even when all is well")

    def handle(self, *args, always=False, **options):
        count = summary.send(always=always)
        self.stdout.write(f"problem_items={count} recipients={len(summary.recipients())}")

"""Pull the status of cases not updated for a while from the case system (run periodically)."""

from django.core.management.base import BaseCommand

from backend_bridge.services import status


class Command(BaseCommand):
    help = "从案件系统拉取长时间未更新的信访件状态"

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=200)

    def handle(self, *args, limit=200, **options):
        counts = status.pull(limit)
        self.stdout.write(" ".join(f"{k}={v}" for k, v in counts.items()))

"""``manage.py media_sweep``: re-queue media jobs whose worker died once their lease expired.

Run from a timer (deploy/systemd/gxxf-media-sweep.timer) through ``manage.py periodic``.
"""

from django.core.management.base import BaseCommand

from media_pipeline.services import sweep_expired_jobs


class Command(BaseCommand):
    help = "把处理进程已中断（租约过期）的媒体处理任务重新排队；超过最多尝试次数的标为失败。"

    def handle(self, *args, **options):
        counts = sweep_expired_jobs()
        self.stdout.write(f"重新排队 {counts['requeued']} 个，标为失败 {counts['failed']} 个")

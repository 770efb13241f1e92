"""``manage.py periodic [--lease S] [--min-interval S] NAME COMMAND [ARGS…]``: run a command as
a periodic job that is safe to start on several hosts at once (the systemd timers in deploy/).

The job's lock (``operations.locks``) lets one host run it; the others log that they skipped it
and exit 0. ``--min-interval`` also skips a run that another host finished less than that many
seconds ago (a daily summary sent once a day, not once per host). What the run did is logged and
kept on the lock row.
"""

import argparse
import io
import logging
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from operations import locks

logger = logging.getLogger("operations.periodic")


class Command(BaseCommand):
    help = "以定时任务方式运行一个管理命令：多台主机同时触发时只有一台执行，并记录执行结果。"

    def add_arguments(self, parser):
        parser.add_argument("name", help="任务名（锁名），如 bridge-summary")
        parser.add_argument(
            "command", nargs=argparse.REMAINDER, help="要运行的管理命令及其参数（放在最后）"
        )
        parser.add_argument("--lease", type=int, default=3600, help="锁的最长持有秒数")
        parser.add_argument("--min-interval", type=int, default=0, help="两次执行的最短间隔秒数")

    def handle(self, *args, name, command, lease, min_interval, **options):
        if not command:
            raise CommandError("请在任务名之后给出要运行的管理命令")
        started = time.monotonic()
        try:
            with locks.exclusive(name, lease_seconds=lease, min_interval=min_interval) as outcome:
                out = io.StringIO()
                try:
                    call_command(*command, stdout=out, stderr=out)
                except CommandError:
                    self.stdout.write(out.getvalue())
                    raise
                text = out.getvalue().strip()
                outcome["result"] = text
        except locks.Busy as busy:
            logger.info("periodic %s skipped: %s", name, busy)
            self.stdout.write(f"跳过：{busy}")
            return
        seconds = time.monotonic() - started
        logger.info(
            "periodic %s done in %.1f s: %s", name, seconds, text[-500:].replace("\n", " | ")
        )
        if text:
            self.stdout.write(text)
        self.stdout.write(f"完成：{name}（{seconds:.1f} 秒）")

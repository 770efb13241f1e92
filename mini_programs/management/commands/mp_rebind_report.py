"""Who has and who has not re-bound after the mini-program moved to a new AppID (主体变更).

Compares the bindings under ``previous_app_id`` (of ``WECHAT_MINI_PROGRAM``) with those under
the AppID in use. ``--pending`` lists only those still to re-bind; ``--csv FILE`` writes the list.
"""

import csv

from django.core.management.base import BaseCommand, CommandError

from mini_programs.services.accounts import rebind_report
from mini_programs.services.errors import MealError


class Command(BaseCommand):
    help = "统计小程序主体变更后已重新绑定和尚未重新绑定的用餐人员"

    def add_arguments(self, parser):
        parser.add_argument("--pending", action="store_true", help="只列出尚未重新绑定的人员")
        parser.add_argument("--csv", help="把名单写入该 CSV 文件")

    def handle(self, *args, pending, **options):
        target = options.get("csv")
        try:
            report = rebind_report()
        except MealError as error:
            raise CommandError(error.message) from None
        previous = report.previous_app_id or "（其他 AppID）"
        self.stdout.write(f"当前 AppID：{report.app_id}；原 AppID：{previous}")
        self.stdout.write(
            f"已重新绑定 {len(report.rebound)} 人，尚未重新绑定 {len(report.pending)} 人。"
        )
        rows = [("未重新绑定", d) for d in report.pending]
        if not pending:
            rows = [("已重新绑定", d) for d in report.rebound] + rows
        for state, diner in rows:
            department = diner.department.name if diner.department else ""
            self.stdout.write(f"{state}\t{diner.name}\t{department}\t{diner.masked_phone}")
        if target:
            self._write(target, rows)

    def _write(self, path, rows):
        with open(path, "w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.writer(handle)
            writer.writerow(["状态", "姓名", "部门", "手机号"])
            for state, diner in rows:
                department = diner.department.name if diner.department else ""
                writer.writerow([state, diner.name, department, diner.masked_phone])

"""Issue one-time invitation codes (邀请码) to diners, e.g. to those who have not re-bound
after a change of AppID and cannot receive SMS; prints name, department and code."""

from django.core.management.base import BaseCommand

from mini_programs.models import Diner
from mini_programs.services.accounts import issue_invitation, rebind_report


class Command(BaseCommand):
    help = "为用餐人员生成一次性邀请码（--pending：只为尚未重新绑定的人员）"

    def add_arguments(self, parser):
        parser.add_argument("--pending", action="store_true")
        parser.add_argument("--days", type=int, default=7)
        parser.add_argument("phones", nargs="*", help="手机号；不填则为所有允许订餐的人员")

    def handle(self, *args, pending, days, phones, **options):
        if pending:
            diners = rebind_report().pending
        elif phones:
            diners = list(Diner.objects.with_phones(phones))
        else:
            diners = list(Diner.objects.filter(active=True))
        for diner in diners:
            code = issue_invitation(diner, days).code
            department = diner.department.name if diner.department else ""
            self.stdout.write(f"{diner.name}\t{department}\t{code}")
        self.stdout.write(f"共生成 {len(diners)} 个邀请码，有效期 {days} 天。")

"""Daily (timer): record each WeChat account's follower count as WeChat's user list reports it."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from channels.wechat.accounts import get_accounts
from channels.wechat.client import client_for
from stats.models import FollowerSnapshot


class Command(BaseCommand):
    help = "记录各公众号的关注用户数（微信用户列表接口的 total）"

    def handle(self, *args, **options):
        today = timezone.localdate()
        failed = 0
        for account in get_accounts():
            try:
                total = int(client_for(account).user.get_followers()["total"])
            except Exception as exc:  # one account's failure must not stop the others
                failed += 1
                self.stderr.write(f"{account}：获取关注数失败：{exc}")
                continue
            FollowerSnapshot.objects.update_or_create(
                account=account.code, day=today, defaults={"followers": total}
            )
            self.stdout.write(f"{account}：关注用户 {total} 人")
        if failed:
            raise SystemExit(1)

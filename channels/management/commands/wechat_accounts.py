"""List the configured WeChat official accounts and check each one's credentials.

``manage.py wechat_accounts`` prints every account of ``WECHAT_ACCOUNTS`` (never its secrets);
``--check`` asks WeChat for an access token with each, and exits non-zero if any is refused.
"""

from django.core.management.base import BaseCommand, CommandError

from channels.wechat.accounts import get_accounts
from channels.wechat.client import client_for
from channels.wechat.errors import WeChatError


class Command(BaseCommand):
    help = "列出已配置的微信公众号（不显示密钥）；--check 逐个检查能否取得 access_token。"

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="向微信检查每个账号的凭据")

    def handle(self, *args, check=False, **options):
        accounts = get_accounts()
        if not accounts:
            self.stdout.write("未配置微信公众号（环境变量 WECHAT_ACCOUNTS 为空）。")
            return
        failed = 0
        for account in accounts:
            line = f"{account.code}\t{account.name}\t{account.kind_label}\tAppID {account.app_id}"
            if check:
                try:
                    client_for(account).fetch_access_token()
                except WeChatError as error:
                    failed += 1
                    line += f"\t凭据检查失败：{error}"
                else:
                    line += "\t凭据正常"
            self.stdout.write(line)
        if failed:
            raise CommandError(f"{failed} 个公众号的凭据检查失败")

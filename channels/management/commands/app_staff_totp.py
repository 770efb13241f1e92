"""Give a staff member a TOTP device (动态口令) for the staff simple-handling APP:
``manage.py app_staff_totp <username> [--replace]``.

Prints the ``otpauth://`` address once (to be scanned by an authenticator app, or typed in as the
key); the device is saved unconfirmed and becomes usable after ``--confirm <6 digits>`` proves
the phone shows the same codes. Devices are django-otp's own (``TOTPDevice``), so a second-factor
page in the admin sees and manages the same ones.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

NAME = "简易办理APP动态口令"


class Command(BaseCommand):
    help = "为工作人员绑定动态口令（TOTP），用于信访业务简易办理APP登录的第二因素。"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--replace", action="store_true", help="作废已有的动态口令，重新绑定")
        parser.add_argument("--confirm", metavar="CODE", help="输入手机上显示的6位动态口令完成绑定")

    def handle(self, *args, username, replace=False, confirm=None, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"找不到用户 {username}")
        devices = TOTPDevice.objects.filter(user=user, name=NAME)
        if confirm:
            device = devices.filter(confirmed=False).order_by("-pk").first()
            if device is None:
                raise CommandError("没有待确认的动态口令，请先不带 --confirm 运行本命令")
            if not device.verify_token(confirm.strip()):
                raise CommandError("动态口令不正确，请核对手机时间后重试")
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            self.stdout.write(
                self.style.SUCCESS(f"{username} 的动态口令已绑定，可以登录简易办理APP。")
            )
            return
        if devices.filter(confirmed=True).exists() and not replace:
            raise CommandError("该用户已绑定动态口令；如需重新绑定请加 --replace")
        devices.delete()
        device = TOTPDevice.objects.create(user=user, name=NAME, confirmed=False)
        self.stdout.write("请用手机身份验证器扫描或输入以下地址（只显示这一次）：")
        self.stdout.write(device.config_url)
        self.stdout.write(f"然后运行：manage.py app_staff_totp {username} --confirm <6位动态口令>")

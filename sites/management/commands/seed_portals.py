"""python manage.py seed_portals [--demo]: build (or repair) the 15 portals; idempotent."""

from django.conf import settings
from django.core.management.base import BaseCommand

from sites.services.seeding import seed_portals


class Command(BaseCommand):
    help = "创建或修复 15 个门户网站（站点、页脚、用户组、三审流程、栏目）；--demo 同时生成演示内容"

    def add_arguments(self, parser):
        parser.add_argument("--demo", action="store_true", help="生成中文演示文章")
        parser.add_argument("--no-admin", action="store_true", help="不创建初始管理员")

    def handle(self, *args, demo=False, no_admin=False, **options):
        report = seed_portals(demo=demo, create_admin=not no_admin)
        created = "、".join(report.created_portals) or "无"
        self.stdout.write(f"新建门户：{created}；新建页面 {report.created_pages} 个。")
        if report.admin_password:
            self.stdout.write(
                self.style.WARNING(
                    f"已创建管理员账号 {report.admin_username}，初始密码（仅显示这一次）：{report.admin_password}"
                )
            )
        if report.demo_accounts:
            self.stdout.write(
                self.style.WARNING("演示账号（初始密码仅显示这一次，首次登录须修改）：")
            )
            for username, role, password in report.demo_accounts:
                self.stdout.write(f"  {username}（{role}）：{password}")
        self.stdout.write("各门户网址：")
        for name, url in report.portal_urls():
            self.stdout.write(f"  {name}: {url}")
        if settings.PORTAL_DOMAIN == "localhost":
            port = "" if settings.PORTAL_PORT in (80, 443) else f":{settings.PORTAL_PORT}"
            self.stdout.write(f"  （{settings.PORTAL_SCHEME}://localhost{port}/ 即自治区门户）")
        self.stdout.write("管理后台：各门户网址后加 /admin/")

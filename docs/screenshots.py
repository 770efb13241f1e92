"""Take the manual's screenshots in Chromium: `.venv/bin/python docs/screenshots.py`.

Builds a throw-away demo database (bench/out/docs), starts the app under gunicorn on loopback,
logs in as a temporary administrator and writes PNG files into docs/img/.
"""

import json
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import pages as bench  # noqa: E402

OUT = ROOT / "bench" / "out" / "docs"
IMG = ROOT / "docs" / "img"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# A page with wrong official expressions and a photo, for the sensitive-words and media screens.
DEMO_OBJECTS = """
import io
from PIL import Image as P
from django.core.files.images import ImageFile
from wagtail.images import get_image_model
from cms.factories import ArticlePageFactory, paragraph
from sites.models import Portal
portal = Portal.objects.get(code="nanning")
column = portal.site.root_page.get_children().get(slug="gzdt")
ArticlePageFactory(parent=column, slug="check-demo", title="关于贯彻信访条例的通知", live=False,
    body=paragraph("根据信访条例和国家信访办有关要求，请各单位认真做好信访事项办理工作。"))
buffer = io.BytesIO()
P.new("RGB", (2400, 1600), (64, 128, 96)).save(buffer, "JPEG")
get_image_model().objects.create(title="平陆运河施工现场", collection=portal.collection, file_size=len(buffer.getvalue()),
    file=ImageFile(io.BytesIO(buffer.getvalue()), name="canal.jpg"))
"""

# A 南宁 column feeds the 广西信访 account; one of its articles is published again, so the
# channel screen shows it going out (and waiting: the account's API is unreachable here).
DEMO_CHANNELS = """
from channels import services
from channels.models import ChannelTarget
from sites.models import Portal
portal = Portal.objects.get(code="nanning")
column = portal.site.root_page.get_children().get(slug="gzdt")
services.sync_targets()
ChannelTarget.objects.get(code="wechat-gxxf").columns.add(column)
article = column.get_children().live().order_by("-first_published_at").first().specific
article.save_revision().publish()
print(article.pk)
"""

# The code the administrator's authenticator app would show now for the device being enrolled.
TOTP_CODE = """
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
device = TOTPDevice.objects.filter(user__username="docs").latest("pk")
print(f"{totp(device.bin_key):06d}")
"""
# A locked account for the 登录锁定 screen.
DEMO_LOCKOUT = """
from axes.models import AccessAttempt
AccessAttempt.objects.create(username="nanning-editor", ip_address="10.20.30.40", user_agent="Chrome",
    path_info="/admin/login/", failures_since_start=5, get_data="", post_data="", http_accept="")
"""


def main():
    IMG.mkdir(exist_ok=True)
    account = {
        "code": "gxxf",
        "name": "广西信访",
        "kind": "service",
        "app_id": "wx0000000000000000",
        "secret": secrets.token_hex(16),
        "token": "docs" + secrets.token_hex(4),
        "aes_key": "a" * 43,
    }
    env = bench.environment(
        {
            "DATABASE_URL": f"sqlite:///{OUT / 'docs.sqlite3'}",
            "STATIC_ROOT": str(OUT / "static"),
            # A WeChat account whose API is unreachable: the screens show a delivery waiting.
            "WECHAT_ACCOUNTS": json.dumps([account], ensure_ascii=False),
            "WECHAT_API_BASE": "http://127.0.0.1:9/",
            # Django serves the uploaded pictures (carousel, 头条, banners) only in DEBUG.
            "DEBUG": "1",
        }
    )
    manage = bench.demo_database(OUT, env)
    password = secrets.token_urlsafe(16)
    create = (
        "from django.contrib.auth import get_user_model;"
        f"get_user_model().objects.create_superuser('docs', password='{password}', first_name='管理员')"
    )
    subprocess.run([*manage, "shell", "-c", create], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "shell", "-c", DEMO_OBJECTS], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "shell", "-c", DEMO_LOCKOUT], env=env, check=True, cwd=ROOT)
    shown = subprocess.run(
        [*manage, "shell", "-c", DEMO_CHANNELS],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    article_id = shown.stdout.strip().splitlines()[-1]
    server = bench.Server(env)
    base = f"http://nanning.localhost:{server.port}"
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            phone = browser.new_context(
                viewport={"width": 390, "height": 844}, device_scale_factor=1, locale="zh-CN"
            )
            page = phone.new_page()
            page.goto(base + "/")
            page.get_by_role("button", name="关怀模式").click()
            page.screenshot(path=IMG / "portal-phone-care.png")
            page.goto(base + "/hdjl/xf/")
            page.screenshot(path=IMG / "bridge-petition-phone.png", full_page=True)
            page.goto(base + "/hdjl/ldly/")
            page.screenshot(path=IMG / "bridge-board-phone.png", full_page=True)
            phone.close()
            home_screenshots(browser, server.port)
            desktop = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
            page = desktop.new_page()
            page.goto(base + "/")
            page.screenshot(path=IMG / "portal-home.png")
            page.goto(base + "/search/?q=平陆运河")
            page.screenshot(path=IMG / "portal-search.png")
            page.goto(base + "/admin/login/")
            page.fill("#id_username", "docs")
            page.fill("#id_password", password)
            with page.expect_navigation():
                page.click("button[type=submit]")
            # First login: the second factor is enrolled with a TOTP app (docs/security.md).
            page.wait_for_selector(".security-qr img")
            page.screenshot(path=IMG / "security-otp-setup.png", full_page=True)
            code = (
                subprocess.run(
                    [*manage, "shell", "-c", TOTP_CODE],
                    env=env,
                    check=True,
                    cwd=ROOT,
                    capture_output=True,
                    text=True,
                )
                .stdout.strip()
                .splitlines()[-1]
            )
            page.fill("#id_token", code)
            with page.expect_navigation():
                page.click("button[type=submit]")
            page.goto(base + "/admin/workflows/list/")
            page.screenshot(path=IMG / "admin-workflows.png")
            page.goto(base + "/admin/settings/portal_sites/portalsettings/")
            page.screenshot(path=IMG / "admin-footer-settings.png")
            page.screenshot(path=IMG / "admin-portal-settings-full.png", full_page=True)
            page.goto(base + "/admin/pages/")
            page.locator("a[href$='/edit/']", has_text="南宁市信访局").first.click()
            page.wait_for_load_state("networkidle")
            panel = page.get_by_text("轮播间隔（秒）").first.locator("xpath=ancestor::section[1]")
            panel.screenshot(path=IMG / "admin-home-carousel.png")
            page.goto(base + "/admin/pages/search/?q=关于贯彻信访条例的通知")
            link = page.locator("a[href*='/admin/pages/'][href$='/edit/']").first.get_attribute(
                "href"
            )
            page_id = link.rstrip("/").split("/")[-2]
            page.goto(base + f"/admin/sensitive-words/pages/{page_id}/")
            page.screenshot(path=IMG / "sensitive-words-page-check.png", full_page=True)
            # Publishing it from the editor: refused, with the hits and the confirmation box.
            page.goto(base + f"/admin/pages/{page_id}/edit/")
            with page.expect_navigation():
                page.evaluate("document.querySelector('button[name=action-publish]').click()")
            page.locator(".sw-gate").scroll_into_view_if_needed()
            page.screenshot(path=IMG / "sensitive-words-gate.png")
            page.goto(base + "/admin/media-pipeline/images/")
            page.locator("a[href*='/admin/media-pipeline/images/']").last.click()
            page.screenshot(path=IMG / "media-variants.png", full_page=True)
            page.goto(base + "/admin/bridge/")
            page.screenshot(path=IMG / "bridge-inbox.png")
            page.goto(base + f"/admin/channels/pages/{article_id}/")
            page.screenshot(path=IMG / "channels-page-deliveries.png")
            page.goto(base + "/admin/security/lockouts/")
            page.screenshot(path=IMG / "security-lockouts.png")
            page.goto(base + "/admin/wechat_pushes/new/")
            page.screenshot(path=IMG / "channels-push-form.png", full_page=True)
            page.goto(base + "/admin/snippets/channels/wechatmenu/add/")
            page.screenshot(path=IMG / "channels-wechat-menu.png")
            browser.close()
    finally:
        server.stop()
    print("screenshots written to", IMG)


def home_screenshots(browser, port: int):
    """The regional and a city home page on a phone (375×812) and a desktop (1366×900), a phone
    in 关怀模式, the site map and a 404 page."""
    for viewport, kind in (
        ({"width": 375, "height": 812}, "phone"),
        ({"width": 1366, "height": 900}, "desktop"),
    ):
        context = browser.new_context(viewport=viewport, locale="zh-CN", device_scale_factor=1)
        page = context.new_page()
        for code, name in (("gx", "regional"), ("nanning", "city")):
            page.goto(f"http://{code}.localhost:{port}/")
            page.mouse.move(0, 0)
            page.screenshot(path=IMG / f"portal-home-{name}-{kind}.png", full_page=True)
        if kind == "phone":
            page.goto(f"http://nanning.localhost:{port}/")
            page.locator(".menu-button").click()
            page.screenshot(path=IMG / "portal-home-phone-menu.png")
            context.add_cookies(
                [{"name": "care_mode", "value": "1", "url": f"http://nanning.localhost:{port}/"}]
            )
            page.goto(f"http://nanning.localhost:{port}/")
            page.screenshot(path=IMG / "portal-home-city-phone-care.png", full_page=True)
        else:
            page.goto(f"http://nanning.localhost:{port}/wzdt/")
            page.screenshot(path=IMG / "portal-site-map.png", full_page=True)
            page.goto(f"http://nanning.localhost:{port}/no-such-page/")
            page.screenshot(path=IMG / "portal-404.png")
        context.close()


if __name__ == "__main__":
    main()

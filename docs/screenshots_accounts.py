"""Screenshots of the account screens in Chromium: `.venv/bin/python docs/screenshots_accounts.py`.

Builds a throw-away demo database (bench/out/docs-accounts), signs in as a 南宁 portal
administrator and as the security administrator (enrolling the second factor as a first login
does), and photographs the user list and the roles tab into docs/img/ (docs/security.md,
docs/editor-guide.md).
"""

import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "docs"))
import pages as bench  # noqa: E402
from screenshots import CHROMIUM, IMG  # noqa: E402

OUT = ROOT / "bench" / "out" / "docs-accounts"
ACCOUNTS = """
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
User = get_user_model()
for username, name, group in [
    ("docs-nanning-admin", "陆管理", "南宁市信访局-管理员"),
    ("docs-security", "蒙安全", "安全管理员"),
]:
    user = User.objects.create_user(username, password="{password}", first_name=name)
    user.groups.add(Group.objects.get(name=group))
for username, name, group in [
    ("nn-zhang", "张编辑", "南宁市信访局-编辑"),
    ("nn-li", "李审核", "南宁市信访局-审核"),
    ("nn-huang", "黄受理", "南宁市信访局-受理"),
]:
    user, _ = User.objects.get_or_create(username=username, defaults={{"first_name": name}})
    user.groups.add(Group.objects.get(name=group))
print(User.objects.get(username="nn-zhang").pk)
"""
TOTP_CODE = """
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
device = TOTPDevice.objects.filter(user__username="{username}").latest("pk")
print(f"{{totp(device.bin_key):06d}}")
"""


def _shell(manage, env, code: str) -> str:
    return subprocess.run(
        [*manage, "shell", "-c", code],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.split()[-1]


def _sign_in(browser, base, manage, env, username, password):
    page = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN").new_page()
    page.goto(base + "/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("button[type=submit]")
    page.wait_for_selector(".security-qr img")  # first login: enrol the second factor
    page.fill("#id_token", _shell(manage, env, TOTP_CODE.format(username=username)))
    with page.expect_navigation():
        page.click("button[type=submit]")
    return page


def main():
    IMG.mkdir(exist_ok=True)
    env = bench.environment(
        {
            "DATABASE_URL": f"sqlite:///{OUT / 'docs.sqlite3'}",
            "STATIC_ROOT": str(OUT / "static"),
            "PII_SM4_KEY": secrets.token_hex(16),
            "PII_INDEX_KEY": secrets.token_hex(16),
        }
    )
    manage = bench.demo_database(OUT, env)
    password = "Docs-" + secrets.token_urlsafe(12)
    editor_pk = _shell(manage, env, ACCOUNTS.format(password=password))
    server = bench.Server(env)
    base = f"http://nanning.localhost:{server.port}"
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            page = _sign_in(browser, base, manage, env, "docs-nanning-admin", password)
            page.goto(base + "/admin/users/")
            page.wait_for_selector("text=重置二次验证")
            page.screenshot(path=IMG / "security-users-portal-admin.png", full_page=True)
            page = _sign_in(browser, base, manage, env, "docs-security", password)
            page.goto(f"{base}/admin/users/edit/{editor_pk}/#tab-roles")
            page.wait_for_selector("#tab-roles:not([hidden])")
            page.screenshot(path=IMG / "security-user-roles.png")
            browser.close()
    finally:
        server.stop()
    print("screenshots written to", IMG)


if __name__ == "__main__":
    main()

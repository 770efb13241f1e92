"""Screenshots of the APP release management for docs/app-releases.md, in Chromium:
`.venv/bin/python docs/app_screenshots.py`.

Like docs/screenshots.py (whose helpers it uses) but only for this manual, so that taking them
does not rewrite the other manuals' pictures: a throw-away demo database (bench/out/app_docs),
gunicorn on loopback, a temporary administrator, two releases, and PNG files in docs/img/.
"""

import secrets
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import pages as bench  # noqa: E402

OUT = ROOT / "bench" / "out" / "app_docs"
IMG = ROOT / "docs" / "img"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
RELEASES = """
from channels.models import AppRelease
AppRelease.objects.create(platform="android", version="2.3.0", published=True,
    release_notes="新增人民建议主题征集栏目。", download_url="https://app.example.gov.cn/gxxf-2.3.0.apk",
    checksum="0" * 64, min_supported_version="2.0.0", rollout_percent=100)
AppRelease.objects.create(platform="android", version="2.4.0", published=True,
    release_notes="短信验证码登录改造，优化信访件查询。", download_url="https://app.example.gov.cn/gxxf-2.4.0.apk",
    checksum="1" * 64, min_supported_version="2.0.0", rollout_percent=20)
AppRelease.objects.create(platform="harmony", version="1.0.0", published=False,
    release_notes="鸿蒙版首个版本。", download_url="https://appgallery.huawei.com/app/C000000")
"""


def main():
    IMG.mkdir(exist_ok=True)
    env = bench.environment(
        {"DATABASE_URL": f"sqlite:///{OUT / 'docs.sqlite3'}", "STATIC_ROOT": str(OUT / "static")}
    )
    manage = bench.demo_database(OUT, env)
    password = secrets.token_urlsafe(16)
    create = (
        "from django.contrib.auth import get_user_model;"
        f"get_user_model().objects.create_superuser('docs', password='{password}', first_name='管理员')"
    )
    subprocess.run([*manage, "shell", "-c", create], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "shell", "-c", RELEASES], env=env, check=True, cwd=ROOT)
    server = bench.Server(env)
    base = f"http://gx.localhost:{server.port}"
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            page = browser.new_context(
                viewport={"width": 1280, "height": 800}, locale="zh-CN"
            ).new_page()
            page.goto(base + "/admin/login/")
            page.fill("#id_username", "docs")
            page.fill("#id_password", password)
            page.click("button[type=submit]")
            page.goto(base + "/admin/app_releases/")
            page.screenshot(path=IMG / "app-releases.png")
            page.goto(base + "/admin/app_releases/new/")
            page.screenshot(path=IMG / "app-releases-add.png", full_page=True)
            browser.close()
    finally:
        server.stop()
    print("screenshots written to", IMG)


if __name__ == "__main__":
    main()

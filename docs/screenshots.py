"""Take the manual's screenshots in Chromium: `.venv/bin/python docs/screenshots.py`.

Builds a throw-away demo database (bench/out/docs), starts the app under gunicorn on loopback,
logs in as a temporary administrator and writes PNG files into docs/img/.
"""

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


def main():
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    IMG.mkdir(exist_ok=True)
    env = bench.environment(
        {"DATABASE_URL": f"sqlite:///{OUT / 'docs.sqlite3'}", "STATIC_ROOT": str(OUT / "static")}
    )
    manage = [bench.PY, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run(
        [*manage, "seed_portals", "--demo", "--no-admin"],
        env=env,
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    password = secrets.token_urlsafe(16)
    create = (
        "from django.contrib.auth import get_user_model;"
        f"get_user_model().objects.create_superuser('docs', password='{password}', first_name='管理员')"
    )
    subprocess.run([*manage, "shell", "-c", create], env=env, check=True, cwd=ROOT)
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
            phone.close()
            desktop = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
            page = desktop.new_page()
            page.goto(base + "/")
            page.screenshot(path=IMG / "portal-home.png")
            page.goto(base + "/search/?q=平陆运河")
            page.screenshot(path=IMG / "portal-search.png")
            page.goto(base + "/admin/login/")
            page.fill("#id_username", "docs")
            page.fill("#id_password", password)
            page.click("button[type=submit]")
            page.goto(base + "/admin/workflows/list/")
            page.screenshot(path=IMG / "admin-workflows.png")
            page.goto(base + "/admin/settings/portal_sites/portalsettings/")
            page.screenshot(path=IMG / "admin-footer-settings.png")
            browser.close()
    finally:
        server.stop()
    print("screenshots written to", IMG)


if __name__ == "__main__":
    main()

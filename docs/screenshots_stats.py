"""Screenshots of the statistics manual in Chromium: `.venv/bin/python docs/screenshots_stats.py`.

Builds a throw-away demo database (bench/out/docs-stats) with some submissions and handled
cases, serves it under gunicorn, reads a few pages as visitors would, and photographs the admin's
statistics page and a generated annual report into docs/img/.
"""

import secrets
import subprocess
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "docs"))
import pages as bench  # noqa: E402
from screenshots import CHROMIUM, IMG, TOTP_CODE  # noqa: E402

OUT = ROOT / "bench" / "out" / "docs-stats"
# Demo submissions (the SMS code check is skipped for this throw-away database only).
DEMO_CASES = """
from datetime import timedelta
from backend_bridge import verification
from backend_bridge.idcard import build_id_number
from backend_bridge.models import Evaluation
from backend_bridge.services import citizen, status
from backend_bridge.services.submission import PetitionInput, submit_petition
from sites.models import Portal
verification.check_code = lambda *args, **kwargs: None
portal = Portal.objects.get(code="nanning")
for i in range(8):
    accepted = submit_petition(portal, PetitionInput(
        petition_type="complaint", title=f"小区道路积水问题{i}", region_code="450100", county="青秀区",
        content="小区门口道路一下雨就积水，已经持续半年，居民出行困难，请求尽快处理。" * (i + 1),
        name="张三丰", id_number=build_id_number("450103", seq=17 + i), phone=f"1380013800{i}",
        sms_code="000000"))
    submission = accepted.submission
    if i < 6:
        start = submission.created_at
        status.record_event(submission, status="accepted", origin="webhook", occurred_at=start + timedelta(hours=2))
        status.record_event(submission, status="replied", origin="webhook", reply="已处理。",
                            occurred_at=start + timedelta(days=i + 1))
        citizen.evaluate(submission, "satisfied" if i < 5 else "basically_satisfied")
"""


def main():
    IMG.mkdir(exist_ok=True)
    env = bench.environment(
        {
            "DATABASE_URL": f"sqlite:///{OUT / 'docs.sqlite3'}",
            "STATIC_ROOT": str(OUT / "static"),
            "STATS_FLUSH_HITS": "1",
            "PII_SM4_KEY": secrets.token_hex(16),
            "PII_INDEX_KEY": secrets.token_hex(16),
        }
    )
    manage = bench.demo_database(OUT, env)
    password = secrets.token_urlsafe(16)
    create = (
        "from django.contrib.auth import get_user_model;"
        f"get_user_model().objects.create_superuser('docs', password='{password}', first_name='管理员')"
    )
    subprocess.run([*manage, "shell", "-c", create], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "shell", "-c", DEMO_CASES], env=env, check=True, cwd=ROOT)
    server = bench.Server(env)
    base = f"http://nanning.localhost:{server.port}"
    try:
        for i, path in enumerate(["/", "/", "/gzdt/", "/gzdt/a1/", "/xfzn/", "/", "/gzdt/a1/"]):
            request = urllib.request.Request(
                f"http://127.0.0.1:{server.port}{path}",
                headers={"Host": "nanning.localhost", "User-Agent": f"demo-visitor-{i % 3}"},
            )
            urllib.request.urlopen(request, timeout=10).read()  # noqa: S310 - loopback http
        year = subprocess.run(
            [
                *manage,
                "shell",
                "-c",
                "from django.utils import timezone; print(timezone.localdate().year)",
            ],
            env=env,
            check=True,
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.split()[-1]
        subprocess.run(
            [
                *manage,
                "annual_report",
                "--year",
                year,
                "--site",
                "nanning",
                "--out",
                str(OUT / "reports"),
            ],
            env=env,
            check=True,
            cwd=ROOT,
        )
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            page = browser.new_context(
                viewport={"width": 1280, "height": 900}, locale="zh-CN"
            ).new_page()
            page.goto(base + "/admin/login/")
            page.fill("#id_username", "docs")
            page.fill("#id_password", password)
            with page.expect_navigation():
                page.click("button[type=submit]")
            # First login: the second factor is enrolled (docs/security.md).
            page.wait_for_selector(".security-qr img")
            code = subprocess.run(
                [*manage, "shell", "-c", TOTP_CODE],
                env=env,
                check=True,
                cwd=ROOT,
                capture_output=True,
                text=True,
            ).stdout.split()[-1]
            page.fill("#id_token", code)
            with page.expect_navigation():
                page.click("button[type=submit]")
            page.goto(base + "/admin/statistics/?portal=nanning")
            page.screenshot(path=IMG / "stats-page.png", full_page=True)
            page.goto((OUT / "reports" / f"nanning-annual-{year}.html").as_uri())
            page.screenshot(path=IMG / "stats-annual-report.png", full_page=True)
            browser.close()
    finally:
        server.stop()
    print("screenshots written to", IMG)


if __name__ == "__main__":
    main()

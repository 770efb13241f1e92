"""Browser tests: Debian's Chromium driven by Playwright against the live test server.

Skipped (with the reason) where Chromium is not installed; `.ci/run` installs it, so CI runs them.
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = (
    os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
)
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# Playwright's sync API runs an event loop in this thread; the ORM calls made by fixtures are
# still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    reason = None
    if not CHROMIUM:
        reason = "Chromium is not installed (apt-get install chromium); .ci/run installs it"
    else:
        try:
            import playwright  # noqa: F401
        except ImportError:
            reason = "playwright is not installed"
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def phone(browser):
    """A page in a phone-sized viewport: many citizens arrive from phones."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        locale="zh-CN",
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def desktop(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def portal_content(live_server):
    """The portals with a few articles, for a live server whose database is flushed after each test."""
    from cms.factories import ArticlePageFactory, paragraph
    from sites.models import Portal
    from sites.services.seeding import seed_portals

    seed_portals(demo=False)
    port = live_server.url.rsplit(":", 1)[1]
    for code in ("nanning", "liuzhou"):
        portal = Portal.objects.get(code=code)
        column = portal.site.root_page.get_children().get(slug="gzdt")
        for n in range(3):
            ArticlePageFactory(
                parent=column,
                slug=f"a{n}",
                title=f"{portal.city}推进平陆运河信访事项办理第{n}期",
                body=paragraph(
                    f"{portal.city}信访局认真落实《信访工作条例》，平陆运河沿线群众诉求及时办理。"
                ),
            )
    return lambda code, path="/": f"http://{code}.localhost:{port}{path}"


def run_axe(page, context: str | None = None, impacts=("serious", "critical")) -> list[dict]:
    """Accessibility violations of these ``impacts`` (None: every one) found by axe-core on the
    current page, or within the elements that the CSS selector ``context`` matches."""
    if not AXE.exists():
        pytest.skip("axe-core is not installed (make test runs npm ci when npm is available)")
    # Evaluated through the DevTools protocol rather than added as an inline <script>: the
    # pages' Content-Security-Policy refuses inline scripts, as it should.
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;window.axe = axe;")
    result = page.evaluate(
        "async (context) => await axe.run(context || document, {resultTypes: ['violations']})",
        context,
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["html"][:120] for n in v["nodes"][:3]]}
        for v in result["violations"]
        if impacts is None or v["impact"] in impacts
    ]


@pytest.fixture
def admin_sign_in(portal_content):
    """Sign a staff member in to the Wagtail admin as a person does: the password, then the code
    of a TOTP app (a confirmed device is given to the user first)."""

    def sign_in(page, user, password, code="nanning"):
        from django_otp.oath import totp
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device, _ = TOTPDevice.objects.get_or_create(
            user=user, name="浏览器测试", defaults={"confirmed": True}
        )
        page.goto(portal_content(code, "/admin/login/"))
        page.fill("#id_username", user.username)
        page.fill("#id_password", password)
        with page.expect_navigation():
            page.click("button[type=submit]")
        page.wait_for_selector("#id_token")
        page.fill("#id_token", f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}")
        with page.expect_navigation():
            page.click("button[value=verify]")

    return sign_in

"""The admin's Content-Security-Policy (no 'unsafe-inline' for scripts) as staff meet it in
Chromium: an editor, a reviewer, a portal administrator, a 受理 user and the audit administrator
sign in and go through their screens (every item of their sidebar menu, the page explorer, page
editing with Draftail and StreamField, the image chooser, the 三审 workflow, the case inbox); any
violation of the policy, any script error, or a chooser, toolbar or menu that no longer works
fails the test."""

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db(transaction=True)
LISTENER = Path(__file__).with_name("csp_violations.js")
# Sidebar items that leave the screen or change state when opened (downloads, sign-out).
NOT_VISITED = re.compile(r"/logout/|/export|/xlsx/|/download")


class Watched:
    """A Chromium tab whose CSP violations and script errors are collected."""

    def __init__(self, page):
        self.page = page
        self.violations: list[dict] = []
        self.errors: list[str] = []
        page.expose_function("reportCspViolation", self.report)
        page.add_init_script(path=str(LISTENER))
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: {error}"))
        page.on(
            "console",
            lambda message: (
                message.type == "error"
                and "Content Security Policy" in message.text
                and self.violations.append({"page": page.url, "console": message.text})
            ),
        )

    def report(self, violation: dict) -> None:
        self.violations.append(violation)

    def visit(self, url: str, allowed=(200,)) -> None:
        response = self.page.goto(url)
        status = response.status if response is not None else None
        assert status in allowed, (url, status)
        self.page.wait_for_load_state("networkidle")

    def menu_urls(self) -> list[str]:
        """Every admin URL of the signed-in user's sidebar menu (Wagtail renders it from JSON)."""
        props = self.page.locator("#wagtail-sidebar-props").text_content()
        urls = dict.fromkeys(re.findall(r'"(/admin/[^"]*)"', props))
        return [url for url in urls if not NOT_VISITED.search(url)]

    def clean(self) -> None:
        # Let pending reports arrive before judging.
        self.page.wait_for_timeout(300)
        assert self.violations == [], self.violations
        assert self.errors == [], self.errors


@pytest.fixture
def watched(desktop):
    return Watched(desktop)


@pytest.fixture
def article(portal_content):
    from cms.models import ArticlePage

    return ArticlePage.objects.get(slug="a0", url_path__contains="/nanning")


def nanning_staff(role: str):
    from sites.models import Portal
    from tests.conftest import make_staff

    return make_staff(f"nanning-csp-{role}", Portal.objects.get(code="nanning"), role)


def password(user) -> str:
    return f"Pw-{user.username}-2026"


def walk_menu(watched, url) -> list[str]:
    watched.visit(url("nanning", "/admin/"))
    visited = watched.menu_urls()
    assert len(visited) >= 3, visited
    for path in visited:
        # A menu item may still lead to Wagtail's refusal page: that page is judged too.
        watched.visit(url("nanning", path), allowed=(200, 403))
    return visited


def test_an_editor_edits_a_page_with_draftail_streamfield_and_the_image_chooser(
    portal_content, watched, admin_sign_in, article
):
    editor = nanning_staff("editor")
    admin_sign_in(watched.page, editor, password(editor))
    page = watched.page
    visited = walk_menu(watched, portal_content)
    assert any(path.startswith("/admin/pages/") for path in visited), visited

    watched.visit(portal_content("nanning", f"/admin/pages/{article.get_parent().pk}/"))
    assert page.get_by_role("link", name=article.title).count() >= 1

    watched.visit(portal_content("nanning", f"/admin/pages/{article.pk}/edit/"))
    # Draftail: the editor takes typing and shows its toolbar for a selection.
    editor_box = page.locator(".Draftail-Editor [contenteditable=true]").first
    editor_box.click()
    page.keyboard.press("End")
    page.keyboard.type("补充一句。")
    assert "补充一句。" in editor_box.inner_text()
    page.locator(".Draftail-Editor--focus").first.wait_for()
    # Its floating toolbar comes up for a selection, and bold applies (styles set by script).
    page.keyboard.press("Shift+Home")
    bold = page.locator(".Draftail-FloatingToolbar button[name=BOLD]")
    bold.wait_for(state="visible")
    bold.click()
    editor_box.locator("span[style*='bold']").first.wait_for()
    # StreamField: a new block can be added from the block picker.
    blocks_before = page.locator("[data-contentpath='body'] [data-streamfield-child]").count()
    page.locator("[data-contentpath='body'] button.c-sf-add-button").last.click()
    page.locator(".w-combobox__option").first.click()
    page.wait_for_function(
        "(n) => document.querySelectorAll(\"[data-contentpath='body'] [data-streamfield-child]\")"
        ".length > n",
        arg=blocks_before,
    )
    # The date-time picker of 发布时间 (an initialiser carrying the nonce) opens.
    page.locator("[data-contentpath='publish_date'] input").first.click()
    page.locator(".xdsoft_datetimepicker:visible").first.wait_for()
    page.keyboard.press("Escape")
    # So does the image chooser's modal (another one), with its search form.
    page.locator("[data-contentpath='cover_image'] button[data-chooser-action-choose]").click()
    page.locator(".modal-dialog #id_q").wait_for(state="visible")

    # The home page's carousel (an InlinePanel): a new item's image chooser, written from the
    # panel's template with its nonce-carrying initialiser, opens the chooser too.
    home = article.get_site().root_page
    # Leaving an edit screen releases its editing session; let that finish first (SQLite's
    # test database takes one writer at a time).
    page.goto("about:blank")
    page.wait_for_timeout(1000)
    watched.visit(portal_content("nanning", f"/admin/pages/{home.pk}/edit/"))
    page.locator("#id_carousel_items-ADD").click()
    item = page.locator("[id^=inline_child_carousel_items-]:visible").last
    item.locator("[id$=-image-chooser] button[data-chooser-action-choose]").click()
    page.locator(".modal-dialog #id_q").wait_for(state="visible")
    watched.clean()


def test_a_reviewer_walks_the_three_step_review(portal_content, watched, admin_sign_in, article):
    editor = nanning_staff("editor")
    article.save_revision(user=editor)
    workflow = article.get_workflow()
    assert workflow is not None
    workflow.start(article, editor)
    reviewer = nanning_staff("reviewer")
    admin_sign_in(watched.page, reviewer, password(reviewer))
    page = watched.page
    walk_menu(watched, portal_content)
    watched.visit(portal_content("nanning", "/admin/"))
    assert article.title in page.content()  # awaiting this reviewer's review
    watched.visit(portal_content("nanning", f"/admin/pages/{article.pk}/workflow_history/"))
    watched.visit(portal_content("nanning", "/admin/reports/workflow/"))
    watched.visit(portal_content("nanning", "/admin/reports/workflow_tasks/"))
    watched.visit(portal_content("nanning", f"/admin/pages/{article.pk}/edit/"))
    # 审核通过（附意见） opens its comment dialog (Wagtail's workflow-action script, a file).
    page.locator("button[data-workflow-action-modal-url]").first.evaluate("(b) => b.click()")
    page.locator(".modal-dialog textarea").first.wait_for(state="visible")
    watched.clean()


def test_a_portal_administrator_goes_through_settings_snippets_reports_and_our_screens(
    portal_content, watched, admin_sign_in
):
    admin = nanning_staff("admin")
    admin_sign_in(watched.page, admin, password(admin))
    visited = walk_menu(watched, portal_content)
    for screen in ("/admin/settings/", "/admin/snippets/", "/admin/reports/"):
        assert any(path.startswith(screen) for path in visited), (screen, visited)
    # The sidebar's submenus open (Wagtail's React sidebar).
    page = watched.page
    trigger = page.locator(".sidebar-sub-menu-item > button[aria-haspopup=menu]").first
    trigger.click()
    assert trigger.get_attribute("aria-expanded") == "true"
    page.locator(".sidebar-sub-menu-panel:visible").first.wait_for()
    watched.clean()


def test_intake_staff_and_the_audit_administrator_see_their_screens(
    portal_content, watched, admin_sign_in, browser
):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from sites.registry import ADMIN_ROLES

    intake = nanning_staff("intake")
    admin_sign_in(watched.page, intake, password(intake))
    visited = walk_menu(watched, portal_content)
    assert any(path.startswith("/admin/bridge/") for path in visited), visited
    watched.clean()

    auditor = get_user_model().objects.create_user(
        username="csp-auditor", password="Pw-csp-auditor-2026"
    )
    auditor.groups.add(Group.objects.get(name=ADMIN_ROLES["audit"]))
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    second = Watched(context.new_page())
    admin_sign_in(second.page, auditor, password(auditor))
    visited = walk_menu(second, portal_content)
    assert any(path.startswith("/admin/audit/") for path in visited), visited
    second.clean()
    context.close()

"""What a citizen sees in Chromium: portals with their own footer, care mode, accessibility, phones."""

import pytest

from tests.e2e.conftest import run_axe

pytestmark = pytest.mark.django_db(transaction=True)
PAGES = [
    ("home", "/"),
    ("column", "/gzdt/"),
    ("article", "/gzdt/a0/"),
    ("search", "/search/?q=平陆运河"),
]


@pytest.mark.parametrize("code,sponsor", [("nanning", "南宁市信访局"), ("liuzhou", "柳州市信访局")])
def test_pages_of_two_portals_render_with_their_own_footer(desktop, portal_content, code, sponsor):
    for name, path in PAGES:
        response = desktop.goto(portal_content(code, path))
        assert response.status == 200, name
        footer = desktop.locator("footer").inner_text()
        assert f"主办单位：{sponsor}" in footer, name
        assert "桂ICP备" in footer, name
    titles = desktop.locator(".search-results h2").all_inner_texts()
    assert sum("推进平陆运河信访事项办理" in t for t in titles) == 3
    assert desktop.locator(".search-results mark").first.inner_text() == "平陆运河"


@pytest.mark.parametrize("code", ["nanning", "liuzhou"])
def test_pages_have_no_serious_accessibility_violations(desktop, portal_content, code):
    for name, path in PAGES:
        desktop.goto(portal_content(code, path))
        assert run_axe(desktop) == [], name


def test_care_mode_enlarges_text_and_persists_across_pages(phone, portal_content):
    phone.goto(portal_content("nanning", "/"))
    before = phone.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    phone.get_by_role("button", name="关怀模式").click()
    assert phone.evaluate("document.documentElement.classList.contains('care-mode')")
    assert phone.locator("[data-care-toggle]").get_attribute("aria-pressed") == "true"
    phone.goto(portal_content("nanning", "/gzdt/a0/"))
    assert phone.evaluate("document.documentElement.classList.contains('care-mode')")
    style = phone.evaluate(
        "(() => { const s = getComputedStyle(document.querySelector('.body p') || document.body);"
        " return [parseFloat(s.fontSize), parseFloat(s.lineHeight)]; })()"
    )
    assert style[0] >= 18 and style[0] > before
    assert style[1] / style[0] >= 1.3
    height = phone.evaluate("document.querySelector('.site-nav a').getBoundingClientRect().height")
    assert height >= 48
    assert run_axe(phone) == []
    phone.reload()
    assert phone.evaluate("document.documentElement.classList.contains('care-mode')")
    phone.get_by_role("button", name="退出关怀模式").click()
    phone.goto(portal_content("nanning", "/"))
    assert not phone.evaluate("document.documentElement.classList.contains('care-mode')")


def test_keyboard_users_reach_the_skip_link_first(desktop, portal_content):
    desktop.goto(portal_content("nanning", "/gzdt/"))
    desktop.keyboard.press("Tab")
    assert desktop.evaluate("document.activeElement.textContent") == "跳到主要内容"
    desktop.keyboard.press("Enter")
    assert desktop.evaluate("location.hash") == "#main"


def test_phone_pages_do_not_scroll_sideways(phone, portal_content):
    for _, path in PAGES:
        phone.goto(portal_content("liuzhou", path))
        assert phone.evaluate("document.documentElement.scrollWidth <= screen.width + 1"), path

"""Every citizen form in Chromium, on a phone (375×812) and a desktop (1366×900): submitted
empty, it shows the error summary at the top, focused, whose links move to the fields; axe-core
finds no violation of any impact with the errors shown; the counter counts down; the
confirmation and the printable receipt are clean too."""

import pytest

from tests.e2e.conftest import run_axe
from tests.e2e.test_bridge_browser import captcha_answer, last_sms_code

pytestmark = pytest.mark.django_db(transaction=True)

FORMS = [
    ("/hdjl/xf/", "提交"),
    ("/hdjl/plyh/", "提交"),
    ("/hdjl/ldly/xx/", "提交留言"),
    ("/hdjl/rmjy/jy/", "提交建议"),
    ("/hdjl/cx/", "查询"),
]


@pytest.fixture(params=[(375, 812), (1366, 900)], ids=["phone", "desktop"])
def screen(request, browser):
    width, height = request.param
    context = browser.new_context(
        viewport={"width": width, "height": height},
        locale="zh-CN",
        is_mobile=width < 500,
        has_touch=width < 500,
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def forms_site(portal_content):
    from backend_bridge.models import Leader
    from sites.models import Portal

    Leader.objects.create(portal=Portal.objects.get(code="nanning"), name="陈志强", title="局长")
    return portal_content


def _shot(page, name: str) -> None:
    """With DOCS_SCREENSHOTS=1, keep this screen for the manual (docs/citizen-forms.md)."""
    import os
    from pathlib import Path

    if os.environ.get("DOCS_SCREENSHOTS"):
        target = Path(__file__).resolve().parents[2] / "docs" / "img" / f"{name}.png"
        page.screenshot(path=str(target), full_page=False)


def _check_summary(page):
    summary = page.locator("[data-error-summary]").first
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    assert page.title().startswith("错误：")
    links = summary.locator("a")
    assert links.count() >= 1
    target = links.first.get_attribute("href")[1:]
    links.first.click()
    assert page.evaluate("document.activeElement.id") == target
    return links.count()


@pytest.mark.parametrize(("path", "button"), FORMS)
def test_an_empty_form_shows_the_summary_and_is_accessible(screen, forms_site, path, button):
    screen.goto(forms_site("nanning", path))
    screen.get_by_role("button", name=button, exact=True).click()
    screen.wait_for_selector("[data-error-summary]")
    if path == "/hdjl/xf/":
        screen.locator("[data-error-summary]").scroll_into_view_if_needed()
        _shot(screen, f"forms-error-summary-{screen.viewport_size['width']}")
    assert _check_summary(screen) >= 2
    assert run_axe(screen, impacts=None) == []
    assert screen.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_the_counter_counts_down_as_the_citizen_types(screen, forms_site):
    screen.goto(forms_site("nanning", "/hdjl/xf/"))
    count = screen.locator("#id_title_count")
    assert "还可以输入 100 个字" in count.inner_text()
    screen.fill("#id_title", "反映供水问题")
    assert "还可以输入 94 个字" in count.inner_text()
    assert screen.locator("#id_title").get_attribute("maxlength") == "100"


def test_the_captcha_is_large_and_changes_on_request(screen, forms_site):
    screen.goto(forms_site("nanning", "/hdjl/xf/"))
    screen.wait_for_function("() => document.querySelector('[data-captcha-key]').value.length > 0")
    image = screen.locator("[data-captcha-image]")
    box = image.bounding_box()
    assert box["width"] >= 160 and box["height"] >= 60
    first = screen.locator("[data-captcha-key]").input_value()
    screen.get_by_role("button", name="换一张").click()
    screen.wait_for_function(
        "(first) => document.querySelector('[data-captcha-key]').value !== first", arg=first
    )


def test_confirmation_receipt_and_evaluation_are_accessible(screen, forms_site):
    from backend_bridge.idcard import build_id_number
    from backend_bridge.models import Submission
    from backend_bridge.services.status import record_event

    id_number, mobile = build_id_number("450103", seq=31), "13907710031"
    screen.goto(forms_site("nanning", "/hdjl/xf/"))
    screen.select_option("#id_petition_type", index=1)
    screen.fill("#id_title", "小区路灯长期不亮")
    screen.fill("#id_content", "江南区某小区路灯坏了两个月，晚上出行很不安全，请尽快维修。")
    screen.select_option("#id_region_code", index=1)
    screen.fill("#id_county", "江南区")
    screen.fill("#id_name", "李四")
    screen.fill("#id_id_number", id_number)
    screen.fill("#id_phone", mobile)
    screen.fill("#id_captcha_answer", captcha_answer(screen))
    screen.get_by_role("button", name="获取短信验证码").click()
    screen.wait_for_function(
        "() => document.querySelector('[data-sms-status]').textContent.includes('已发送')"
    )
    screen.fill("#id_sms_code", last_sms_code(mobile))
    screen.get_by_role("button", name="提交", exact=True).click()
    code = screen.locator("#query-code")
    query_code = code.inner_text().strip()
    box = code.bounding_box()
    line = screen.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('#query-code')).lineHeight)"
    )
    assert box["height"] < 2 * line  # the whole code on one line
    assert screen.get_by_role("button", name="复制查询码").is_visible()
    _shot(screen, f"forms-accepted-{screen.viewport_size['width']}")
    assert run_axe(screen, impacts=None) == []
    screen.reload()
    assert screen.locator("#query-code").inner_text().strip() == query_code

    screen.get_by_role("link", name="打印回执").click()
    assert query_code in screen.content()
    _shot(screen, f"forms-receipt-{screen.viewport_size['width']}")
    assert run_axe(screen, impacts=None) == []

    record_event(Submission.objects.get(), status="replied", origin="inbox", reply="已安排维修。")
    screen.goto(forms_site("nanning", "/hdjl/cx/"))
    screen.fill("#id_query_code", query_code)
    screen.fill("#id_id_tail", id_number[-6:])
    screen.get_by_role("button", name="查询", exact=True).click()
    screen.get_by_role("button", name="提交评价").click()
    screen.wait_for_selector("[data-error-summary]")
    _check_summary(screen)
    assert run_axe(screen, impacts=None) == []

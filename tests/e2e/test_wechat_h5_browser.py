"""A citizen inside WeChat, on a phone: web authorisation through the simulated WeChat, the
petition page in one column with large type, then the lookup page listing it (Chromium)."""

import json

import pytest

from tests.e2e.conftest import run_axe
from tests.e2e.test_bridge_browser import captcha_answer, last_sms_code
from tests.simulators.wechat import WeChatSimulator

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def wechat(settings):
    with WeChatSimulator(delay=3.0) as simulator:
        settings.WECHAT_API_BASE = simulator.url
        settings.WECHAT_OPEN_BASE = simulator.url
        settings.WECHAT_ACCOUNTS = json.dumps(
            [simulator.account_entry(code="gxxf", name="广西信访", kind="service")],
            ensure_ascii=False,
        )
        yield simulator


def one_column(page, selector: str) -> bool:
    """Every element matching ``selector`` starts at the same left edge and is almost as wide as
    the form: no two side by side."""
    boxes = page.eval_on_selector_all(
        selector,
        "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.x, r.width]; })",
    )
    form = page.eval_on_selector("form.bb-form", "e => e.getBoundingClientRect().width")
    return len({round(x) for x, _ in boxes}) == 1 and all(w >= form * 0.85 for _, w in boxes)


def test_the_petition_and_lookup_pages_on_a_phone_inside_wechat(phone, portal_content, wechat):
    from backend_bridge.idcard import build_id_number

    id_number, mobile = build_id_number("450103", seq=21), "13907710021"
    phone.goto(portal_content("gx", "/wechat/gxxf/h5/xf/"))  # through the simulated WeChat
    # (a browser keeps the authorize URL's fragment through the redirects, as WeChat does)
    assert phone.url.split("#")[0].endswith("/wechat/gxxf/h5/xf/")
    assert len(wechat.calls("sns/oauth2/access_token")) == 1
    assert run_axe(phone) == []
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert phone.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 18
    assert one_column(
        phone, ".bb-field > input[type=text], .bb-field > select, .bb-field > textarea"
    )
    button = phone.get_by_role("button", name="提交").bounding_box()
    assert button["height"] >= 44

    phone.get_by_role("button", name="提交").click()  # nothing filled in
    summary = phone.locator("[data-error-summary]")
    assert summary.is_visible() and summary.bounding_box()["y"] < 400  # the top of the page
    summary.get_by_role("link", name="标题：请填写标题。").click()
    assert phone.evaluate("document.activeElement.id") == "id_title"
    assert run_axe(phone) == []

    phone.select_option("#id_petition_type", index=1)
    phone.fill("#id_title", "村道损毁无人修复")
    phone.fill("#id_content", "我村通往镇上的村道去年被洪水冲毁，至今无人修复，群众出行非常困难。")
    phone.select_option("#id_region_code", index=7)
    phone.fill("#id_county", "灵山县")
    phone.fill("#id_name", "黄志强")
    phone.fill("#id_id_number", id_number)
    phone.fill("#id_phone", mobile)
    phone.fill("#id_captcha_answer", captcha_answer(phone))
    phone.get_by_role("button", name="获取短信验证码").click()
    # A locator, not a string predicate: the page's CSP (rightly) refuses string evaluation.
    phone.locator("[data-sms-status]", has_text="已发送").first.wait_for()
    phone.fill("#id_sms_code", last_sms_code(mobile))
    phone.get_by_role("button", name="提交").click()
    assert phone.locator("[data-query-code]").inner_text().strip()

    phone.get_by_role("link", name="去查询").click()
    mine = phone.locator("[data-my-cases]")
    assert "村道损毁无人修复" in mine.inner_text()
    assert run_axe(phone) == []
    mine.get_by_role("link").first.click()
    assert phone.locator("[data-status]").inner_text() == "已提交"
    assert id_number not in phone.content()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

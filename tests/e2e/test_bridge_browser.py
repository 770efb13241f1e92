"""A citizen on a phone submits a petition with a photo, then looks it up (Chromium)."""

import pytest
from PIL import Image

from tests.e2e.conftest import run_axe

pytestmark = pytest.mark.django_db(transaction=True)


def captcha_answer(page) -> str:
    """The answer of the captcha the page shows, read where the server keeps it."""
    from django.core.cache import cache

    from backend_bridge.captcha import KEY_PREFIX

    page.wait_for_function("() => document.querySelector('[data-captcha-key]').value.length > 0")
    key = page.locator("[data-captcha-key]").first.input_value()
    return str(cache.get(f"{KEY_PREFIX}:{key}")["answer"])


def last_sms_code(phone: str) -> str:
    from backend_bridge.providers.sms import ConsoleSmsProvider

    message = [m for m in ConsoleSmsProvider.sent if m["phone"] == phone][-1]
    return str(message["params"]["code"])


def photo(tmp_path):
    path = tmp_path / "现场照片.jpg"
    Image.new("RGB", (800, 600), (120, 160, 90)).save(path, "JPEG")
    return path


def test_a_citizen_submits_a_petition_with_a_photo_and_looks_it_up(phone, portal_content, tmp_path):
    from backend_bridge.idcard import build_id_number

    id_number, mobile = build_id_number("450103"), "13907710001"
    phone.goto(portal_content("nanning", "/hdjl/xf/"))
    assert run_axe(phone) == []
    phone.select_option("#id_petition_type", index=1)
    phone.fill("#id_title", "小区旁工地夜间施工噪音扰民")
    phone.fill(
        "#id_content", "青秀区某工地连续两周夜间施工到凌晨，影响周边居民休息，请有关部门依法处理。"
    )
    phone.select_option("#id_region_code", index=1)
    phone.fill("#id_county", "青秀区")
    phone.set_input_files("#id_attachments", str(photo(tmp_path)))
    phone.fill("#id_name", "张三")
    phone.fill("#id_id_number", id_number)
    phone.fill("#id_phone", mobile)
    phone.fill("#id_captcha_answer", captcha_answer(phone))
    phone.get_by_role("button", name="获取短信验证码").click()
    # A locator, not a string predicate: the page's CSP (rightly) refuses string evaluation.
    phone.locator("[data-sms-status]", has_text="已发送").first.wait_for()
    phone.fill("#id_sms_code", last_sms_code(mobile))
    phone.get_by_role("button", name="提交").click()
    query_code = phone.locator("[data-query-code]").inner_text().strip()
    assert len(query_code.replace("-", "")) >= 16

    phone.goto(portal_content("nanning", "/hdjl/cx/"))
    phone.fill("#id_query_code", query_code)
    phone.fill("#id_id_tail", id_number[-6:])
    phone.get_by_role("button", name="查询").click()
    assert "小区旁工地夜间施工噪音扰民" in phone.content()
    assert phone.locator("[data-status]").inner_text()
    assert id_number not in phone.content()  # personal data shown masked, if at all
    assert phone.evaluate("document.documentElement.scrollWidth <= screen.width + 1")


def test_a_wrong_id_number_keeps_what_was_typed(phone, portal_content):
    phone.goto(portal_content("nanning", "/hdjl/xf/"))
    phone.fill("#id_title", "反映供水问题")
    phone.fill("#id_content", "小区停水三天无人处理。")
    phone.fill("#id_id_number", "450103199001011234")
    phone.get_by_role("button", name="提交").click()
    assert phone.locator("#id_title").input_value() == "反映供水问题"
    assert phone.locator("#id_content").input_value() == "小区停水三天无人处理。"
    assert "身份证" in phone.locator(".bb-errors, .bb-field").all_inner_texts().__str__()


def test_the_petition_form_fits_a_phone_in_care_mode(phone, portal_content):
    phone.context.add_cookies(
        [{"name": "care_mode", "value": "1", "url": portal_content("nanning")}]
    )
    for path in ("/hdjl/xf/", "/hdjl/plyh/", "/hdjl/cx/"):
        phone.goto(portal_content("nanning", path))
        assert phone.evaluate("document.documentElement.classList.contains('care-mode')")
        assert phone.evaluate("document.documentElement.scrollWidth <= screen.width + 1"), path


def test_interaction_pages_are_accessible_on_a_phone(phone, portal_content):
    for path in (
        "/hdjl/",
        "/hdjl/ldly/",
        "/hdjl/ldly/xx/",
        "/hdjl/rmjy/",
        "/hdjl/rmjy/jy/",
        "/hdjl/cx/",
    ):
        response = phone.goto(portal_content("liuzhou", path))
        assert response.status == 200, path
        assert run_axe(phone) == [], path
        assert phone.evaluate("document.documentElement.scrollWidth <= screen.width + 1"), path

"""The portal home pages and chrome in Chromium, on a phone (375×812) and a desktop (1366×900):
every element of the regional and a city home, in 关怀模式 too; the phone menu without
JavaScript; the service entrances; the carousel that never moves in 关怀模式; and axe-core with
every impact on each page type and each error page."""

from datetime import timedelta

import pytest

from tests.e2e.conftest import run_axe

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1366, "height": 900}
SERVICES = {
    "我要信访": ("/hdjl/xf/", "网上信访"),
    "平陆运河绿色通道": ("/hdjl/plyh/", "平陆运河绿色通道"),
    "信访件查询评价": ("/hdjl/cx/", "查询评价"),
    "领导留言板": ("/hdjl/ldly/", "领导留言板"),
    "人民建议征集": ("/hdjl/rmjy/", "人民建议征集"),
}


@pytest.fixture
def homes(live_server):
    """gx and 南宁 with articles, notices, a 头条, a three-picture carousel, topic banners and an
    open campaign, as the demo seeding makes them."""
    from django.utils import timezone

    from backend_bridge.models import SuggestionCampaign
    from cms.factories import ArticlePageFactory, paragraph
    from sites.models import Portal
    from sites.services.home_seeding import seed_demo_home
    from sites.services.seeding import seed_portals

    seed_portals(demo=False, dictionaries=False)
    port = live_server.url.rsplit(":", 1)[1]
    today = timezone.localdate()
    for code in ("gx", "nanning"):
        portal = Portal.objects.get(code=code)
        home = portal.site.root_page
        for slug, prefix in (("gzdt", "信访工作动态"), ("tzgg", "通知"), ("xfzn", "指南")):
            column = home.get_children().get(slug=slug)
            for n in range(3):
                ArticlePageFactory(
                    parent=column,
                    slug=f"a{n}",
                    title=f"{portal.city}{prefix}第{n}期",
                    body=paragraph(f"{portal.city}信访局认真落实《信访工作条例》。"),
                )
        seed_demo_home(portal)
        home = home.specific
        home.carousel_interval = 3
        home.save_revision().publish()
        SuggestionCampaign.objects.create(
            portal=portal,
            title=f"{portal.city}营商环境建言",
            start_date=today,
            end_date=today + timedelta(days=10),
        )
    return lambda code, path="/": f"http://{code}.localhost:{port}{path}"


def new_page(browser, viewport, care=False, javascript=True):
    context = browser.new_context(
        viewport=viewport,
        locale="zh-CN",
        is_mobile=viewport is PHONE,
        has_touch=viewport is PHONE,
        java_script_enabled=javascript,
    )
    if care:
        context.add_cookies([{"name": "care_mode", "value": "1", "url": "http://localhost"}])
    return context.new_page()


def care_cookie(page, url):
    page.context.add_cookies([{"name": "care_mode", "value": "1", "url": url}])


def assert_every_home_element(page, regional: bool, phone: bool):
    visible = lambda selector: page.locator(selector).first.is_visible()  # noqa: E731
    assert visible(".site-header .site-logo") and visible(".site-header .site-name")
    assert visible("#site-search") and visible("[data-care-toggle]") and visible(".a11y-link")
    if phone:
        # 我要信访 is on the first screen of a phone: one tap away.
        petition = page.locator(".service-grid").get_by_role("link", name="我要信访")
        assert petition.bounding_box()["y"] + 40 < PHONE["height"]
        assert visible(".menu-button") and not visible(".site-nav-wide")
        page.locator(".menu-button").click()
        assert page.locator(".menu-phone .site-nav a", has_text="工作动态").is_visible()
        page.locator(".menu-button").click()
    else:
        assert visible(".site-nav-wide") and not visible(".menu-button")
    assert visible(".headline img") and "头条" in page.locator(".headline").inner_text()
    assert visible(".carousel .carousel-slide.is-current img")
    assert page.locator(".carousel-controls button").count() == 3
    assert visible(".notices") and page.locator(".notices li").count() == 3
    for title in SERVICES:
        assert page.get_by_role("link", name=title).first.is_visible(), title
    assert "营商环境建言" in page.locator(".campaigns").inner_text()
    assert page.locator(".topic-banners img").count() >= 1
    blocks = page.locator(".column-block h2").all_inner_texts()
    assert "工作动态" in blocks and "信访指南" in blocks
    group = page.locator(".portal-group a").all_inner_texts()
    if regional:
        assert len(group) == 14 and "崇左" in group and "广西壮族自治区信访局" not in group
    else:
        assert "广西壮族自治区信访局" in group and "柳州" in group and "南宁" not in group
    footer = page.locator("footer").inner_text()
    for text in ("主办单位", "承办单位", "（邮编：530000）", "网站标识码", "桂ICP备", "桂公网安备"):
        assert text in footer, text
    assert visible("footer img[alt='党政机关网站标识']")
    assert visible("footer a[href='/wzdt/']") and visible("footer a[href='/wza/']")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    levels = page.evaluate("[...document.querySelectorAll('h1,h2,h3,h4')].map(h => +h.tagName[1])")
    assert levels[0] == 1 and all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), (
        levels
    )


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("code", ["gx", "nanning"])
def test_home_shows_every_element_and_passes_axe_in_both_modes(browser, homes, code, viewport):
    page = new_page(browser, viewport)
    page.goto(homes(code))
    assert_every_home_element(page, regional=code == "gx", phone=viewport is PHONE)
    assert run_axe(page, impacts=None) == []
    care_cookie(page, homes(code))
    page.goto(homes(code))
    assert page.evaluate("document.documentElement.classList.contains('care-mode')")
    assert_every_home_element(page, regional=code == "gx", phone=viewport is PHONE)
    assert run_axe(page, impacts=None) == []
    page.context.close()


def test_phone_menu_opens_without_javascript(browser, homes):
    page = new_page(browser, PHONE, javascript=False)
    page.goto(homes("nanning"))
    link = page.locator(".menu-phone .site-nav a", has_text="政策法规")
    assert not link.is_visible()
    page.locator(".menu-button").click()
    assert link.is_visible()
    link.click()
    assert page.url.endswith("/zcfg/")
    page.context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_service_entrances_lead_to_the_forms(browser, homes, viewport):
    page = new_page(browser, viewport)
    for title, (path, heading) in SERVICES.items():
        page.goto(homes("nanning"))
        page.locator(".service-grid").get_by_role("link", name=title).click()
        assert page.url.endswith(path), title
        assert page.locator("h1").inner_text() == heading
    page.goto(homes("nanning"))
    page.locator(".campaigns a").first.click()
    assert "/hdjl/rmjy/zt/" in page.url and "营商环境建言" in page.locator("h1").inner_text()
    page.context.close()


def current_slide(page) -> str:
    return page.locator("[data-carousel]").get_attribute("data-current")


def test_carousel_moves_by_itself_but_never_in_care_mode_nor_when_focused(browser, homes):
    page = new_page(browser, DESKTOP)
    page.goto(homes("nanning"))
    page.mouse.move(0, 0)
    assert current_slide(page) == "0"
    page.wait_for_function(
        "() => document.querySelector('[data-carousel]').dataset.current !== '0'", timeout=6000
    )
    # Pointing at the carousel pauses it.
    page.hover(".carousel-slides")
    assert page.locator("[data-carousel]").get_attribute("data-playing") == "false"
    before = current_slide(page)
    page.wait_for_timeout(4000)
    assert current_slide(page) == before
    page.mouse.move(0, 0)
    assert page.locator("[data-carousel]").get_attribute("data-playing") == "true"
    # Keyboard focus inside the carousel pauses it.
    page.locator("[data-carousel-next]").focus()
    before = current_slide(page)
    page.wait_for_timeout(4000)
    assert current_slide(page) == before
    # The pause button stops it; the status says where we are.
    page.locator("[data-carousel-toggle]").click()
    assert page.locator("[data-carousel-toggle]").get_attribute("aria-pressed") == "true"
    page.locator("[data-carousel-next]").click()
    assert page.locator("[data-carousel-status]").inner_text().endswith("/ 3")
    page.context.close()

    care = new_page(browser, PHONE)
    care_cookie(care, homes("nanning"))
    care.goto(homes("nanning"))
    assert current_slide(care) == "0"
    care.wait_for_timeout(4500)
    assert current_slide(care) == "0"
    assert care.locator("[data-carousel]").get_attribute("data-playing") == "false"
    care.locator("[data-carousel-next]").click()
    assert current_slide(care) == "1"
    care.wait_for_timeout(3500)
    assert current_slide(care) == "1"
    care.context.close()


def test_switching_care_mode_on_stops_a_moving_carousel(browser, homes):
    page = new_page(browser, DESKTOP)
    page.goto(homes("gx"))
    page.mouse.move(0, 0)
    assert page.locator("[data-carousel]").get_attribute("data-playing") == "true"
    page.get_by_role("button", name="关怀模式").click()
    page.mouse.move(0, 0)
    assert page.locator("[data-carousel]").get_attribute("data-playing") == "false"
    before = current_slide(page)
    page.wait_for_timeout(4000)
    assert current_slide(page) == before
    page.context.close()


PAGE_TYPES = [
    ("column", "/gzdt/"),
    ("article", "/gzdt/a0/"),
    ("topic", "/plyh/"),
    ("topic section", "/plyh/gcjz/"),
    ("search", "/search/?q=信访"),
    ("site map", "/wzdt/"),
    ("accessibility statement", "/wza/"),
]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_every_page_type_passes_axe_with_every_impact(browser, homes, viewport):
    page = new_page(browser, viewport)
    for name, path in PAGE_TYPES:
        response = page.goto(homes("nanning", path))
        assert response.status == 200, name
        assert run_axe(page, impacts=None) == [], name
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), name
    care_cookie(page, homes("nanning"))
    for name, path in PAGE_TYPES:
        page.goto(homes("nanning", path))
        assert run_axe(page, impacts=None) == [], f"{name} in care mode"
    page.context.close()


def test_site_map_links_every_column(browser, homes):
    page = new_page(browser, DESKTOP)
    page.goto(homes("nanning"))
    page.locator("footer").get_by_role("link", name="网站地图").click()
    assert page.url.endswith("/wzdt/")
    page.locator(".site-map").get_by_role("link", name="工程进展").click()
    assert page.url.endswith("/plyh/gcjz/") and page.locator("h1").inner_text() == "工程进展"
    page.context.close()


def serve(status, body):
    """A Playwright route handler answering with a response rendered by Django."""

    def handler(route, request=None):
        route.fulfill(status=status, body=body, content_type="text/html; charset=utf-8")

    return handler


def rendered(view, path, host):
    from django.test import RequestFactory

    response = view(RequestFactory().get(path, HTTP_HOST=host))
    return response.status_code, response.content.decode()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_error_pages_are_chinese_with_ways_back_and_pass_axe(browser, homes, viewport):
    from cms import errors

    page = new_page(browser, viewport)
    host = homes("nanning").split("//")[1].rstrip("/")

    response = page.goto(homes("nanning", "/no-such-page/"))
    assert response.status == 404 and "页面不存在" in page.locator("h1").inner_text()
    checked = ["404"]

    query = "&".join(f"a{n}=1" for n in range(1100))
    response = page.goto(homes("nanning", f"/search/?{query}"))
    assert response.status == 400 and "无法识别" in page.locator("h1").inner_text()
    assert run_axe(page, impacts=None) == [], "400"
    checked.append("400")

    # A form posted without its CSRF token (an expired page): the real CSRF failure page.
    page.goto(homes("nanning", "/hdjl/xf/"))
    with page.expect_navigation():
        page.evaluate(
            "(() => { const f = document.createElement('form'); f.method = 'post';"
            " f.action = '/hdjl/xf/'; document.body.appendChild(f); f.submit(); })()"
        )
    assert "页面已过期" in page.locator("h1").inner_text()
    assert run_axe(page, impacts=None) == [], "csrf"
    checked.append("csrf")

    # 403 and 500 as the error handlers answer them, served under the portal's address.
    for name, view in (("403", errors.permission_denied), ("500", errors.server_error)):
        status, body = rendered(view, "/gzdt/", host)
        page.route(homes("nanning", f"/__{name}__/"), serve(status, body))
        page.goto(homes("nanning", f"/__{name}__/"))
        assert page.locator("#main").get_by_role("link", name="返回首页").is_visible(), name
        assert page.locator("#main").get_by_role("link", name="信访指南").is_visible(), name
        assert run_axe(page, impacts=None) == [], name
        checked.append(name)

    page.goto(homes("nanning", "/no-such-page/"))
    assert run_axe(page, impacts=None) == [], "404"
    page.locator("#main").get_by_role("link", name="返回首页").click()
    assert page.url == homes("nanning")
    assert checked == ["404", "400", "csrf", "403", "500"]
    page.context.close()

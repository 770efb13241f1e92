"""Public error pages: Chinese, in the portal's chrome, with ways back; 500 and 400 need no
database; the admin keeps Wagtail's pages."""

import pytest
from django.test import Client, RequestFactory

from cms import errors

pytestmark = pytest.mark.django_db
NANNING = "nanning.localhost"
WAYS_BACK = ('href="/">返回首页', 'href="/search/">站内搜索', 'href="/xfzn/">信访指南')


def assert_ways_back(html):
    for link in WAYS_BACK:
        assert link in html


def test_missing_page_answers_404_in_the_portals_chrome(client):
    response = client.get("/no-such-page/", HTTP_HOST=NANNING)
    assert response.status_code == 404
    html = response.content.decode()
    assert "您访问的页面不存在" in html and "主办单位：南宁市信访局" in html
    assert "<title>页面不存在 - 南宁市信访局</title>" in html
    assert_ways_back(html)


def test_admin_404_stays_wagtails(client, staff):
    client.force_login(staff("nanning", "editor"))
    response = client.get("/admin/no-such-screen/", HTTP_HOST=NANNING)
    assert response.status_code == 404
    html = response.content.decode()
    assert "主办单位" not in html and "page404" in html


def test_csrf_failure_on_a_citizen_form_explains_in_chinese(portals):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/hdjl/xf/", {"title": "诉求"}, HTTP_HOST=NANNING)
    assert response.status_code == 403
    html = response.content.decode()
    assert "页面已过期，请重新提交" in html and "主办单位：南宁市信访局" in html
    assert_ways_back(html)


def test_too_many_query_parameters_answer_the_static_400_page(client):
    query = "&".join(f"a{n}=1" for n in range(1100))
    response = client.get(f"/search/?{query}", HTTP_HOST=NANNING)
    assert response.status_code == 400
    html = response.content.decode()
    assert "无法识别您的请求" in html
    assert_ways_back(html)


def test_unknown_host_gets_the_400_page_without_a_traceback(client, settings):
    settings.ALLOWED_HOSTS = ["nanning.localhost"]
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "无法识别您的请求" in response.content.decode()


def test_403_page_is_in_the_portals_chrome(portals):
    request = RequestFactory().get("/hdjl/", HTTP_HOST=NANNING)
    response = errors.permission_denied(request)
    assert response.status_code == 403
    html = response.content.decode()
    assert "您无权访问该页面" in html and "南宁市信访局" in html
    assert_ways_back(html)


def test_500_page_needs_no_database_and_uses_the_cached_portal_name(
    client, django_assert_num_queries
):
    client.get("/", HTTP_HOST=NANNING)  # the chrome of 南宁 is now in the cache
    request = RequestFactory().get("/gzdt/", HTTP_HOST=NANNING)
    with django_assert_num_queries(0):
        response = errors.server_error(request)
    assert response.status_code == 500
    html = response.content.decode()
    assert "系统暂时无法处理您的请求" in html and "南宁市信访局" in html
    assert_ways_back(html)


def test_500_page_renders_when_the_cache_knows_nothing(django_assert_num_queries):
    request = RequestFactory().get("/", HTTP_HOST="liuzhou.localhost")
    with django_assert_num_queries(0):
        response = errors.server_error(request)
    assert response.status_code == 500
    assert "广西信访网站群" in response.content.decode()


def test_a_crashing_view_answers_with_the_500_page(client, monkeypatch):
    from cms import views

    def boom(*args, **kwargs):
        raise RuntimeError("故障")

    monkeypatch.setattr(views, "search_pages", boom)
    client.raise_request_exception = False
    response = client.get("/search/?q=信访", HTTP_HOST=NANNING)
    assert response.status_code == 500
    assert "系统暂时无法处理您的请求" in response.content.decode()

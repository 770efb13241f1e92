"""What citizens see on the portals: chrome, footer, columns, articles, sharing, care mode, health."""

from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from cms.blocks import ImageBlock
from cms.factories import ArticlePageFactory, ColumnPageFactory
from cms.models import ArticleShare

pytestmark = pytest.mark.django_db


def page(client, path, host="nanning.localhost", status=200):
    response = client.get(path, HTTP_HOST=host)
    assert response.status_code == status
    return response.content.decode()


def test_footer_shows_the_portals_own_filing_data_with_links(client):
    html = page(client, "/")
    assert "主办单位：南宁市信访局" in html
    assert 'href="https://beian.miit.gov.cn/"' in html and "桂ICP备" in html
    assert "https://beian.mps.gov.cn/#/query/webSearch?code=" in html
    assert "网站标识码：450100" in html
    assert "党政机关网站标识" in html
    liuzhou = page(client, "/", host="liuzhou.localhost")
    assert "主办单位：柳州市信访局" in liuzhou and "南宁市信访局" not in liuzhou


def test_pages_carry_no_third_party_scripts(client, column):
    ArticlePageFactory(parent=column, slug="x")
    for path in ("/", "/gzdt/", "/gzdt/x/", "/search/?q=信访"):
        html = page(client, path)
        assert '<script src="http' not in html and "<iframe" not in html


def test_a_new_column_appears_in_the_navigation(client, portals):
    assert "12345热线" not in page(client, "/")
    column = ColumnPageFactory(
        parent=portals["nanning"].site.root_page, title="12345热线", slug="rx", live=False
    )
    column.save_revision().publish()
    html = page(client, "/")
    assert '<a href="/rx/">12345热线</a>' in html


def test_column_lists_newest_first_and_paginates(client, column):
    from datetime import timedelta

    from django.utils import timezone

    column.page_size = 5
    column.save()
    now = timezone.now()
    for n in range(7):
        ArticlePageFactory(parent=column, title=f"第{n}篇", publish_date=now - timedelta(days=n))
    first = page(client, "/gzdt/")
    assert first.index("第0篇") < first.index("第1篇")
    assert "第6篇" not in first and "第 1 / 2 页" in first
    assert "第6篇" in page(client, "/gzdt/?page=2")
    assert "第6篇" in page(client, "/gzdt/?page=abc") or "第0篇" in page(client, "/gzdt/?page=abc")


def test_article_shows_its_metadata_and_body(client, column):
    ArticlePageFactory(
        parent=column,
        slug="a",
        title="关于信访的报道",
        subtitle="副标题示例",
        source="南宁日报",
        author="记者甲",
    )
    html = page(client, "/gzdt/a/")
    for text in (
        "<h1>关于信访的报道</h1>",
        "副标题示例",
        "来源：南宁日报",
        "作者：记者甲",
        "《信访工作条例》",
    ):
        assert text in html


def test_a_shared_article_reads_under_the_other_portals_host_with_a_canonical_link(
    client, column, portals
):
    article = ArticlePageFactory(parent=column, slug="shared", title="南宁经验做法")
    liuzhou_column = portals["liuzhou"].site.root_page.get_children().get(slug="gzdt").specific
    ArticleShare.objects.create(
        article=article, column=liuzhou_column, status=ArticleShare.Status.ACCEPTED
    )
    listing = page(client, "/gzdt/", host="liuzhou.localhost")
    assert f'href="/gzdt/shared/{article.pk}/"' in listing
    html = page(client, f"/gzdt/shared/{article.pk}/", host="liuzhou.localhost")
    assert "南宁经验做法" in html
    assert '<link rel="canonical" href="http://nanning.localhost/gzdt/shared/">' in html
    assert "主办单位：柳州市信访局" in html  # the hosting portal's chrome
    assert (
        ArticlePageFactory._meta.model.objects.filter(title="南宁经验做法").count() == 1
    )  # not copied


def test_an_article_not_shared_to_a_column_is_not_served_there(client, column):
    article = ArticlePageFactory(parent=column, slug="private")
    page(client, f"/gzdt/shared/{article.pk}/", host="liuzhou.localhost", status=404)


def test_content_images_need_alt_text():
    with pytest.raises(ValidationError):
        ImageBlock().clean({"image": None, "alt": " ", "caption": ""})


def test_care_mode_switch_sets_a_cookie_and_returns_to_the_page(client):
    response = client.get(
        "/care-mode/", {"on": "1", "next": "/gzdt/"}, HTTP_HOST="nanning.localhost"
    )
    assert response.status_code == 302 and response["Location"] == "/gzdt/"
    assert response.cookies["care_mode"].value == "1"
    assert 'class="care-mode"' in page(client, "/gzdt/")
    client.get("/care-mode/", {"on": "0", "next": "/"}, HTTP_HOST="nanning.localhost")
    assert 'class="care-mode"' not in page(client, "/")


def test_care_mode_switch_never_redirects_off_site(client):
    response = client.get(
        "/care-mode/", {"on": "1", "next": "https://evil.example/"}, HTTP_HOST="nanning.localhost"
    )
    assert response["Location"] == "/"


def test_pages_have_a_skip_link_and_landmarks(client):
    html = page(client, "/")
    for marker in (
        'href="#main"',
        'role="banner"',
        'id="main"',
        'role="contentinfo"',
        'aria-label="主导航"',
        'lang="zh-CN"',
    ):
        assert marker in html


def test_unknown_page_is_a_404(client):
    page(client, "/no-such-column/", status=404)


def test_healthz_answers_even_for_unknown_hosts(client):
    response = client.get("/healthz", HTTP_HOST="10.0.0.8")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_reports_database_and_cache(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "cache": "ok"}


def test_readyz_is_503_with_a_reason_when_the_database_is_down(client):
    from django.db import OperationalError

    with mock.patch(
        "operations.health.connection.cursor",
        side_effect=OperationalError("connection refused to db.internal:5432"),
    ):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "database_unreachable"
    assert "db.internal" not in response.content.decode()


def test_the_canal_topic_links_to_the_green_channel_and_every_page_to_interaction(client):
    html = page(client, "/plyh/")
    assert 'href="/hdjl/plyh/"' in html
    assert '<a href="/hdjl/">互动交流</a>' in page(client, "/gzdt/")
    assert 'href="/hdjl/plyh/"' not in page(client, "/zlgtt/")

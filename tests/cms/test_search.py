"""站内搜索: Chinese segmentation, per-portal and group-wide scope, highlighting, paging, bad input."""

import pytest

from cms.factories import ArticlePageFactory, paragraph
from cms.search import query_terms, segment

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles(portals):
    def column(code):
        return portals[code].site.root_page.get_children().get(slug="gzdt")

    return {
        "canal": ArticlePageFactory(
            parent=column("nanning"),
            title="重大工程建设动态",
            body=paragraph("我市全力保障平陆运河建设，沿线群众诉求得到及时回应。"),
        ),
        "matter": ArticlePageFactory(
            parent=column("nanning"),
            title="规范工作流程",
            body=paragraph("全面提升信访事项办理质量和效率。"),
        ),
        "other": ArticlePageFactory(
            parent=column("nanning"), title="机关党建", body=paragraph("开展主题党日活动。")
        ),
        "liuzhou": ArticlePageFactory(
            parent=column("liuzhou"),
            title="柳州动态",
            body=paragraph("柳州市协助做好平陆运河移民安置工作。"),
        ),
    }


def search(client, host, **params):
    response = client.get("/search/", params, HTTP_HOST=host)
    assert response.status_code == 200
    return response.content.decode()


def test_a_word_inside_a_longer_text_is_found(client, articles):
    html = search(client, "nanning.localhost", q="平陆运河")
    assert "重大工程建设动态" in html
    assert "机关党建" not in html


def test_a_query_finds_the_longer_compound_it_starts(client, articles):
    html = search(client, "nanning.localhost", q="信访事项")
    assert "规范工作流程" in html
    assert "机关党建" not in html


def test_portal_search_stays_on_its_portal_and_scope_all_covers_the_group(client, articles):
    assert "柳州动态" not in search(client, "nanning.localhost", q="平陆运河")
    group = search(client, "nanning.localhost", q="平陆运河", scope="all")
    assert "柳州动态" in group and "重大工程建设动态" in group
    assert (
        "http://liuzhou.localhost/gzdt/" in group
    )  # a result of another portal links to its own host


def test_snippets_highlight_the_query(client, articles):
    html = search(client, "nanning.localhost", q="平陆运河")
    assert "<mark>平陆运河</mark>" in html


def test_results_are_paginated(client, portals):
    column = portals["nanning"].site.root_page.get_children().get(slug="tzgg")
    for n in range(13):
        ArticlePageFactory(
            parent=column, title=f"码头通知{n}", body=paragraph("关于集装箱码头作业时间的通知。")
        )
    first = search(client, "nanning.localhost", q="集装箱码头")
    second = search(client, "nanning.localhost", q="集装箱码头", page=2)
    assert "找到 13 条" in first
    assert first.count('class="snippet"') == 10
    assert second.count('class="snippet"') == 3
    assert "第 2 / 2 页" in second


@pytest.mark.parametrize(
    "query",
    [
        "' OR 1=1 --",
        '"; DROP TABLE wagtailcore_page; --',
        "<script>alert(1)</script>",
        "平陆运河" * 500,
        "a" * 5000,
        "NEAR(信访 事项) AND * OR ^",
        "\x00\x1f",
        "%_%",
    ],
)
def test_hostile_queries_give_a_page_not_an_error(client, articles, query):
    html = search(client, "nanning.localhost", q=query)
    assert "<script>alert(1)</script>" not in html


def test_a_very_long_query_is_cut_and_says_so(client, articles):
    html = search(client, "nanning.localhost", q="平陆运河" * 100)
    assert "关键词过长" in html


def test_segmentation_splits_compounds_and_keeps_query_terms_finest():
    assert {"信访", "事项"} <= set(segment("信访事项办理").split())
    terms = query_terms("平陆运河")
    assert {"平陆", "运河"} <= set(terms) and "平陆运河" not in terms
    assert query_terms("  ") == []

"""Column listings, home pages and articles run a fixed number of queries whatever the item count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.factories import ArticlePageFactory, ColumnPageFactory
from cms.models import ArticleShare

pytestmark = pytest.mark.django_db
HOST = "nanning.localhost"


def queries_for(client, path, host=HOST) -> int:
    """Queries of one request once per-process caches (site list, host map) are warm."""
    client.get(path, HTTP_HOST=host)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, HTTP_HOST=host)
    assert response.status_code == 200
    return len(captured)


def add_articles(column, n, prefix):
    for i in range(n):
        ArticlePageFactory(parent=column, title=f"{prefix}{i}")


def test_column_listing_queries_do_not_grow_with_items(client, column, portals, settings):
    settings.PAGE_CACHE_SECONDS = 0
    add_articles(column, 2, "少")
    few = queries_for(client, "/gzdt/")
    add_articles(column, 18, "多")
    ColumnPageFactory(parent=column, title="子栏目")
    liuzhou = portals["liuzhou"].site.root_page.get_children().get(slug="gzdt")
    shared = ArticlePageFactory(parent=liuzhou, title="柳州共享")
    ArticleShare.objects.create(article=shared, column=column, status=ArticleShare.Status.ACCEPTED)
    many = queries_for(client, "/gzdt/")
    assert many == few


def test_home_page_queries_do_not_grow_with_columns_or_items(client, column, portals, settings):
    settings.PAGE_CACHE_SECONDS = 0
    few = queries_for(client, "/")
    home = portals["nanning"].site.root_page
    for n in range(3):
        add_articles(ColumnPageFactory(parent=home, title=f"新栏目{n}"), 4, f"稿{n}-")
    add_articles(column, 10, "动态")
    assert queries_for(client, "/") == few


def test_article_page_queries_do_not_grow_with_siblings(client, column, settings):
    settings.PAGE_CACHE_SECONDS = 0
    article = ArticlePageFactory(parent=column, title="被访问的文章", slug="target")
    few = queries_for(client, "/gzdt/target/")
    add_articles(column, 15, "兄弟")
    assert queries_for(client, "/gzdt/target/") == few
    assert article.pk

"""Anonymous page views come from the full-page cache and change on the next request after publishing."""

import pytest
from wagtail.models import Page

from cms.factories import ArticlePageFactory
from cms.models import ArticleShare

pytestmark = pytest.mark.django_db
HOST = "nanning.localhost"


def get(client, path, host=HOST):
    response = client.get(path, HTTP_HOST=host)
    assert response.status_code == 200
    return response


def test_second_anonymous_view_is_served_from_the_cache(client, column):
    assert get(client, "/gzdt/")["X-Page-Cache"] == "miss"
    assert get(client, "/gzdt/")["X-Page-Cache"] == "hit"


def test_publishing_an_article_shows_it_on_column_and_home_at_once(client, column, staff):
    get(client, "/gzdt/"), get(client, "/")
    assert get(client, "/gzdt/")["X-Page-Cache"] == "hit"
    article = ArticlePageFactory(parent=column, title="新发布的工作动态", live=False)
    article.save_revision().publish()
    assert "新发布的工作动态" in get(client, "/gzdt/").content.decode()
    assert "新发布的工作动态" in get(client, "/").content.decode()


def test_unpublishing_removes_it_from_column_and_home_at_once(client, column):
    article = ArticlePageFactory(parent=column, title="即将撤下的稿件")
    article.save_revision()
    assert "即将撤下的稿件" in get(client, "/gzdt/").content.decode()
    assert "即将撤下的稿件" in get(client, "/").content.decode()
    article.unpublish()
    assert "即将撤下的稿件" not in get(client, "/gzdt/").content.decode()
    assert "即将撤下的稿件" not in get(client, "/").content.decode()


def test_moving_an_article_updates_both_columns(client, column, portals):
    notices = Page.objects.get(
        pk=portals["nanning"].site.root_page.get_children().get(slug="tzgg").pk
    )
    article = ArticlePageFactory(parent=column, title="调整栏目的稿件")
    article.save_revision()
    get(client, "/gzdt/"), get(client, "/tzgg/")
    article.move(notices, pos="last-child")
    assert "调整栏目的稿件" not in get(client, "/gzdt/").content.decode()
    assert "调整栏目的稿件" in get(client, "/tzgg/").content.decode()


def test_sharing_an_article_updates_the_other_portals_column(client, column, portals):
    liuzhou_column = portals["liuzhou"].site.root_page.get_children().get(slug="gzdt").specific
    article = ArticlePageFactory(parent=column, title="南宁经验推送全区")
    get(client, "/gzdt/", host="liuzhou.localhost")
    ArticleShare.objects.create(
        article=article, column=liuzhou_column, status=ArticleShare.Status.ACCEPTED
    )
    assert "南宁经验推送全区" in get(client, "/gzdt/", host="liuzhou.localhost").content.decode()


def test_logged_in_editors_never_see_cached_pages(client, column, staff):
    get(client, "/gzdt/"), get(client, "/gzdt/")
    client.force_login(staff("nanning", "editor"))
    response = get(client, "/gzdt/")
    assert "X-Page-Cache" not in response
    ArticlePageFactory(parent=column, title="编辑刚看到的稿件")  # created without a publish signal
    assert "编辑刚看到的稿件" in get(client, "/gzdt/").content.decode()


def test_care_mode_has_its_own_cached_copy(client, column):
    get(client, "/gzdt/")
    client.cookies["care_mode"] = "1"
    response = get(client, "/gzdt/")
    assert response["X-Page-Cache"] == "miss"
    assert 'class="care-mode"' in response.content.decode()


def test_footer_change_shows_at_once(client, portals):
    from sites.models import PortalSettings

    get(client, "/")
    footer = PortalSettings.for_site(portals["nanning"].site)
    footer.phone = "0771-9999999"
    footer.save()
    assert "0771-9999999" in get(client, "/").content.decode()

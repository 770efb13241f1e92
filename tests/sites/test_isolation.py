"""A city's staff can reach their own portal's pages in the admin and nothing of another city's."""

import pytest
from django.urls import reverse

from cms.factories import ArticlePageFactory
from sites.models import PortalSettings

pytestmark = pytest.mark.django_db


@pytest.fixture
def liuzhou_article(portals):
    column = portals["liuzhou"].site.root_page.get_children().get(slug="gzdt")
    return ArticlePageFactory(parent=column, title="柳州内部稿件")


@pytest.mark.parametrize(
    "view",
    [
        "wagtailadmin_pages:edit",
        "wagtailadmin_explore",
        "wagtailadmin_pages:add_subpage",
        "wagtailadmin_pages:delete",
    ],
)
def test_city_editor_gets_403_or_404_on_another_citys_page(client, staff, liuzhou_article, view):
    client.force_login(staff("nanning", "editor"))
    response = client.get(reverse(view, args=[liuzhou_article.pk]))
    assert response.status_code in (403, 404) or (
        response.status_code == 302
        and "/admin/" in response["Location"]
        and str(liuzhou_article.pk) not in response["Location"]
    )
    if response.status_code == 200:  # never show the page's content
        pytest.fail("another city's page was shown")


def test_city_editor_can_edit_own_portal_page(client, staff, column):
    article = ArticlePageFactory(parent=column, title="南宁稿件")
    client.force_login(staff("nanning", "editor"))
    assert client.get(reverse("wagtailadmin_pages:edit", args=[article.pk])).status_code == 200


def test_admin_search_and_explorer_never_list_another_citys_pages(
    client, staff, liuzhou_article, portals
):
    edit_link = reverse("wagtailadmin_pages:edit", args=[liuzhou_article.pk])
    client.force_login(staff("liuzhou", "editor"))  # control: the page's own city finds it
    assert (
        edit_link
        in client.get(reverse("wagtailadmin_pages:search"), {"q": "柳州内部稿件"}).content.decode()
    )
    client.force_login(staff("nanning", "editor"))
    search = client.get(reverse("wagtailadmin_pages:search"), {"q": "柳州内部稿件"})
    assert edit_link not in search.content.decode()
    home = client.get(reverse("wagtailadmin_explore", args=[portals["nanning"].site.root_page.pk]))
    assert home.status_code == 200
    liuzhou_home = portals["liuzhou"].site.root_page
    for page in (liuzhou_home, liuzhou_article):
        assert reverse("wagtailadmin_explore", args=[page.pk]) not in home.content.decode()
        assert reverse("wagtailadmin_pages:edit", args=[page.pk]) not in home.content.decode()


def test_editor_cannot_publish_directly(staff, column):
    article = ArticlePageFactory(parent=column)
    editor = staff("nanning", "editor")
    permissions = article.permissions_for_user(editor)
    assert permissions.can_edit()
    assert not permissions.can_publish()


def test_site_admin_edits_only_own_portal_footer(client, staff, portals):
    client.force_login(staff("nanning", "admin"))
    own = client.get(
        reverse(
            "wagtailsettings:edit",
            args=["portal_sites", "portalsettings", portals["nanning"].site.pk],
        )
    )
    other = client.get(
        reverse(
            "wagtailsettings:edit",
            args=["portal_sites", "portalsettings", portals["liuzhou"].site.pk],
        )
    )
    assert own.status_code == 200
    assert other.status_code in (302, 403)
    response = client.post(
        reverse(
            "wagtailsettings:edit",
            args=["portal_sites", "portalsettings", portals["liuzhou"].site.pk],
        ),
        {"sponsor": "篡改"},
    )
    assert response.status_code in (302, 403)
    assert PortalSettings.for_site(portals["liuzhou"].site).sponsor != "篡改"


def test_no_group_has_rights_on_every_portal():
    from wagtail.models import GroupPagePermission, Page, Workflow

    root = Page.get_first_root_node()
    assert not GroupPagePermission.objects.filter(page=root).exists()
    assert not Workflow.objects.filter(name="Moderators approval").exists()


def test_page_chooser_never_offers_another_citys_drafts(client, staff, portals):
    liuzhou_column = portals["liuzhou"].site.root_page.get_children().get(slug="gzdt")
    ArticlePageFactory(parent=liuzhou_column, title="柳州未发布草稿", live=False)
    ArticlePageFactory(parent=liuzhou_column, title="柳州已发布文章")
    client.force_login(staff("nanning", "editor"))
    html = client.get(reverse("wagtailadmin_choose_page_child", args=[liuzhou_column.pk])).json()[
        "html"
    ]
    assert "柳州已发布文章" in html
    assert "柳州未发布草稿" not in html
    search = client.get(reverse("wagtailadmin_choose_page_search"), {"q": "柳州未发布草稿"})
    body = search.json()["html"] if "json" in search["Content-Type"] else search.content.decode()
    assert "柳州未发布草稿" not in body.split("</form>")[-1]

"""The APP's content API: only what passed 三审 and the gate, synced with tombstones, cached
with ETags and the portal's generation tokens, pictures and HTML adapted for the web view."""

from __future__ import annotations

import pytest
from django.urls import reverse

from channels.models import AppEntry, Delivery
from cms.factories import ColumnPageFactory
from sensitive_words import services as sw_services
from sensitive_words.models import Dictionary, SensitiveWord
from tests.channels.app_content import (
    configure_app_channel,
    get,
    make_document,
    make_image,
    publish_article,
    work,
)
from tests.cms.editor import edit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def app_channel(settings):
    configure_app_channel(settings)
    yield
    from channels import base

    base.forget_channels()


def titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["title"] for item in response.json()["items"]]


# --- what is served ---------------------------------------------------------------------------


def test_an_article_published_by_the_admin_reaches_the_app_through_the_worker(
    client, column, staff
):
    from cms.factories import ArticlePageFactory

    admin = staff("nanning", "admin")
    page = ArticlePageFactory(parent=column, title="南宁信访局开展接访活动", live=False)
    page.save_revision(user=admin)
    client.force_login(admin)
    assert edit(client, page, action="publish", title="南宁信访局开展接访活动").status_code == 302
    client.logout()
    (delivery,) = Delivery.objects.filter(page=page, channel="app")
    assert delivery.state == "pending"
    assert "南宁信访局开展接访活动" not in titles(get(client, "/articles", site="nanning"))

    work()

    delivery.refresh_from_db()
    assert delivery.state == "published"
    listed = get(client, "/articles", site="nanning", column=column.pk).json()
    assert listed["items"][0]["title"] == "南宁信访局开展接访活动"
    assert listed["items"][0]["column"] == {"id": column.pk, "title": "工作动态"}
    detail = get(client, f"/articles/{page.pk}", site="nanning")
    assert detail.status_code == 200
    assert detail.json()["url"].startswith("http://nanning.")
    # Another portal's APP does not show it.
    assert get(client, f"/articles/{page.pk}", site="liuzhou").status_code == 404
    assert "南宁信访局开展接访活动" not in titles(get(client, "/articles", site="liuzhou"))


def test_drafts_and_articles_in_review_are_never_served(client, column, staff):
    from cms.factories import ArticlePageFactory

    editor = staff("nanning", "editor")
    in_review = ArticlePageFactory(parent=column, title="待审稿件", live=False)
    in_review.save_revision(user=editor)
    client.force_login(editor)
    assert edit(client, in_review, action="submit", title="待审稿件").status_code == 302
    client.logout()
    live = publish_article(column, "已发布稿件")
    work()
    # A newer draft of a live article: the APP keeps the published version.
    live.title = "未审核的新标题"
    live.save_revision(user=editor)
    work()

    assert titles(get(client, "/articles", site="nanning")) == ["已发布稿件"]
    assert get(client, f"/articles/{in_review.pk}", site="nanning").status_code == 404
    assert get(client, f"/articles/{live.pk}", site="nanning").json()["title"] == "已发布稿件"
    body = get(client, "/sync", site="nanning").content.decode()
    assert "待审稿件" not in body and "未审核的新标题" not in body


def test_an_article_the_gate_refuses_at_delivery_never_reaches_the_app(client, column):
    page = publish_article(
        column, "含违禁词的稿件", body=[("paragraph", "<p>内容涉及违禁测试词。</p>")]
    )
    # The word became a block-level word after the page went live, before the worker ran.
    dictionary = Dictionary.objects.create(name="APP 测试词库")
    SensitiveWord.objects.create(dictionary=dictionary, word="违禁测试词", level="block")
    sw_services.reset_engine()
    try:
        work()
    finally:
        sw_services.reset_engine()

    delivery = Delivery.objects.get(page=page, channel="app")
    assert delivery.state == "failed" and "敏感词" in delivery.last_error
    assert not AppEntry.objects.filter(page_key=page.pk).exists()
    assert get(client, f"/articles/{page.pk}", site="nanning").status_code == 404
    assert "含违禁词的稿件" not in get(client, "/sync", site="nanning").content.decode()


def test_a_withdrawn_article_vanishes_at_once_and_the_next_sync_has_its_tombstone(
    client, column, staff
):
    page = publish_article(column, "将被撤回的稿件")
    work()
    first = get(client, "/sync", site="nanning").json()
    assert [(c["id"], c["action"]) for c in first["changes"]] == [(page.pk, "upsert")]
    assert first["changes"][0]["article"]["title"] == "将被撤回的稿件"

    client.force_login(staff("nanning", "admin"))
    assert client.post(reverse("wagtailadmin_pages:unpublish", args=[page.pk])).status_code == 302
    client.logout()
    # Before the worker has run, lists and details already leave it out.
    assert titles(get(client, "/articles", site="nanning")) == []
    assert get(client, f"/articles/{page.pk}", site="nanning").status_code == 404
    work()

    later = get(client, "/sync", site="nanning", cursor=first["cursor"]).json()
    assert [(c["id"], c["action"]) for c in later["changes"]] == [(page.pk, "delete")]
    assert later["changes"][0].get("article") is None
    # A device that syncs for the first time is not told about pages it never had.
    assert get(client, "/sync", site="nanning").json()["changes"] == []
    # Nothing new since: the same cursor comes back.
    again = get(client, "/sync", site="nanning", cursor=later["cursor"]).json()
    assert again["changes"] == [] and again["cursor"] == later["cursor"]


def test_sync_returns_each_change_once_in_pages_with_a_cursor(client, column):
    pages = [publish_article(column, f"同步稿件{n}") for n in range(3)]
    work()
    pages[0].title = "同步稿件0（修订）"
    pages[0].save_revision().publish()
    work()

    first = get(client, "/sync", site="nanning", limit=2).json()
    assert first["has_more"] is True and len(first["changes"]) == 2
    rest = get(client, "/sync", site="nanning", cursor=first["cursor"], limit=2).json()
    assert rest["has_more"] is False
    changes = first["changes"] + rest["changes"]
    # The revised page comes once, last, with its new title.
    assert [c["article"]["title"] for c in changes] == [
        "同步稿件1",
        "同步稿件2",
        "同步稿件0（修订）",
    ]
    seqs = [c["seq"] for c in changes]
    assert seqs == sorted(seqs)


def test_bad_sync_and_list_requests_get_a_clear_4xx(client, column):
    other = get(client, "/sync", site="liuzhou").json()["cursor"]
    wrong_site = get(client, "/sync", site="nanning", cursor=other)
    assert wrong_site.status_code == 400
    assert (
        wrong_site.json()["code"] == "invalid_cursor"
        and "另一个门户" in wrong_site.json()["message"]
    )
    garbage = get(client, "/sync", site="nanning", cursor="not-a-cursor!!")
    assert garbage.status_code == 400 and "游标" in garbage.json()["message"]
    unknown = get(client, "/articles", site="nosuchcity")
    assert unknown.status_code == 404 and unknown.json()["code"] == "unknown_site"
    too_big = get(client, "/articles", site="nanning", page_size=500)
    assert too_big.status_code == 422 and too_big.json()["message"] == "请求参数不正确"
    not_a_column = get(client, "/articles", site="nanning", column=999999)
    assert not_a_column.status_code == 404 and "栏目" in not_a_column.json()["message"]


def test_lists_are_paginated_with_a_maximum_page_size(client, column):
    for n in range(3):
        publish_article(column, f"分页稿件{n}")
    work()
    first = get(client, "/articles", site="nanning", page_size=2).json()
    assert (first["total"], first["pages"], len(first["items"])) == (3, 2, 2)
    second = get(client, "/articles", site="nanning", page_size=2, page=2).json()
    assert [i["title"] for i in second["items"]] == ["分页稿件0"]


# --- caching ---------------------------------------------------------------------------------


def test_etag_answers_304_until_a_publication_changes_the_generation(
    client, column, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        publish_article(column, "缓存稿件一")
        work()
    first = get(client, "/articles", site="nanning")
    assert first.status_code == 200 and first["X-App-Cache"] == "miss"
    assert first["Cache-Control"] == "public, max-age=60"
    etag = first["ETag"]

    cached = get(client, "/articles", site="nanning")
    assert cached["X-App-Cache"] == "hit" and cached.content == first.content
    not_modified = client.get("/api/app/v1/articles", {"site": "nanning"}, HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert not_modified["ETag"] == etag

    with django_capture_on_commit_callbacks(execute=True):
        publish_article(column, "缓存稿件二")
        work()
    changed = client.get("/api/app/v1/articles", {"site": "nanning"}, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert titles(changed)[0] == "缓存稿件二"


@pytest.mark.parametrize(
    "path",
    ["/portals", "/columns", "/articles", "/topics", "/home", "/search?q=信访", "/sync"],
)
def test_every_read_endpoint_has_an_etag_and_cache_control(client, path):
    url = f"/api/app/v1{path}{'&' if '?' in path else '?'}site=nanning"
    first = client.get(url)
    assert first.status_code == 200 and first["ETag"] and first["Cache-Control"]
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_requests_with_credentials_bypass_the_shared_cache(client):
    response = client.get(
        "/api/app/v1/articles", {"site": "nanning"}, HTTP_AUTHORIZATION="Bearer x"
    )
    assert response["X-App-Cache"] == "bypass" and response["Cache-Control"].startswith("private")


# --- the web view's HTML -----------------------------------------------------------------------


def test_article_html_is_adapted_for_the_web_view(client, column, portals):
    collection = portals["nanning"].collection
    photo = make_image("接访现场", collection)
    guide = make_document("信访事项办理流程", collection)
    body = [
        ("paragraph", '<p>正文<script>alert(1)</script><a href="/hdjl/">网上信访</a></p>'),
        ("image", {"image": photo, "alt": "接访现场照片", "caption": "接访现场"}),
        (
            "table",
            {"caption": "办理时限", "table": {"data": [["事项", "时限"], ["受理", "15日"]]}},
        ),
        ("attachment", {"document": guide, "title": "办理流程"}),
    ]
    page = publish_article(column, "图文稿件", body=body, cover_image=photo, cover_alt="封面")
    work()
    detail = get(client, f"/articles/{page.pk}", site="nanning").json()
    html = detail["html"]
    assert "<script" not in html and "alert(1)" not in html
    assert 'href="http://nanning.localhost/hdjl/"' in html
    assert 'srcset="' in html and " 360w, " in html and " 1080w" in html
    assert 'alt="接访现场照片"' in html and "<figcaption>接访现场</figcaption>" in html
    assert '<div class="table-wrap" style="overflow-x: auto;"><table><caption>办理时限' in html
    assert "<th>事项</th>" in html and "<td>15日</td>" in html
    assert 'download=""' in html and "办理流程（PDF）" in html
    assert detail["attachments"] == [
        {"title": "办理流程", "url": detail["attachments"][0]["url"], "extension": "pdf"}
    ]
    assert detail["attachments"][0]["url"].startswith("http://nanning.localhost/documents/")
    assert detail["cover"]["width"] == 1080 and detail["cover"]["height"] == 480
    assert detail["thumb"]["width"] == 360 and detail["thumb"]["height"] == 270
    assert detail["thumb"]["url"].startswith("http://nanning.localhost/")


# --- navigation, topics, home, search --------------------------------------------------------


def test_a_new_column_appears_in_the_tree_without_a_release(client, portals):
    home = portals["nanning"].site.root_page
    before = get(client, "/columns", site="nanning").json()
    assert "工作动态" in [c["title"] for c in before]
    ColumnPageFactory(parent=home, title="新开栏目", slug="xklm")
    from cms import page_cache

    page_cache.invalidate_sites([portals["nanning"].site_id])  # what publishing does
    after = get(client, "/columns", site="nanning").json()
    assert "新开栏目" in [c["title"] for c in after]
    topic = next(c for c in after if c["title"] == "平陆运河专题")
    assert topic["kind"] == "topic"
    assert [s["title"] for s in topic["children"]] == ["工程进展", "绿色通道"]


def test_topics_with_banner_and_sections_after_the_backfill(client, portals):
    from django.core.management import call_command

    from cms.models import TopicPage

    home = portals["nanning"].site.root_page
    topic = TopicPage.objects.child_of(home).get(slug="plyh")
    topic.banner = make_image("运河横幅", portals["nanning"].collection, size=(2000, 900))
    topic.banner_alt = "平陆运河"
    topic.save_revision().publish()
    section = topic.get_children().get(slug="gcjz")
    publish_article(section, "平陆运河工程进展顺利")
    work()
    assert get(client, "/topics", site="liuzhou").json() == []

    call_command("app_backfill")  # the seeded 铸牢 topic was live before the APP channel
    listed = get(client, "/topics", site="nanning").json()
    assert {t["title"] for t in listed} == {"平陆运河专题", "铸牢中华民族共同体意识专栏"}
    detail = get(client, f"/topics/{topic.pk}", site="nanning").json()
    assert detail["banner"]["width"] == 1080 and "1080w" in detail["banner"]["srcset"]
    assert detail["green_channel"] is topic.green_channel
    sections = {s["column"]["title"]: s["articles"] for s in detail["sections"]}
    assert [a["title"] for a in sections["工程进展"]] == ["平陆运河工程进展顺利"]
    assert get(client, f"/topics/{topic.pk}", site="liuzhou").status_code == 404


def test_home_has_headline_banners_and_notices(client, portals):
    home = portals["nanning"].site.root_page
    notices = home.get_children().get(slug="tzgg").specific
    works = home.get_children().get(slug="gzdt").specific
    publish_article(notices, "关于开通绿色通道的公告")
    publish_article(works, "最新工作动态")
    work()
    body = get(client, "/home", site="nanning").json()
    assert body["headline"]["title"] == "最新工作动态"
    assert [n["title"] for n in body["notices"]] == ["关于开通绿色通道的公告"]
    assert body["portal"]["code"] == "nanning"
    assert {s["column"]["title"] for s in body["sections"]} >= {"工作动态", "通知公告"}


def test_search_segments_chinese_like_the_portal_and_shows_only_app_articles(client, column):
    from cms.factories import ArticlePageFactory

    publish_article(column, "平陆运河建设征地信访问题化解")
    work()
    # Live on the portal but never delivered to the APP (its channel choice is 不发布到渠道).
    portal_only = ArticlePageFactory(
        parent=column, title="平陆运河门户专稿", channel_mode="none", live=False
    )
    portal_only.save_revision().publish()
    work()
    found = get(client, "/search", site="nanning", q="运河征地").json()
    assert [i["title"] for i in found["items"]] == ["平陆运河建设征地信访问题化解"]
    assert "<mark>" in found["items"][0]["snippet"]
    assert "运河" in found["terms"]
    assert get(client, "/search", site="liuzhou", q="运河征地").json()["items"] == []
    assert get(client, "/search", site="nanning", q="").json()["total"] == 0


def test_a_deleted_page_leaves_a_tombstone(client, column):
    page = publish_article(column, "将被删除的稿件")
    work()
    page_id = page.pk
    cursor = get(client, "/sync", site="nanning").json()["cursor"]
    page.delete()
    later = get(client, "/sync", site="nanning", cursor=cursor).json()
    assert [(c["id"], c["action"]) for c in later["changes"]] == [(page_id, "delete")]


def test_a_backfilled_page_is_withdrawn_from_the_app_when_unpublished(client, column, staff):
    from django.core.management import call_command

    from cms.factories import ArticlePageFactory

    old = ArticlePageFactory(parent=column, title="渠道配置前已发布的稿件")  # live, never delivered
    call_command("app_backfill")
    first = get(client, "/sync", site="nanning").json()
    assert "渠道配置前已发布的稿件" in [c.get("article", {}).get("title") for c in first["changes"]]

    client.force_login(staff("nanning", "admin"))
    assert client.post(reverse("wagtailadmin_pages:unpublish", args=[old.pk])).status_code == 302
    client.logout()
    work()
    later = get(client, "/sync", site="nanning", cursor=first["cursor"]).json()
    assert [(c["id"], c["action"]) for c in later["changes"]] == [(old.pk, "delete")]


def test_an_article_moved_to_another_portal_moves_on_the_app(client, column, portals):
    page = publish_article(column, "移到柳州的稿件")
    work()
    nanning = get(client, "/sync", site="nanning").json()["cursor"]
    liuzhou = get(client, "/sync", site="liuzhou").json()["cursor"]
    target = portals["liuzhou"].site.root_page.get_children().get(slug="gzdt")
    page.move(target, pos="last-child")

    left = get(client, "/sync", site="nanning", cursor=nanning).json()["changes"]
    assert [(c["id"], c["action"]) for c in left] == [(page.pk, "delete")]
    arrived = get(client, "/sync", site="liuzhou", cursor=liuzhou).json()["changes"]
    assert [(c["id"], c["action"]) for c in arrived] == [(page.pk, "upsert")]
    assert get(client, f"/articles/{page.pk}", site="liuzhou").status_code == 200
    assert get(client, f"/articles/{page.pk}", site="nanning").status_code == 404


def test_search_pages_only_app_articles_in_the_database(client, column):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from channels.app import content
    from cms.factories import ArticlePageFactory
    from sites.models import Portal

    for n in (1, 2, 3):
        publish_article(column, f"平陆运河征地第{n}批补偿公示")
    for n in (1, 2):
        portal_only = ArticlePageFactory(
            parent=column, title=f"平陆运河征地门户专稿{n}", channel_mode="none", live=False
        )
        portal_only.save_revision().publish()
    work()
    first = get(client, "/search", site="nanning", q="运河征地", page_size=2).json()
    # The APP's articles only, counted and paged by the database.
    assert first["total"] == 3 and first["pages"] == 2 and len(first["items"]) == 2
    second = get(client, "/search", site="nanning", q="运河征地", page_size=2, page=2).json()
    titles = [i["title"] for i in first["items"] + second["items"]]
    assert sorted(titles) == [f"平陆运河征地第{n}批补偿公示" for n in (1, 2, 3)]
    with CaptureQueriesContext(connection) as context:
        content.search(Portal.objects.get(code="nanning"), "运河征地", page_size=2)
    # The APP's own filter is inside the search query: portal-only hits are never loaded.
    assert any("channels_appentry" in q["sql"] for q in context.captured_queries)

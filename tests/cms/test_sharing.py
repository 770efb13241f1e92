"""Pushing an article to another portal (推送) and that portal's review of it (接收审核).

Every test acts through the admin as the person concerned: the sending portal's editor (南宁), a
reviewer of the receiving portal (柳州), that portal's plain editor, and a third portal's reviewer
(桂林); citizens read the portals anonymously, through the page cache.
"""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import PageLogEntry

from cms.factories import ArticlePageFactory, ColumnPageFactory, paragraph
from cms.models import ArticleShare
from sensitive_words import services
from sensitive_words.models import Clearance, Dictionary, SensitiveWord
from tests.cms.editor import edit

pytestmark = pytest.mark.django_db

Status = ArticleShare.Status
TITLE = "南宁推送经验稿"
QUEUE = "/admin/incoming-shares/"


@pytest.fixture(autouse=True)
def _fresh_engine():
    services.reset_engine()
    yield
    services.reset_engine()


def gzdt(portals, code):
    return portals[code].site.root_page.get_children().get(slug="gzdt").specific


@pytest.fixture
def article(column):
    return ArticlePageFactory(parent=column, title=TITLE, slug="push-me")


@pytest.fixture
def people(staff):
    return {
        "sender": staff("nanning", "editor"),
        "reviewer": staff("liuzhou", "reviewer"),
        "liuzhou_editor": staff("liuzhou", "editor"),
        "guilin_reviewer": staff("guilin", "reviewer"),
    }


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def push_url(article):
    return reverse("cms_share:push", args=[article.pk])


def push(user, article, *columns):
    return as_user(user).post(push_url(article), {"columns": [c.pk for c in columns]})


def share_of(article, column) -> ArticleShare:
    return ArticleShare.objects.get(article=article, column=column)


def accept(user, share, **data):
    return as_user(user).post(reverse("incoming_shares:accept", args=[share.pk]), data)


def decline(user, share, reason):
    return as_user(user).post(
        reverse("incoming_shares:decline", args=[share.pk]), {"reason": reason}
    )


def public(path, host="liuzhou.localhost", status=200):
    response = Client().get(path, HTTP_HOST=host)
    assert response.status_code == status
    return response


def html(response) -> str:
    return response.content.decode()


def portal_word(code: str, word: str, level: str):
    dictionary = Dictionary.objects.create(name=f"{code}推送测试词库", site_code=code)
    SensitiveWord.objects.create(dictionary=dictionary, word=word, category="其他", level=level)
    services.reset_engine()


# --- the sender's screen -------------------------------------------------------------------------


def test_push_screen_offers_other_portals_live_columns_labelled_with_the_portal(
    article, people, portals
):
    ColumnPageFactory(parent=portals["liuzhou"].site.root_page, title="柳州草稿栏目", live=False)
    page = as_user(people["sender"]).get(push_url(article))
    assert page.status_code == 200
    text = html(page)
    assert "柳州市信访局 › 工作动态" in text
    assert "广西壮族自治区信访局 › 工作动态" in text
    assert "南宁市信访局 › 工作动态" not in text  # never its own portal
    assert "柳州草稿栏目" not in text  # only live columns
    assert text.index("广西壮族自治区信访局 ›") < text.index("柳州市信访局 ›")  # portal order


def test_the_article_offers_the_push_screen_in_its_header_and_in_the_page_listing(
    article, people, column
):
    client = as_user(people["sender"])
    assert push_url(article) in html(
        client.get(reverse("wagtailadmin_pages:edit", args=[article.pk]))
    )
    assert push_url(article) in html(client.get(reverse("wagtailadmin_explore", args=[column.pk])))
    assert push_url(column) not in html(
        client.get(reverse("wagtailadmin_pages:edit", args=[column.pk]))
    )


def test_a_draft_article_cannot_be_pushed(column, people, portals):
    draft = ArticlePageFactory(parent=column, title="未发布稿件", live=False)
    screen = as_user(people["sender"]).get(push_url(draft))
    assert "文章经三审发布后才能推送" in html(screen)
    response = as_user(people["sender"]).post(
        push_url(draft), {"columns": [gzdt(portals, "liuzhou").pk]}, follow=True
    )
    assert "文章发布后才能推送到其他门户" in html(response)
    assert not ArticleShare.objects.filter(article=draft).exists()


def test_another_portals_staff_cannot_open_or_use_the_push_screen(article, people, portals):
    outsider = as_user(people["liuzhou_editor"])
    response = outsider.get(push_url(article))
    assert response.status_code == 403 and TITLE not in html(response)
    refused = outsider.post(push_url(article), {"columns": [gzdt(portals, "guilin").pk]})
    assert refused.status_code == 403
    assert not ArticleShare.objects.exists()


def test_a_pushed_article_waits_for_the_receiving_portal(article, people, portals):
    liuzhou = gzdt(portals, "liuzhou")
    response = push(people["sender"], article, liuzhou)
    assert response.status_code == 302
    share = share_of(article, liuzhou)
    assert share.status == Status.PENDING and share.requested_by == people["sender"]
    assert TITLE not in html(public("/gzdt/"))
    assert TITLE not in html(public("/"))
    public(f"/gzdt/shared/{article.pk}/", status=404)
    screen = html(as_user(people["sender"]).get(push_url(article)))
    assert "待接收" in screen and "柳州市信访局 › 工作动态" in screen


def test_publishing_the_article_again_keeps_the_receiving_portals_decision(
    article, people, portals, staff
):
    liuzhou, guilin = gzdt(portals, "liuzhou"), gzdt(portals, "guilin")
    push(people["sender"], article, liuzhou, guilin)
    accept(people["reviewer"], share_of(article, liuzhou))
    decline(people["guilin_reviewer"], share_of(article, guilin), "不适合本市")

    publisher = as_user(staff("nanning", "admin"))
    response = edit(publisher, article, title=f"{TITLE}（修订）", action="publish")
    assert response.status_code == 302

    assert share_of(article, liuzhou).status == Status.ACCEPTED
    assert share_of(article, guilin).status == Status.DECLINED
    article.refresh_from_db()
    assert "shares" not in article.get_latest_revision().content
    assert f"{TITLE}（修订）" in html(public("/gzdt/"))


def test_a_column_cannot_be_pushed_twice_nor_to_the_own_portal(article, people, portals, column):
    liuzhou = gzdt(portals, "liuzhou")
    push(people["sender"], article, liuzhou)
    again = push(people["sender"], article, liuzhou)
    assert again.status_code == 200 and ArticleShare.objects.filter(article=article).count() == 1
    own = push(people["sender"], article, column)
    assert own.status_code == 200 and "所选栏目不能作为推送目标" in html(own)
    assert not ArticleShare.objects.filter(column=column).exists()


# --- the receiving portal's queue ------------------------------------------------------------------


def test_the_queue_shows_a_reviewer_only_pushes_into_their_own_portal(article, people, portals):
    other = ArticlePageFactory(parent=gzdt(portals, "nanning"), title="只推送桂林的稿件")
    push(people["sender"], article, gzdt(portals, "liuzhou"))
    push(people["sender"], other, gzdt(portals, "guilin"))

    liuzhou_queue = as_user(people["reviewer"]).get(QUEUE)
    assert liuzhou_queue.status_code == 200
    text = html(liuzhou_queue)
    assert TITLE in text and "柳州市信访局 › 工作动态" in text and "南宁市信访局" in text
    assert "只推送桂林的稿件" not in text and "桂林市信访局" not in text

    guilin_queue = html(as_user(people["guilin_reviewer"]).get(QUEUE))
    assert "只推送桂林的稿件" in guilin_queue
    assert TITLE not in guilin_queue and "柳州市信访局" not in guilin_queue


@pytest.mark.parametrize("role", ["reviewer", "approver", "admin"])
def test_the_receiving_portals_review_roles_see_the_queue_in_the_menu(
    article, people, portals, staff, role
):
    push(people["sender"], article, gzdt(portals, "liuzhou"))
    client = as_user(staff("liuzhou", role))
    assert QUEUE in html(client.get(reverse("wagtailadmin_home")))
    assert TITLE in html(client.get(QUEUE))


def test_plain_editors_neither_see_the_queue_nor_decide(article, people, portals):
    liuzhou = gzdt(portals, "liuzhou")
    push(people["sender"], article, liuzhou)
    share = share_of(article, liuzhou)
    for who in ("liuzhou_editor", "sender"):
        client = as_user(people[who])
        assert QUEUE not in html(client.get(reverse("wagtailadmin_home")))
        queue = client.get(QUEUE)
        assert queue.status_code == 403 and TITLE not in html(queue)
        review = client.get(reverse("incoming_shares:inspect", args=[share.pk]))
        assert review.status_code == 403 and TITLE not in html(review)
        refused = accept(people[who], share)
        assert refused.status_code == 403 and TITLE not in html(refused)
        assert decline(people[who], share, "不要").status_code == 403
    assert share_of(article, liuzhou).status == Status.PENDING


def test_another_portals_reviewer_cannot_see_or_decide_the_push(article, people, portals):
    liuzhou = gzdt(portals, "liuzhou")
    push(people["sender"], article, liuzhou)
    share = share_of(article, liuzhou)
    outsider = people["guilin_reviewer"]
    review = as_user(outsider).get(reverse("incoming_shares:inspect", args=[share.pk]))
    assert review.status_code == 403 and TITLE not in html(review)
    for response in (accept(outsider, share), decline(outsider, share, "越权拒绝")):
        assert response.status_code == 403
        assert TITLE not in html(response) and "柳州市信访局" not in html(response)
    assert share_of(article, liuzhou).status == Status.PENDING


def test_accept_and_decline_are_post_forms_protected_by_csrf(article, people, portals):
    liuzhou = gzdt(portals, "liuzhou")
    push(people["sender"], article, liuzhou)
    share = share_of(article, liuzhou)
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["reviewer"])
    review = client.get(reverse("incoming_shares:inspect", args=[share.pk]))
    assert review.status_code == 200 and html(review).count("csrfmiddlewaretoken") >= 2
    assert client.get(reverse("incoming_shares:accept", args=[share.pk])).status_code == 405
    assert client.post(reverse("incoming_shares:accept", args=[share.pk])).status_code == 403
    assert share_of(article, liuzhou).status == Status.PENDING


# --- accepting -------------------------------------------------------------------------------------


def test_accepting_shows_the_article_in_the_column_and_on_the_home_page_at_once(
    article, people, portals
):
    liuzhou = gzdt(portals, "liuzhou")
    push(people["sender"], article, liuzhou)
    share = share_of(article, liuzhou)
    public("/gzdt/"), public("/")
    assert public("/gzdt/")["X-Page-Cache"] == "hit"

    response = accept(people["reviewer"], share)
    assert response.status_code == 302 and response["Location"] == QUEUE

    share.refresh_from_db()
    assert share.status == Status.ACCEPTED and share.reviewed_by == people["reviewer"]
    listing = html(public("/gzdt/"))
    assert TITLE in listing and f'href="/gzdt/shared/{article.pk}/"' in listing
    home = html(public("/"))  # the home page's 工作动态 block, read under 柳州's own route
    assert TITLE in home and f'href="/gzdt/shared/{article.pk}/"' in home
    assert TITLE in html(public(f"/gzdt/shared/{article.pk}/"))
    screen = html(as_user(people["sender"]).get(push_url(article)))
    assert "已接收" in screen and people["reviewer"].get_username() in screen
    assert PageLogEntry.objects.filter(page=article, action="cms.share.accept").exists()


def test_the_home_block_mixes_accepted_pushes_with_own_articles_newest_first(
    article, people, portals
):
    from datetime import timedelta

    from django.utils import timezone

    liuzhou = gzdt(portals, "liuzhou")
    ArticlePageFactory(
        parent=liuzhou, title="柳州较早稿件", publish_date=timezone.now() - timedelta(days=3)
    )
    push(people["sender"], article, liuzhou)
    accept(people["reviewer"], share_of(article, liuzhou))
    home = html(public("/"))
    assert home.index(TITLE) < home.index("柳州较早稿件")


def test_home_page_queries_do_not_grow_with_accepted_pushes(article, portals, settings):
    settings.PAGE_CACHE_SECONDS = 0
    client = Client()

    def queries():
        client.get("/", HTTP_HOST="liuzhou.localhost")
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/", HTTP_HOST="liuzhou.localhost").status_code == 200
        return len(captured)

    few = queries()
    home = portals["liuzhou"].site.root_page
    columns = [gzdt(portals, "liuzhou"), ColumnPageFactory(parent=home, title="柳州新栏目")]
    for n in range(6):
        pushed = ArticlePageFactory(parent=gzdt(portals, "nanning"), title=f"推送稿{n}")
        for target in columns:
            ArticleShare.objects.create(article=pushed, column=target, status=Status.ACCEPTED)
    assert queries() == few
    assert "推送稿5" in html(public("/"))


def test_a_word_blocked_only_in_the_receiving_portal_refuses_acceptance(column, people, portals):
    portal_word("liuzhou", "柳州禁词", "block")
    article = ArticlePageFactory(
        parent=column, title=TITLE, body=paragraph("本文提到柳州禁词一次。")
    )  # 南宁's own dictionaries let it go live
    liuzhou, guilin = gzdt(portals, "liuzhou"), gzdt(portals, "guilin")
    push(people["sender"], article, liuzhou, guilin)
    share = share_of(article, liuzhou)

    review = html(
        as_user(people["reviewer"]).get(reverse("incoming_shares:inspect", args=[share.pk]))
    )
    assert "禁止发布" in review and "柳州禁词" in review
    assert reverse("incoming_shares:accept", args=[share.pk]) not in review

    response = accept(people["reviewer"], share)
    assert response.status_code == 409
    assert "不能接收：发现 1 处禁止发布的敏感词" in html(response)
    assert share_of(article, liuzhou).status == Status.PENDING
    assert TITLE not in html(public("/gzdt/"))

    # 桂林's dictionaries do not hold the word: its reviewer may accept the same article.
    assert accept(people["guilin_reviewer"], share_of(article, guilin)).status_code == 302
    assert share_of(article, guilin).status == Status.ACCEPTED


def test_a_review_level_word_needs_the_reviewers_confirmation_at_acceptance(
    column, people, portals
):
    portal_word("liuzhou", "柳州慎用词", "review")
    article = ArticlePageFactory(parent=column, title=TITLE, body=paragraph("含柳州慎用词的段落。"))
    liuzhou = gzdt(portals, "liuzhou")
    push(people["sender"], article, liuzhou)
    share = share_of(article, liuzhou)

    unconfirmed = accept(people["reviewer"], share)
    assert unconfirmed.status_code == 409
    text = html(unconfirmed)
    assert "柳州慎用词" in text and "我已逐条核对" in text and 'name="confirm"' in text
    assert share_of(article, liuzhou).status == Status.PENDING

    assert accept(people["reviewer"], share, confirm="1").status_code == 302
    assert share_of(article, liuzhou).status == Status.ACCEPTED
    clearance = Clearance.objects.get(site_code="liuzhou", word="柳州慎用词")
    assert clearance.confirmed_by == people["reviewer"] and clearance.note == "接收推送时确认"
    assert clearance.page_id == article.pk
    assert TITLE in html(public("/gzdt/"))


def test_republishing_with_content_the_receiving_portal_refuses_reopens_the_push(
    article, people, portals
):
    liuzhou = gzdt(portals, "liuzhou")
    push(people["sender"], article, liuzhou)
    accept(people["reviewer"], share_of(article, liuzhou))
    assert TITLE in html(public("/gzdt/"))

    portal_word("liuzhou", "柳州新禁词", "block")
    article.body = paragraph("更新后的正文写到柳州新禁词。")
    article.save_revision(user=people["sender"]).publish()

    assert share_of(article, liuzhou).status == Status.PENDING
    assert TITLE not in html(public("/gzdt/"))
    assert TITLE in html(public("/gzdt/", host="nanning.localhost"))


# --- declining and withdrawing --------------------------------------------------------------------


def test_declining_without_a_reason_is_refused_and_nothing_changes(article, people, portals):
    liuzhou = gzdt(portals, "liuzhou")
    push(people["sender"], article, liuzhou)
    share = share_of(article, liuzhou)
    response = decline(people["reviewer"], share, "   ")
    assert response.status_code == 400
    assert "请填写拒绝理由" in html(response)
    assert share_of(article, liuzhou).status == Status.PENDING


def test_a_declined_push_shows_the_reason_and_the_reviewer_to_the_sender(article, people, portals):
    liuzhou = gzdt(portals, "liuzhou")
    push(people["sender"], article, liuzhou)
    response = decline(people["reviewer"], share_of(article, liuzhou), "与本市工作无关")
    assert response.status_code == 302
    share = share_of(article, liuzhou)
    assert share.status == Status.DECLINED and share.decline_reason == "与本市工作无关"
    assert TITLE not in html(public("/gzdt/"))
    screen = html(as_user(people["sender"]).get(push_url(article)))
    assert "已拒绝" in screen and "与本市工作无关" in screen
    assert people["reviewer"].get_username() in screen
    assert PageLogEntry.objects.filter(page=article, action="cms.share.decline").exists()


def test_a_declined_column_can_be_pushed_again(article, people, portals):
    liuzhou = gzdt(portals, "liuzhou")
    push(people["sender"], article, liuzhou)
    decline(people["reviewer"], share_of(article, liuzhou), "请补充来源")
    push(people["sender"], article, liuzhou)
    share = share_of(article, liuzhou)
    assert share.status == Status.PENDING and share.decline_reason == ""


def test_the_reviewer_can_take_back_an_accepted_push_with_a_reason(article, people, portals):
    liuzhou = gzdt(portals, "liuzhou")
    push(people["sender"], article, liuzhou)
    accept(people["reviewer"], share_of(article, liuzhou))
    public("/gzdt/")
    decline(people["reviewer"], share_of(article, liuzhou), "专题结束，不再展示")
    assert share_of(article, liuzhou).status == Status.DECLINED
    assert TITLE not in html(public("/gzdt/"))


def test_withdrawing_an_accepted_push_removes_it_at_once(article, people, portals):
    liuzhou = gzdt(portals, "liuzhou")
    push(people["sender"], article, liuzhou)
    share = share_of(article, liuzhou)
    accept(people["reviewer"], share)
    assert TITLE in html(public("/gzdt/")) and TITLE in html(public("/"))

    withdraw = reverse("cms_share:withdraw", args=[share.pk])
    assert as_user(people["liuzhou_editor"]).post(withdraw).status_code == 403
    response = as_user(people["sender"]).post(withdraw)
    assert response.status_code == 302 and response["Location"] == push_url(article)

    assert not ArticleShare.objects.filter(pk=share.pk).exists()
    assert TITLE not in html(public("/gzdt/")) and TITLE not in html(public("/"))
    public(f"/gzdt/shared/{article.pk}/", status=404)
    assert PageLogEntry.objects.filter(page=article, action="cms.share.withdraw").exists()


def test_withdrawing_a_pending_push_empties_the_queue(article, people, portals):
    liuzhou = gzdt(portals, "liuzhou")
    push(people["sender"], article, liuzhou)
    share = share_of(article, liuzhou)
    as_user(people["sender"]).post(reverse("cms_share:withdraw", args=[share.pk]))
    assert TITLE not in html(as_user(people["reviewer"]).get(QUEUE))

"""An editor's multi-article push (多图文推送) and mass send (群发), through the admin's own forms,
against the loopback WeChat API.

The 南宁 administrator makes 南宁's column a source of the 广西信访 account, publishes articles
that do not go out by themselves (发布渠道: 不发布到其他渠道), then pushes three of them as one
WeChat message; the worker command delivers; WeChat's side is asserted at the simulator.
"""

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from channels import base, services
from channels.models import ChannelTarget, Delivery, WeChatPush
from sensitive_words import services as word_services
from sensitive_words.models import Dictionary, SensitiveWord
from tests.channels.test_wechat_channel import article, publish_from_admin, work

pytestmark = pytest.mark.django_db

CODE = "wechat-gxxf"


@pytest.fixture(autouse=True)
def wechat(wechat_account):
    base.forget_channels()
    services.sync_targets()
    yield
    base.forget_channels()


@pytest.fixture
def admin(client, column, staff):
    user = staff("nanning", "admin")
    client.force_login(user)
    target = ChannelTarget.objects.get(code=CODE)
    client.post(reverse("channel_targets:edit", args=[target.pk]), {"columns": [column.pk]})
    return user


@pytest.fixture
def articles(client, admin, column, portals):
    """Three live 南宁 articles that went nowhere but the portal."""
    return [
        publish_from_admin(
            client, article(column, portals, title=f"第{n}季度信访工作情况", channel_mode="none")
        )
        for n in (1, 2, 3)
    ]


def push_form(pages, mode="publish", **extra):
    data = {"account": "gxxf", "mode": mode}
    data.update({f"article_{n}": page.pk for n, page in enumerate(pages, start=1)})
    data.update(extra)
    return data


def post_push(client, pages, **kwargs):
    return client.post(reverse("wechat_pushes:add"), push_form(pages, **kwargs), follow=True)


def test_three_articles_reach_wechat_as_one_message_in_the_editors_order(
    client, articles, wechat_simulator
):
    assert not Delivery.objects.exists()  # 不发布到其他渠道: nothing went out by itself
    first, second, third = articles
    response = post_push(client, [third, first, second])
    assert response.status_code == 200
    assert "已排队推送到“广西信访（服务号）”" in response.content.decode()
    work()

    push = WeChatPush.objects.get()
    delivery = push.delivery
    assert delivery.state == "published", delivery.last_error
    (draft_call,) = wechat_simulator.calls("draft/add")
    news = draft_call.json()["articles"]
    assert [item["title"] for item in news] == [p.title for p in (third, first, second)]
    assert [item["content_source_url"] for item in news] == [
        p.full_url for p in (third, first, second)
    ]
    assert all("mmbiz.qpic.cn" in item["content"] for item in news)
    assert len({item["thumb_media_id"] for item in news}) == 3  # each its own cover
    assert len(wechat_simulator.calls("freepublish/submit")) == 1
    assert not wechat_simulator.calls("message/mass/sendall")  # 发布 never notifies followers

    screen = client.get(reverse("wechat_pushes:inspect", args=[push.pk])).content.decode()
    assert "已发布" in screen and escape(delivery.remote_url) in screen
    assert screen.index(third.title) < screen.index(first.title) < screen.index(second.title)
    # Each article's own channel screen shows the push, not a single publication of its own.
    page_screen = client.get(reverse("channels:page", args=[first.pk])).content.decode()
    assert "本页没有单独发往其他渠道" in page_screen and "第 2 篇" in page_screen


def test_a_push_that_died_after_the_draft_resumes_without_a_second_draft(
    client, articles, wechat_simulator
):
    wechat_simulator.script_endpoint("draft/add", "twice")  # WeChat kept it, the answer is lost
    post_push(client, articles)
    work()
    delivery = WeChatPush.objects.get().delivery
    assert delivery.state == "pending"
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=delivery.created_at)
    work()
    delivery.refresh_from_db()
    assert delivery.state == "published", delivery.last_error
    assert len(wechat_simulator.drafts) + len(wechat_simulator.publications) == 1


def test_the_form_refuses_what_wechat_would_refuse_and_keeps_the_choice(
    client, articles, column, portals
):
    long_title = publish_from_admin(
        client, article(column, portals, title="长" * 65, channel_mode="none")
    )
    no_cover = publish_from_admin(
        client, article(column, portals, title="没有封面的文章", cover=False, channel_mode="none")
    )
    response = post_push(client, [articles[0], long_title, no_cover, articles[0]])
    assert response.status_code == 200
    body = response.content.decode()
    assert "标题超过 64 个字（现有 65 个）" in body
    assert "没有封面图（公众号图文必须有封面）" in body
    assert "同一篇文章不能选择两次" in body
    assert escape(long_title.title) in body  # the chosen articles are still on the form
    assert not WeChatPush.objects.exists()

    nine = post_push(client, articles * 3).content.decode()  # 9 choices: the form has 8 fields
    assert not WeChatPush.objects.exists() and "同一篇文章不能选择两次" in nine


@pytest.fixture
def block_word():
    """Block a word from now on; the engine forgets it after the test."""

    def add(word):
        dictionary = Dictionary.objects.create(name="新增禁用词")
        SensitiveWord.objects.create(dictionary=dictionary, word=word, level="block")
        word_services.reset_engine()

    yield add
    word_services.reset_engine()


def test_an_article_that_fails_todays_dictionary_is_not_pushed(
    client, articles, wechat_simulator, block_word
):
    block_word("第2季度")  # added after the articles went live
    body = post_push(client, articles).content.decode()
    assert "第 2 篇《第2季度信访工作情况》未通过敏感词检查" in body
    assert not WeChatPush.objects.exists() and not wechat_simulator.calls("draft/add")


def test_mass_sending_needs_a_confirmation_shows_the_quota_and_sends_once(
    client, articles, wechat_simulator
):
    form = client.get(reverse("wechat_pushes:add")).content.decode()
    assert "本月还可群发 4 次（共 4 次" in form

    unconfirmed = post_push(client, articles[:2], mode="mass_send").content.decode()
    assert "群发前请勾选确认" in unconfirmed and not WeChatPush.objects.exists()

    # WeChat carries out the send but its answer is lost: the retry must not send again.
    wechat_simulator.script_endpoint("message/mass/sendall", "twice")
    post_push(client, articles[:2], mode="mass_send", confirm_mass_send="on")
    work()
    delivery = WeChatPush.objects.get().delivery
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=delivery.created_at)
    work()
    delivery.refresh_from_db()
    assert delivery.state == "published", delivery.last_error
    assert len(wechat_simulator.mass_sends) == 1
    (sent,) = wechat_simulator.mass_sends.values()
    assert [item["title"] for item in sent["articles"]] == [p.title for p in articles[:2]]
    assert not wechat_simulator.calls("freepublish/submit")
    assert "本月还可群发 3 次" in client.get(reverse("wechat_pushes:add")).content.decode()


def test_an_exhausted_mass_send_quota_is_refused_on_the_form_and_by_wechat(
    client, articles, wechat_simulator, settings
):
    settings.WECHAT_MASS_SEND_QUOTA = {"service": (1, "month")}
    post_push(client, articles[:1], mode="mass_send", confirm_mass_send="on")
    again = post_push(client, articles[1:2], mode="mass_send", confirm_mass_send="on")
    assert "群发次数已用完" in again.content.decode() and WeChatPush.objects.count() == 1

    # WeChat's own count can be lower than ours thinks (sends made on the platform itself).
    settings.WECHAT_MASS_SEND_QUOTA = {"service": (4, "month")}
    wechat_simulator.mass_quota = 0
    post_push(client, articles[1:2], mode="mass_send", confirm_mass_send="on")
    work()
    failed = WeChatPush.objects.order_by("-pk").first().delivery
    assert failed.state == "failed" and "群发次数已用完" in failed.last_error
    assert failed.attempts == 1  # not retried in a loop


def test_unpublishing_a_pushed_article_deletes_only_it_from_the_wechat_message(
    client, articles, wechat_simulator
):
    post_push(client, articles)
    work()
    push = WeChatPush.objects.get()
    second = articles[1]
    confirm = client.get(reverse("wagtailadmin_pages:unpublish", args=[second.pk]))
    assert "多图文推送第 2 篇" in confirm.content.decode()
    client.post(
        reverse("wagtailadmin_pages:unpublish", args=[second.pk]),
        {"channels_choice": "1", "withdraw_from": [f"push-{push.pk}"]},
    )
    work()
    (delete_call,) = wechat_simulator.calls("freepublish/delete")
    assert delete_call.json() == {"article_id": push.delivery.remote_id, "index": 2}
    assert push.items.get(page=second).withdrawn_at is not None
    assert push.items.filter(withdrawn_at__isnull=True).count() == 2


def test_another_portals_editor_sees_no_push_and_cannot_push_to_the_account(
    client, articles, staff, wechat_simulator
):
    post_push(client, articles)
    client.force_login(staff("liuzhou", "admin"))
    listing = client.get(reverse("wechat_pushes:index"), follow=True)
    assert listing.status_code == 403  # refused in place, not a dashboard redirect
    assert articles[0].title not in listing.content.decode()
    refused = post_push(client, articles)
    assert refused.status_code == 403  # refused in place, not a dashboard redirect
    inspect = client.get(
        reverse("wechat_pushes:inspect", args=[WeChatPush.objects.get().pk]), follow=True
    )
    assert inspect.status_code == 403  # refused in place, not a dashboard redirect
    assert articles[0].title not in inspect.content.decode()
    assert WeChatPush.objects.count() == 1


def test_a_failed_push_is_retried_by_the_editor(client, articles, wechat_simulator):
    wechat_simulator.draft_check_fails = True  # freepublish/submit answers 53503
    post_push(client, articles[:1])
    work()
    push = WeChatPush.objects.get()
    assert push.delivery.state == "failed"
    screen = client.get(reverse("wechat_pushes:inspect", args=[push.pk])).content.decode()
    assert "草稿未通过发布检查" in screen and "重试" in screen
    wechat_simulator.draft_check_fails = False
    client.post(reverse("channels:retry_push", args=[push.pk]))
    work()
    assert push.delivery.state == "published"


def test_the_mass_send_finished_event_wakes_the_send_and_keeps_its_links(
    client, articles, wechat_simulator, wechat_account
):
    from tests.channels.test_wechat_callback import event_xml, post_plain

    wechat_simulator.mass_polls = 5  # WeChat is still sending when the worker first asks
    post_push(client, articles[:2], mode="mass_send", confirm_mass_send="on")
    work()
    delivery = WeChatPush.objects.get().delivery
    assert delivery.state == "pending" and "正在群发" in delivery.last_error
    msg_id = delivery.progress["msg_id"]
    wechat_simulator.mass_polls = 0
    wechat_simulator.mass_sends[msg_id]["after_polls"] = 0
    client.logout()
    links = "".join(
        f"<item><ArticleIdx>{n}</ArticleIdx><ArticleUrl><![CDATA[https://mp.weixin.qq.com/s/m{n}]]>"
        "</ArticleUrl></item>"
        for n in (2, 1)
    )
    xml = event_xml(
        "MASSSENDJOBFINISH",
        f"<MsgID>{msg_id}</MsgID><Status><![CDATA[send success]]></Status>"
        "<TotalCount>1200</TotalCount><FilterCount>1180</FilterCount>"
        "<SentCount>1175</SentCount><ErrorCount>5</ErrorCount>"
        f"<ArticleUrlResult><Count>2</Count><ResultList>{links}</ResultList></ArticleUrlResult>",
    )
    assert post_plain(client, wechat_account, xml).content == b"success"
    delivery.refresh_from_db()
    assert delivery.next_attempt_at <= timezone.now()
    assert delivery.progress["mass_result"]["SentCount"] == "1175"
    work()
    delivery.refresh_from_db()
    assert delivery.state == "published"
    assert delivery.remote_url == "https://mp.weixin.qq.com/s/m1"  # the first article's link


def _target_queries(context) -> int:
    return sum('"channels_channeltarget"' in q["sql"] for q in context.captured_queries)


def test_the_push_screens_ask_which_accounts_the_editor_may_use_once_per_request(
    client, admin, articles, django_assert_max_num_queries
):
    # The menu, the policy's checks per action and row, the form and its check all need the
    # answer; the database is asked once per request (it was asked for each of them).
    with django_assert_max_num_queries(200) as context:
        assert client.get(reverse("wechat_pushes:add")).status_code == 200
    assert _target_queries(context) == 1
    with django_assert_max_num_queries(400) as context:
        response = post_push(client, articles)
    assert "已排队推送到" in response.content.decode()
    # The POST and the inspect screen it redirects to: one question each.
    assert _target_queries(context) == 2


def test_accounts_for_asks_the_database_once_for_the_same_user(admin, django_assert_num_queries):
    from channels.wechat.pushes import accounts_for

    with django_assert_num_queries(2):  # the editor's portals, then the accounts they feed
        first = accounts_for(admin)
        assert [a.code for a in first] == ["gxxf"]
        assert accounts_for(admin) == first and accounts_for(admin) == first


def test_a_mass_send_taken_between_the_form_and_the_save_shows_the_form_again(
    client, articles, monkeypatch, settings
):
    # Another editor's mass send takes the last one after this form was checked: the editor
    # sees the form again with the reason and the chosen articles, and nothing is queued.
    from channels.wechat import pushes

    settings.WECHAT_MASS_SEND_QUOTA = {"service": (1, "month")}
    real = pushes.mass_quota
    calls = {"n": 0}

    def quota_taken_after_the_form(account, now=None):
        calls["n"] += 1
        quota = real(account, now)
        if calls["n"] > 2:  # the help text and the form's check saw one left; the save none
            return pushes.Quota(limit=1, used=1, period=quota.period, resets_at=quota.resets_at)
        return quota

    monkeypatch.setattr(pushes, "mass_quota", quota_taken_after_the_form)
    response = post_push(client, articles[:2], mode="mass_send", confirm_mass_send="on")
    assert response.status_code == 200
    body = response.content.decode()
    assert "“广西信访”的群发次数已用完" in body
    assert f'value="{articles[1].pk}"' in body  # what was chosen is still there
    assert not WeChatPush.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_editors_mass_sending_the_last_one_at_once_get_exactly_one_send(
    client, articles, admin, settings
):
    import threading
    import time

    from django.db import connection, connections, transaction

    if connection.vendor != "postgresql":
        pytest.skip("two connections and a row lock (SELECT ... FOR UPDATE) need PostgreSQL")
    from channels.wechat.accounts import get_account
    from channels.wechat.pushes import PushInvalid, create_push

    settings.WECHAT_MASS_SEND_QUOTA = {"service": (1, "month")}
    account = get_account("gxxf")
    holding, release = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def first_editor():
        # Checks, reserves, and is slow to commit (the second editor arrives meanwhile).
        try:
            with transaction.atomic():
                create_push(account, articles[:1], WeChatPush.Mode.MASS_SEND, admin)
                holding.set()
                release.wait(10)
            outcome["first"] = "queued"
        finally:
            connections.close_all()

    def second_editor():
        try:
            create_push(account, articles[1:2], WeChatPush.Mode.MASS_SEND, admin)
            outcome["second"] = "queued"
        except PushInvalid as error:
            outcome["second"] = str(error)
        finally:
            connections.close_all()

    first = threading.Thread(target=first_editor)
    first.start()
    assert holding.wait(10)
    second = threading.Thread(target=second_editor)
    second.start()
    time.sleep(0.5)
    assert "second" not in outcome  # waits for the account's row, not counting yet
    release.set()
    first.join(10)
    second.join(10)
    assert outcome["first"] == "queued"
    assert "“广西信访”的群发次数已用完" in outcome["second"]
    assert WeChatPush.objects.filter(mode=WeChatPush.Mode.MASS_SEND).count() == 1

"""Publish once, reach every channel: targets, the delivery outbox, the worker, the admin screens.

A test channel (tests/channels/recording.py) stands in for the APP and WeChat channels, which
have their own tests against their simulators; everything else is the product's code path, driven
through the admin as portal staff and through the worker command as an operator.
"""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from channels import base, services
from channels.models import ChannelTarget, Delivery
from cms.factories import ArticlePageFactory
from cms.models import ArticlePage
from sensitive_words import services as sw_services
from sensitive_words.models import Dictionary, SensitiveWord
from tests.channels.recording import received, script
from tests.cms.editor import edit, messages_of

pytestmark = pytest.mark.django_db

APP = "test-app"
OTHER = "test-wechat"


@pytest.fixture(autouse=True)
def channels(settings):
    settings.CHANNELS = [
        {"class": "tests.channels.recording.RecordingChannel", "code": APP, "label": "测试APP"},
        {
            "class": "tests.channels.recording.RecordingChannel",
            "code": OTHER,
            "label": "测试公众号",
        },
    ]
    settings.CHANNELS_BACKOFF_BASE_SECONDS = 60
    settings.CHANNELS_MAX_ATTEMPTS = 3
    base.forget_channels()
    services.sync_targets()
    yield
    base.forget_channels()


def login(client, user):
    client.force_login(user)
    return client


def work():
    call_command("channels_worker", "--once")


def target(code=APP) -> ChannelTarget:
    return ChannelTarget.objects.get(code=code)


def choose_columns(client, code, columns):
    url = reverse("channel_targets:edit", args=[target(code).pk])
    return client.post(url, {"columns": [c.pk for c in columns]})


def publish(client, admin, column, title="渠道稿件", **data):
    page = ArticlePageFactory(parent=column, title=title, live=False)
    page.save_revision(user=admin)
    response = edit(login(client, admin), page, action="publish", **data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    return ArticlePage.objects.get(pk=page.pk)


@pytest.fixture
def liuzhou_column(portals):
    return portals["liuzhou"].site.root_page.get_children().get(slug="gzdt").specific


# --- which columns feed a channel -----------------------------------------------------------


def test_a_portal_administrator_chooses_only_their_own_columns(
    client, column, liuzhou_column, staff
):
    target(APP).columns.add(liuzhou_column)  # 柳州 chose its own column earlier
    admin = staff("nanning", "admin")
    form = login(client, admin).get(reverse("channel_targets:edit", args=[target().pk]))
    html = form.content.decode()
    assert "南宁市信访局 › 工作动态" in html and "柳州市信访局" not in html

    assert choose_columns(client, APP, [column]).status_code == 302
    assert set(target().columns.all()) == {column.page_ptr, liuzhou_column.page_ptr}

    editor = staff("nanning", "editor")
    refused = login(client, editor).get(
        reverse("channel_targets:edit", args=[target().pk]), follow=True
    )
    assert refused.status_code == 403  # refused in place, not a dashboard redirect
    assert "柳州市信访局" not in refused.content.decode()


# --- publishing fans out --------------------------------------------------------------------


def test_publishing_in_a_default_column_reaches_its_channel(client, column, staff):
    admin = staff("nanning", "admin")
    login(client, admin)
    choose_columns(client, APP, [column])
    page = publish(client, admin, column)

    (delivery,) = Delivery.objects.filter(page=page)
    assert (delivery.channel, delivery.action, delivery.state) == (APP, "publish", "pending")
    assert delivery.site_code == "nanning"
    work()
    assert received(APP) == [
        ("publish", "渠道稿件", delivery.remote_id or f"r{page.pk}-{delivery.pk}")
    ]
    assert received(OTHER) == []

    screen = client.get(reverse("channels:page", args=[page.pk])).content.decode()
    assert "测试APP" in screen and "已发布" in screen and "查看渠道中的文章" in screen


def test_the_page_can_choose_its_channels_or_none(client, column, staff):
    admin = staff("nanning", "admin")
    login(client, admin)
    choose_columns(client, APP, [column])
    custom = publish(
        client,
        admin,
        column,
        "只发公众号",
        channel_mode="custom",
        channel_targets=[target(OTHER).pk],
    )
    portal_only = publish(client, admin, column, "只在门户", channel_mode="none")
    work()
    assert [title for _, title, _ in received(OTHER)] == ["只发公众号"]
    assert received(APP) == []
    assert not Delivery.objects.filter(page=portal_only).exists()
    assert Delivery.objects.get(page=custom).channel == OTHER


def test_an_update_supersedes_what_was_not_sent_yet(client, column, staff):
    admin = staff("nanning", "admin")
    login(client, admin)
    choose_columns(client, APP, [column])
    page = publish(client, admin, column, "初稿")
    edit(client, page, title="改后的标题", action="publish")

    states = list(Delivery.objects.filter(page=page).order_by("pk").values_list("state", flat=True))
    assert states == ["superseded", "pending"]
    work()
    assert [title for _, title, _ in received(APP)] == ["改后的标题"]

    edit(client, page, title="第三版", action="publish")
    assert Delivery.objects.filter(page=page).order_by("-pk").first().action == "update"


def test_unpublishing_withdraws_from_the_channels_it_reached(client, column, staff):
    admin = staff("nanning", "admin")
    login(client, admin)
    choose_columns(client, APP, [column])
    page = publish(client, admin, column)
    work()
    client.post(reverse("wagtailadmin_pages:unpublish", args=[page.pk]))
    work()
    assert [action for action, _, _ in received(APP)] == ["publish", "withdraw"]
    assert Delivery.objects.filter(page=page, action="withdraw").get().state == "withdrawn"


# --- failures, retries and crashes ----------------------------------------------------------


def test_temporary_failures_wait_with_backoff_then_fail_with_a_reason_and_can_be_retried(
    client, column, staff
):
    admin = staff("nanning", "admin")
    login(client, admin)
    choose_columns(client, APP, [column])
    script(APP, temporary=5)
    page = publish(client, admin, column)
    work()
    delivery = Delivery.objects.get(page=page)
    assert delivery.state == "pending" and delivery.attempts == 1
    assert 50 <= (delivery.next_attempt_at - timezone.now()).total_seconds() <= 70
    screen = client.get(reverse("channels:page", args=[page.pk])).content.decode()
    assert "渠道繁忙，请稍后重试" in screen and "已尝试 1 次" in screen

    for _ in range(2):  # time passes; the worker tries again
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        work()
    delivery.refresh_from_db()
    assert delivery.state == "failed" and delivery.attempts == 3
    assert delivery.last_error == "渠道繁忙，请稍后重试（已重试 3 次，请检查后重试）"

    editor = staff("nanning", "editor")
    login(client, editor)
    script(APP)  # the channel works again
    response = client.post(reverse("channels:retry", args=[delivery.pk]), follow=True)
    assert ("success", "已重新排队发送到“测试APP”。") in messages_of(response)
    work()
    delivery.refresh_from_db()
    assert delivery.state == "published" and delivery.last_error == ""


def test_a_permanent_failure_is_reported_to_its_portal_only(client, column, staff):
    admin = staff("nanning", "admin")
    login(client, admin)
    choose_columns(client, APP, [column])
    script(APP, permanent=True)
    page = publish(client, admin, column, "南宁失败稿件")
    work()
    delivery = Delivery.objects.get(page=page)
    assert (delivery.state, delivery.attempts) == ("failed", 1)

    report = login(client, staff("nanning", "editor")).get(reverse("channels:problems"))
    html = report.content.decode()
    assert "南宁失败稿件" in html and "渠道拒绝了这篇文章：标题超过 64 个字" in html
    other = login(client, staff("liuzhou", "editor")).get(reverse("channels:problems"))
    assert "南宁失败稿件" not in other.content.decode()
    refused = client.post(reverse("channels:retry", args=[delivery.pk]), follow=True)
    assert refused.status_code == 403  # refused in place, not a dashboard redirect
    assert Delivery.objects.get(pk=delivery.pk).state == "failed"
    page_screen = client.get(reverse("channels:page", args=[page.pk]), follow=True)
    assert "南宁失败稿件" not in page_screen.content.decode()


def test_a_worker_killed_mid_delivery_is_resumed_without_creating_twice(client, column, staff):
    admin = staff("nanning", "admin")
    login(client, admin)
    choose_columns(client, APP, [column])
    script(APP, crash_after_record=1)
    page = publish(client, admin, column)
    with pytest.raises(SystemExit):
        work()
    delivery = Delivery.objects.get(page=page)
    assert delivery.state == "sending" and "remote_id" in delivery.progress
    recorded = delivery.progress["remote_id"]
    work()  # the lease is still held: nothing happens
    assert Delivery.objects.get(pk=delivery.pk).state == "sending"
    row = f'href="{reverse("channels:page", args=[page.pk])}"'
    assert row not in client.get(reverse("channels:problems")).content.decode()  # not stuck yet

    Delivery.objects.filter(pk=delivery.pk).update(
        lease_until=timezone.now() - timedelta(seconds=1)
    )
    report = client.get(reverse("channels:problems")).content.decode()
    assert row in report and "发送中断（租约过期）" in report
    work()
    delivery.refresh_from_db()
    assert delivery.state == "published" and delivery.remote_id == recorded
    assert len(received(APP)) == 1


# --- the gate at the channel ----------------------------------------------------------------


def test_nothing_reaches_a_channel_that_the_gate_refuses_now(client, column, staff):
    admin = staff("nanning", "admin")
    login(client, admin)
    choose_columns(client, APP, [column])
    page = publish(client, admin, column, "发布后才列入词库的说法")
    SensitiveWord.objects.create(
        dictionary=Dictionary.objects.create(name="渠道闸门测试"),
        word="列入词库的说法",
        category="其他",
        level="block",
    )
    sw_services.reset_engine()
    work()
    delivery = Delivery.objects.get(page=page)
    assert delivery.state == "failed"
    assert delivery.last_error.startswith("敏感词检查未通过，未发送：发现 1 处禁止发布的敏感词")
    assert received(APP) == []
    sw_services.reset_engine()


def test_a_channel_added_to_the_configuration_appears_in_the_admin(client, settings, admin_user):
    settings.CHANNELS = [
        *settings.CHANNELS,
        {"class": "tests.channels.recording.RecordingChannel", "code": "new", "label": "新渠道"},
    ]
    base.forget_channels()
    listing = login(client, admin_user).get(reverse("channel_targets:index")).content.decode()
    assert "新渠道" in listing and "测试APP" in listing


def test_a_column_of_another_portal_cannot_be_slipped_into_the_form(
    client, column, liuzhou_column, staff
):
    login(client, staff("nanning", "admin"))
    response = choose_columns(client, APP, [column, liuzhou_column])
    assert response.status_code == 200  # the form again, with the error on the field
    assert "选择一个有效的选项" in str(response.context["form"].errors["columns"])
    assert not target().columns.exists()


def test_after_the_commit_a_task_delivers_without_waiting_for_the_worker(
    client, column, staff, django_capture_on_commit_callbacks
):
    admin = staff("nanning", "admin")
    login(client, admin)
    choose_columns(client, APP, [column])
    with django_capture_on_commit_callbacks(execute=True):
        page = publish(client, admin, column, "任务即时发送")
    assert Delivery.objects.get(page=page).state == "published"
    assert [title for _, title, _ in received(APP)] == ["任务即时发送"]

"""An article reaches a WeChat official account: the channel against the loopback WeChat API.

The portal administrator chooses the column in the admin and publishes from the admin; the
worker command delivers; everything WeChat sees is asserted at the simulator.
"""

import io

import pytest
from django.core.files.images import ImageFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils.html import escape
from PIL import Image as PILImage
from wagtail.images import get_image_model

from channels import base, services
from channels.models import ChannelTarget, Delivery
from cms.factories import ArticlePageFactory
from cms.models import ArticlePage

pytestmark = pytest.mark.django_db

CODE = "wechat-gxxf"


@pytest.fixture(autouse=True)
def wechat(wechat_account):
    base.forget_channels()
    services.sync_targets()
    yield
    base.forget_channels()


def picture(portal, title, size=(2400, 1600)):
    buffer = io.BytesIO()
    PILImage.new("RGB", size, (40, 120, 90)).save(buffer, "JPEG")
    return get_image_model().objects.create(
        title=title,
        collection=portal.collection,
        file=ImageFile(io.BytesIO(buffer.getvalue()), name=f"{title}.jpg"),
    )


@pytest.fixture
def admin(client, column, staff):
    user = staff("nanning", "admin")
    client.force_login(user)
    target = ChannelTarget.objects.get(code=CODE)
    client.post(reverse("channel_targets:edit", args=[target.pk]), {"columns": [column.pk]})
    return user


def article(column, portals, cover=True, **kwargs):
    portal = portals["nanning"]
    photo = picture(portal, "施工现场")
    page = ArticlePageFactory(
        parent=column,
        live=False,
        title=kwargs.pop("title", "平陆运河沿线信访事项集中办理"),
        author="南宁市信访局",
        summary="集中办理沿线群众诉求。",
        cover_image=picture(portal, "封面") if cover else None,
        cover_alt="封面" if cover else "",
        body=[
            (
                "paragraph",
                '<p>详见<a href="https://example.com/">外部网站</a>。</p><script>x()</script>',
            ),
            ("image", {"image": photo, "alt": "施工现场", "caption": "沿线施工现场"}),
            (
                "table",
                {"caption": "办理情况", "table": {"data": [["类别", "件数"], ["征地", "12"]]}},
            ),
        ],
        **kwargs,
    )
    page.save_revision()
    return page


def publish_from_admin(client, page):
    """The administrator's 发布 of the page as it stands (the page listing's bulk action)."""
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "publish"])
    response = client.post(f"{url}?id={page.pk}&next=/admin/", {"include_descendants": ""})
    assert response.status_code == 302
    return ArticlePage.objects.get(pk=page.pk)


def work():
    call_command("channels_worker", "--once")


def test_an_article_becomes_a_wechat_article_with_its_pictures_on_wechat(
    client, admin, column, portals, wechat_simulator
):
    page = publish_from_admin(client, article(column, portals))
    assert page.live
    work()

    delivery = Delivery.objects.get(page=page, channel=CODE)
    assert delivery.state == "published", delivery.last_error
    assert delivery.remote_url.startswith("https://mp.weixin.qq.com/")
    # The cover as permanent material, the body picture through uploadimg: both JPEG variants.
    assert len(wechat_simulator.calls("material/add_material")) == 1
    assert len(wechat_simulator.calls("media/uploadimg")) == 1
    assert all(upload.data[:3] == b"\xff\xd8\xff" for upload in wechat_simulator.uploads)
    (draft_call,) = wechat_simulator.calls("draft/add")
    (news,) = draft_call.json()["articles"]
    assert news["title"] == "平陆运河沿线信访事项集中办理"
    assert news["content_source_url"] == page.full_url
    content = news["content"]
    assert "mmbiz.qpic.cn" in content and "/media/" not in content  # no portal image URLs
    assert "<script" not in content and "example.com" not in content and "外部网站" in content
    assert "沿线施工现场" in content and "<table" in content and "征地" in content

    screen = client.get(reverse("channels:page", args=[page.pk])).content.decode()
    assert "广西信访" in screen and "已发布" in screen and escape(delivery.remote_url) in screen


def test_a_publication_still_running_is_polled_again_later(
    client, admin, column, portals, wechat_simulator
):
    wechat_simulator.publish_result(0, after_polls=1)
    page = publish_from_admin(client, article(column, portals))
    work()
    delivery = Delivery.objects.get(page=page)
    assert delivery.state == "pending" and delivery.last_error == "公众号正在发布，稍后查询结果"
    assert "publish_id" in delivery.progress
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=delivery.created_at)
    work()
    delivery.refresh_from_db()
    assert delivery.state == "published"
    assert len(wechat_simulator.calls("freepublish/submit")) == 1


def test_a_lost_answer_to_the_submission_does_not_publish_twice(
    client, admin, column, portals, wechat_simulator
):
    wechat_simulator.script_endpoint("freepublish/submit", "twice")
    page = publish_from_admin(client, article(column, portals))
    work()
    delivery = Delivery.objects.get(page=page)
    assert delivery.state == "pending" and delivery.progress.get("submit_requested")
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=delivery.created_at)
    work()
    delivery.refresh_from_db()
    assert delivery.state == "published"
    assert len(wechat_simulator.calls("freepublish/submit")) == 1
    assert len(wechat_simulator.calls("draft/add")) == 1


def test_what_wechat_would_refuse_is_explained_before_anything_is_sent(
    client, admin, column, portals, wechat_simulator
):
    page = publish_from_admin(client, article(column, portals, cover=False, title="无封面" * 30))
    work()
    delivery = Delivery.objects.get(page=page)
    assert delivery.state == "failed"
    assert delivery.last_error == (
        "不符合公众号要求：标题超过 64 个字（现有 90 个）；没有封面图（公众号图文必须有封面）"
    )
    assert wechat_simulator.calls("draft/add") == []


def test_an_update_waits_for_the_editor_and_an_unpublish_deletes_the_wechat_article(
    client, admin, column, portals, wechat_simulator
):
    page = publish_from_admin(client, article(column, portals))
    work()
    page.title = "更正后的标题"
    page.save_revision()
    publish_from_admin(client, page)
    assert Delivery.objects.filter(page=page).count() == 1  # WeChat articles are not edited
    screen = client.get(reverse("channels:page", args=[page.pk])).content.decode()
    assert "门户中的文章已更新；该渠道的文章发布后不能修改" in screen

    # The editor's explicit 重新发布: a new WeChat article, then the old one is deleted.
    first = Delivery.objects.get(page=page).remote_id
    response = client.post(reverse("channels:republish", args=[page.pk, CODE]), follow=True)
    assert "已排队重新发布到“广西信访”" in response.content.decode()
    work()
    latest = Delivery.objects.filter(page=page).order_by("-pk").first()
    assert latest.state == "published" and latest.remote_id != first
    (deleted,) = wechat_simulator.calls("freepublish/delete")
    assert deleted.json()["article_id"] == first
    (news,) = wechat_simulator.calls("draft/add")[-1].json()["articles"]
    assert news["title"] == "更正后的标题"
    screen = client.get(reverse("channels:page", args=[page.pk])).content.decode()
    assert "门户中的文章已更新" not in screen

    confirm = client.get(reverse("wagtailadmin_pages:unpublish", args=[page.pk])).content.decode()
    assert "从“广西信访”撤回（公众号文章将被删除，不能恢复）" in confirm
    client.post(
        reverse("wagtailadmin_pages:unpublish", args=[page.pk]),
        {"channels_choice": "1", "withdraw_from": CODE},  # the box is ticked as it comes
    )
    work()
    withdrawal = Delivery.objects.get(page=page, action="withdraw")
    assert withdrawal.state == "withdrawn"
    deleted = wechat_simulator.calls("freepublish/delete")
    assert [call.json()["article_id"] for call in deleted] == [first, latest.remote_id]


def test_the_accounts_command_lists_accounts_without_secrets_and_checks_them(
    wechat_account, wechat_simulator, capsys
):
    call_command("wechat_accounts", "--check")
    out = capsys.readouterr().out
    assert "gxxf\t广西信访\t服务号" in out and "凭据正常" in out
    assert wechat_account.secret not in out

    wechat_simulator.script_endpoint("stable_token", "error")
    with pytest.raises(CommandError, match="1 个公众号的凭据检查失败"):
        call_command("wechat_accounts", "--check")
    assert "凭据检查失败" in capsys.readouterr().out


def test_pictures_that_went_up_before_a_failure_are_not_uploaded_again(
    client, admin, column, portals, wechat_simulator
):
    portal = portals["nanning"]
    page = article(column, portals)
    page.body = [
        (
            "image",
            {"image": picture(portal, f"图{n}", (1600, 1200)), "alt": f"图{n}", "caption": ""},
        )
        for n in range(3)
    ]
    page.save_revision()
    wechat_simulator.script_endpoint("media/uploadimg", "ok", "ok", "http_500")
    page = publish_from_admin(client, page)
    work()
    delivery = Delivery.objects.get(page=page)
    assert delivery.state == "pending" and len(delivery.progress["images"]) == 2
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=delivery.created_at)
    work()
    delivery.refresh_from_db()
    assert delivery.state == "published"
    assert len(wechat_simulator.calls("media/uploadimg")) == 4  # 3 + the one that failed


def test_republishing_is_refused_when_there_is_nothing_to_replace_or_for_another_portal(
    client, admin, column, portals, staff, wechat_simulator
):
    page = publish_from_admin(client, article(column, portals))
    response = client.post(reverse("channels:republish", args=[page.pk, CODE]), follow=True)
    assert "该渠道中没有已发布的版本，无需重新发布" in response.content.decode()
    work()
    client.force_login(staff("liuzhou", "editor"))
    refused = client.post(reverse("channels:republish", args=[page.pk, CODE]), follow=True)
    assert refused.status_code == 403  # refused in place, not a dashboard redirect
    assert Delivery.objects.filter(page=page).count() == 1
    assert len(wechat_simulator.calls("draft/add")) == 1


def test_unpublishing_with_the_channel_unticked_leaves_the_wechat_article(
    client, admin, column, portals, wechat_simulator
):
    page = publish_from_admin(client, article(column, portals))
    work()
    client.post(reverse("wagtailadmin_pages:unpublish", args=[page.pk]), {"channels_choice": "1"})
    work()
    assert not ArticlePage.objects.get(pk=page.pk).live
    assert not Delivery.objects.filter(page=page, action="withdraw").exists()
    assert wechat_simulator.calls("freepublish/delete") == []

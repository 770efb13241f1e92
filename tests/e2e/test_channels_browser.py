"""The channel panel as an editor sees it in Chromium: the failure, its reason, the retry."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_editor_sees_why_a_channel_failed_and_retries_it(
    portal_content, desktop, admin_sign_in, settings
):
    from django.core.management import call_command

    from channels import base, services
    from channels.models import ChannelTarget, Delivery
    from cms.factories import ArticlePageFactory
    from sites.models import Portal
    from tests.channels.recording import script
    from tests.conftest import make_staff

    from .conftest import run_axe

    settings.CHANNELS = [
        {
            "class": "tests.channels.recording.RecordingChannel",
            "code": "app",
            "label": "广西信访APP",
        }
    ]
    base.forget_channels()
    services.sync_targets()
    portal = Portal.objects.get(code="nanning")
    column = portal.site.root_page.get_children().get(slug="gzdt")
    ChannelTarget.objects.get(code="app").columns.add(column)
    script("app", permanent=True)
    page = ArticlePageFactory(parent=column, slug="channel", title="渠道失败的稿件")
    page.save_revision().publish()
    call_command("channels_worker", "--once")
    editor = make_staff("nanning-channel-editor", portal, "editor")

    admin_sign_in(desktop, editor, "Pw-nanning-channel-editor-2026")
    desktop.goto(portal_content("nanning", f"/admin/channels/pages/{page.pk}/"))
    row = desktop.locator("tr.delivery-failed")
    assert "广西信访APP" in row.inner_text() and "标题超过 64 个字" in row.inner_text()
    assert run_axe(desktop, "main") == []

    script("app")  # the channel works again
    with desktop.expect_navigation():
        row.get_by_role("button", name="重试").click()
    assert "已重新排队发送到“广西信访APP”" in desktop.content()
    desktop.goto("about:blank")
    call_command("channels_worker", "--once")
    assert Delivery.objects.get(page=page).state == "published"
    base.forget_channels()

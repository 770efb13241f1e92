"""The publication gate as a portal administrator sees it in Chromium: refused, confirmed, live."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_administrator_confirms_a_review_word_and_publishes(
    portal_content, desktop, admin_sign_in
):
    from cms.factories import ArticlePageFactory, paragraph
    from cms.models import ArticlePage
    from sensitive_words import services
    from sensitive_words.models import Clearance, Dictionary, SensitiveWord
    from sites.models import Portal
    from tests.conftest import make_staff

    from .conftest import run_axe

    SensitiveWord.objects.create(
        dictionary=Dictionary.objects.create(name="浏览器测试词库"),
        word="旧提法",
        category="表述规范",
        level="review",
        suggestion="新提法",
    )
    services.reset_engine()
    portal = Portal.objects.get(code="nanning")
    column = portal.site.root_page.get_children().get(slug="gzdt")
    page = ArticlePageFactory(
        parent=column,
        slug="gate",
        title="沿用旧提法的通知",
        live=False,
        body=paragraph("根据旧提法要求，做好信访事项办理。"),
    )
    page.save_revision()
    admin = make_staff("nanning-site-admin", portal, "admin")

    admin_sign_in(desktop, admin, "Pw-nanning-site-admin-2026")
    desktop.goto(portal_content("nanning", f"/admin/pages/{page.pk}/edit/"))

    def publish():
        with desktop.expect_navigation():
            desktop.evaluate("document.querySelector('button[name=action-publish]').click()")

    publish()
    panel = desktop.locator(".sw-gate")
    panel.wait_for()
    assert "敏感词检查未通过（共 2 处）" in panel.inner_text()  # the title and the body
    assert "标题中的「旧提法」" in desktop.content()
    # Our panel passes axe (Wagtail's own rich-text editor is not ours to judge here).
    assert run_axe(desktop, ".sw-gate", impacts=None) == []

    desktop.get_by_label("我已逐条核对上列需人工审核的词语，确认可以发布").check()
    publish()
    assert "已经发布" in desktop.content()
    desktop.goto("about:blank")  # no editing-session pings while the database is checked
    assert ArticlePage.objects.get(pk=page.pk).live
    assert Clearance.objects.filter(confirmed_by=admin).count() == 2

"""Nothing unchecked goes live: every path to live passes the sensitive-words gate.

Each test acts as the person who would take that path, through the admin views they use: the
editor's editor form, a reviewer's workflow buttons, a portal administrator's publish button, the
revert, copy, move and bulk-publish screens, and the scheduled-publishing command.
"""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page, PageLogEntry, Revision, TaskState, WorkflowState

from cms.factories import ArticlePageFactory
from cms.models import ArticlePage
from sensitive_words import services
from sensitive_words.gate import PublicationRefused
from sensitive_words.models import Clearance, Dictionary, SensitiveWord
from tests.cms.editor import create, edit, messages_of

pytestmark = pytest.mark.django_db

BLOCKED = "代开发票"
REVIEW = "旧称"


@pytest.fixture(autouse=True)
def words():
    dictionary = Dictionary.objects.create(name="发布检查测试词库")
    SensitiveWord.objects.create(
        dictionary=dictionary, word=BLOCKED, category="广告", level="block"
    )
    SensitiveWord.objects.create(
        dictionary=dictionary, word=REVIEW, category="表述规范", level="review", suggestion="新称"
    )
    services.reset_engine()
    yield dictionary
    services.reset_engine()


def add_portal_word(portal_code: str, word: str, level="block"):
    dictionary = Dictionary.objects.create(name=f"{portal_code}专用词库", site_code=portal_code)
    SensitiveWord.objects.create(dictionary=dictionary, word=word, category="其他", level=level)
    services.reset_engine()


def draft(column, user, title="稿件", body="<p>正文</p>") -> ArticlePage:
    page = ArticlePageFactory(parent=column, title=title, live=False, body=[("paragraph", body)])
    page.save_revision(user=user)
    return page


def fresh(page) -> ArticlePage:
    return ArticlePage.objects.get(pk=page.pk)


def workflow_state(page):
    return WorkflowState.objects.filter(object_id=str(page.pk)).order_by("-pk").first()


def act(client, page, action="approve", **data):
    """A reviewer's button on the dashboard or the page listing (the workflow action view)."""
    state = fresh(page).current_workflow_task_state
    url = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, action, state.pk])
    return client.post(url, {"comment": "", **data})


def login(client, user):
    client.force_login(user)
    return client


# --- the editor's own buttons ---------------------------------------------------------------


def test_submitting_a_blocked_word_is_refused_with_one_message_and_the_input_kept(
    client, column, staff
):
    editor = staff("nanning", "editor")
    page = draft(column, editor)
    response = edit(
        login(client, editor), page, body=f"<p>专业{BLOCKED}，欢迎联系</p>", action="submit"
    )

    assert response.status_code == 200  # the form again, not a redirect
    form = response.context["form"]
    assert form.non_field_errors() == [
        f"不能提交审核：发现 1 处禁止发布的敏感词，不能发布：正文 › 第1块「正文」中的「{BLOCKED}」"
    ]
    html = response.content.decode()
    assert f"专业【{BLOCKED}】，欢迎联系" in html  # the hit in its context, in the gate panel
    assert "body[0]" not in html
    assert form["body"].value()  # what the editor typed is still in the form
    ((level, message),) = messages_of(response)  # one message for the outcome, with the reason
    assert level == "error" and message.startswith("页面未保存：请先处理下面标出的问题。")
    assert "不能提交审核：发现 1 处禁止发布的敏感词" in message
    assert workflow_state(page) is None
    assert not fresh(page).live


def test_a_saved_draft_reports_what_it_contains_now(client, column, staff):
    editor = staff("nanning", "editor")
    page = draft(column, editor)
    login(client, editor)

    response = edit(client, page, body=f"<p>{BLOCKED}</p>", follow=True)
    warnings = [text for level, text in messages_of(response) if level == "warning"]
    assert len(warnings) == 1
    assert f"草稿中有 1 处禁止发布的敏感词：正文 › 第1块「正文」中的「{BLOCKED}」" in warnings[0]

    response = edit(client, page, body="<p>已删除问题内容</p>", follow=True)
    assert [level for level, _ in messages_of(response)] == ["success"]


def test_a_resubmission_after_changes_requested_is_checked_again(client, column, staff):
    editor, reviewer_a, reviewer_b = (
        staff("nanning", "editor"),
        staff("nanning", "reviewer"),
        staff("nanning", "reviewer"),
    )
    page = draft(column, editor)
    edit(login(client, editor), page, body="<p>干净的正文</p>", action="submit")
    act(login(client, reviewer_a), page)  # 初审
    act(login(client, reviewer_b), page, "reject", comment="请补充数据")  # 复审 asks for changes
    assert workflow_state(page).status == WorkflowState.STATUS_NEEDS_CHANGES

    response = edit(login(client, editor), page, body=f"<p>补充：{BLOCKED}</p>", action="submit")
    assert response.status_code == 200
    assert "不能提交审核" in response.context["form"].non_field_errors()[0]
    assert workflow_state(page).status == WorkflowState.STATUS_NEEDS_CHANGES
    assert not fresh(page).live


def test_a_resumed_step_sends_back_a_revision_with_a_blocked_word(column, staff):
    """The backstop when a step restarts on a revision nobody checked (no editor form involved)."""
    editor = staff("nanning", "editor")
    page = draft(column, editor)
    page.get_workflow().start(page, editor)
    state = workflow_state(page)
    check_and_first = TaskState.objects.filter(workflow_state=state)
    first = fresh(page).current_workflow_task_state
    first.reject(user=staff("nanning", "reviewer"), comment="退回")
    page = fresh(page)
    page.body = [("paragraph", f"<p>{BLOCKED}</p>")]
    page.save_revision(user=editor)
    state.refresh_from_db()
    state.resume(editor)

    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    latest = check_and_first.order_by("-pk").first()
    assert latest.status == TaskState.STATUS_REJECTED and BLOCKED in latest.comment


def test_a_reviewer_cannot_approve_after_putting_a_blocked_word_in(client, column, staff):
    editor, reviewer = staff("nanning", "editor"), staff("nanning", "reviewer")
    page = draft(column, editor)
    edit(login(client, editor), page, action="submit")
    login(client, reviewer)

    # Approving from the editor with the edit in the same form: refused by the form.
    response = edit(client, page, body=f"<p>{BLOCKED}</p>", action="approve")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()[0].startswith("不能通过审核：")
    assert fresh(page).current_workflow_task.name == "南宁·初审"

    # Saving the edit, then approving from the dashboard: the step sends the page back.
    edit(client, page, body=f"<p>{BLOCKED}</p>")
    response = act(client, page)
    assert response.url == reverse("sensitive_words:page_check", args=[page.pk])
    assert workflow_state(page).status == WorkflowState.STATUS_NEEDS_CHANGES
    assert not fresh(page).live


def test_a_review_level_word_is_confirmed_by_a_reviewer_and_recorded(client, column, staff):
    editor = staff("nanning", "editor")
    reviewers = [staff("nanning", "reviewer") for _ in range(2)]
    approver = staff("nanning", "approver")
    page = draft(column, editor)
    response = edit(
        login(client, editor), page, body=f"<p>沿用{REVIEW}的表述</p>", action="submit", follow=True
    )
    assert [level for level, _ in messages_of(response)] == ["success"]
    assert fresh(page).current_workflow_task.name == "南宁·敏感词检查"

    # An editor cannot confirm; the portal's reviewer does, on the check step.
    act(login(client, editor), page)
    assert fresh(page).current_workflow_task.name == "南宁·敏感词检查"
    assert not Clearance.objects.exists()
    act(login(client, reviewers[0]), page, comment="已核实为历史文件原文")
    (clearance,) = Clearance.objects.all()
    assert (clearance.word, clearance.confirmed_by, clearance.site_code) == (
        REVIEW,
        reviewers[0],
        "nanning",
    )
    assert clearance.note == "已核实为历史文件原文"

    # 初审, 复审, 终审: the confirming reviewer may not approve another step of this review.
    for user in (reviewers[1], staff("nanning", "admin"), approver):
        act(login(client, user), page)
    assert fresh(page).live


def test_a_step_waits_for_confirmation_of_a_word_added_during_review(client, column, staff):
    editor, reviewer = staff("nanning", "editor"), staff("nanning", "reviewer")
    page = draft(column, editor)
    edit(login(client, editor), page, action="submit")
    login(client, reviewer)
    edit(client, page, body=f"<p>{REVIEW}</p>")  # the reviewer's own edit, saved

    response = act(client, page)
    check_url = reverse("sensitive_words:page_check", args=[page.pk])
    assert response.url == check_url
    assert fresh(page).current_workflow_task.name == "南宁·初审"  # not approved

    view = client.get(check_url).content.decode()
    assert "待确认" in view and "尚未确认" in view
    assert client.post(check_url, {"confirm": "1"}).status_code == 302
    assert Clearance.objects.get().confirmed_by == reviewer
    act(client, page)
    assert fresh(page).current_workflow_task.name == "南宁·复审"


# --- portal administrators publishing directly ----------------------------------------------


def test_a_portal_administrator_cannot_publish_a_blocked_word_directly(client, column, staff):
    admin = staff("nanning", "admin")
    page = draft(column, admin)
    response = edit(login(client, admin), page, body=f"<p>{BLOCKED}</p>", action="publish")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()[0].startswith("不能发布：")
    assert not fresh(page).live


def test_direct_publication_of_a_review_word_needs_the_confirmation_box(client, column, staff):
    admin = staff("nanning", "admin")
    page = draft(column, admin)
    login(client, admin)
    response = edit(client, page, body=f"<p>{REVIEW}</p>", action="publish")
    assert response.status_code == 200
    errors = response.context["form"].errors["sensitive_confirm"]
    assert errors[0].startswith("不能发布：发现 1 处需人工审核的词语")
    assert "我已逐条核对上列需人工审核的词语" in response.content.decode()
    assert not fresh(page).live

    response = edit(client, page, body=f"<p>{REVIEW}</p>", action="publish", sensitive_confirm="on")
    assert response.status_code == 302
    assert fresh(page).live
    assert Clearance.objects.get().confirmed_by == admin


def test_reverting_to_an_old_revision_with_a_word_added_since_is_refused(client, column, staff):
    admin = staff("nanning", "admin")
    page = draft(column, admin, body="<p>曾用“新词”</p>")
    old = page.get_latest_revision()
    login(client, admin)
    edit(client, page, body="<p>改写后的正文</p>", action="publish")
    add_portal_word("nanning", "新词")

    # The revert screen is the editor form filled from the old revision; publishing it:
    revert_url = reverse("wagtailadmin_pages:revisions_revert", args=[page.pk, old.pk])
    assert client.get(revert_url).status_code == 200
    response = client.post(
        reverse("wagtailadmin_pages:edit", args=[page.pk]),
        {**_data(page, "<p>曾用“新词”</p>", "publish"), "revision": old.pk},
    )
    assert response.status_code == 200
    assert "不能发布" in response.context["form"].non_field_errors()[0]
    assert "改写后的正文" in str(fresh(page).body)


def _data(page, body, action):
    from tests.cms.editor import article_data

    return article_data(page, body=body, action=action)


# --- scheduled publishing, bulk publishing, the model backstop ------------------------------


def test_scheduled_publication_is_refused_when_the_dictionary_changed_meanwhile(
    client, column, staff
):
    admin = staff("nanning", "admin")
    clean, dirty = draft(column, admin, "定时一"), draft(column, admin, "定时二")
    login(client, admin)
    go_live = timezone.localtime() + timedelta(hours=1)
    for page, body in ((clean, "<p>正常内容</p>"), (dirty, "<p>后来被禁用的说法</p>")):
        edit(
            client, page, body=body, action="publish", go_live_at=go_live.strftime("%Y-%m-%d %H:%M")
        )
    assert Revision.objects.filter(approved_go_live_at__isnull=False).count() == 2
    add_portal_word("nanning", "被禁用的说法")
    # An hour later (the schedule is due):
    past = timezone.now() - timedelta(minutes=1)
    for revision in Revision.objects.filter(approved_go_live_at__isnull=False):
        revision.content["go_live_at"] = past.isoformat()
        revision.approved_go_live_at = past
        revision.save()

    call_command("publish_scheduled")

    assert fresh(clean).live and not fresh(dirty).live
    assert not Revision.objects.filter(approved_go_live_at__isnull=False).exists()
    entry = PageLogEntry.objects.get(page=dirty, action="sensitive_words.publish_refused")
    assert "被禁用的说法" in entry.data["reason"]
    history = client.get(reverse("wagtailadmin_pages:history", args=[dirty.pk])).content.decode()
    assert "定时发布被拒绝" in history


def test_bulk_publishing_refuses_the_whole_batch_with_a_blocked_page(client, column, staff):
    admin = staff("nanning", "admin")
    clean = draft(column, admin, "批量一")
    dirty = draft(column, admin, "批量二", body=f"<p>{BLOCKED}</p>")
    login(client, admin)
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "publish"])
    response = client.post(
        f"{url}?id={clean.pk}&id={dirty.pk}&next=/admin/", {"include_descendants": ""}, follow=True
    )
    errors = [text for level, text in messages_of(response) if level == "error"]
    assert errors and "批量二" in errors[0] and BLOCKED in errors[0]
    assert not fresh(clean).live and not fresh(dirty).live


def test_no_code_path_can_store_a_refused_revision_live(column, staff):
    page = draft(column, staff("nanning", "editor"), body=f"<p>{BLOCKED}</p>")
    with pytest.raises(PublicationRefused):
        page.get_latest_revision().publish()
    with pytest.raises(PublicationRefused):
        ArticlePageFactory(parent=column, title=f"直接写入{BLOCKED}")
    assert not fresh(page).live


# --- copy and move into another portal ------------------------------------------------------


@pytest.fixture
def liuzhou_column(portals):
    return portals["liuzhou"].site.root_page.get_children().get(slug="gzdt").specific


def test_copying_with_publication_into_a_portal_that_bans_a_word_is_refused(
    client, column, liuzhou_column, admin_user
):
    page = ArticlePageFactory(
        parent=column, title="南宁稿件", body=[("paragraph", "<p>柳州禁词</p>")]
    )
    add_portal_word("liuzhou", "柳州禁词")
    login(client, admin_user)
    url = reverse("wagtailadmin_pages:copy", args=[page.pk])
    form = {
        "new_title": "转载",
        "new_slug": "zhuanzai",
        "new_parent_page": liuzhou_column.pk,
        "publish_copies": "on",
    }
    response = client.post(url, form, follow=True)
    errors = [text for level, text in messages_of(response) if level == "error"]
    assert errors and "柳州禁词" in errors[0]
    assert not Page.objects.filter(slug="zhuanzai").exists()

    # As a draft the copy is allowed: it goes through 柳州's own review.
    client.post(url, {**form, "publish_copies": ""})
    assert not Page.objects.get(slug="zhuanzai").live


def test_moving_a_live_page_into_a_portal_that_bans_a_word_is_refused(
    client, column, liuzhou_column, admin_user
):
    page = ArticlePageFactory(
        parent=column, title="待移动", body=[("paragraph", "<p>柳州禁词</p>")]
    )
    add_portal_word("liuzhou", "柳州禁词")
    login(client, admin_user)
    url = reverse("wagtailadmin_pages:move_confirm", args=[page.pk, liuzhou_column.pk])
    response = client.post(url, follow=True)
    errors = [text for level, text in messages_of(response) if level == "error"]
    assert errors and "柳州禁词" in errors[0]
    assert fresh(page).get_parent().pk == column.pk

    # A move inside its own portal publishes nothing new and is not checked again.
    sibling = (
        column.get_parent().get_children().exclude(pk=column.pk).type(column.specific_class).first()
    )
    client.post(reverse("wagtailadmin_pages:move_confirm", args=[page.pk, sibling.pk]))
    assert fresh(page).get_parent().pk == sibling.pk


# --- who may see and confirm ----------------------------------------------------------------


def test_the_check_view_is_closed_to_other_portals_and_confirmation_to_editors(
    client, column, staff
):
    page = draft(column, staff("nanning", "editor"), title="南宁内部稿件", body=f"<p>{REVIEW}</p>")
    url = reverse("sensitive_words:page_check", args=[page.pk])
    outsider = login(client, staff("liuzhou", "reviewer")).get(url, follow=True)
    assert outsider.status_code == 403  # refused in place, not a dashboard redirect
    assert "南宁内部稿件" not in outsider.content.decode()

    login(client, staff("nanning", "editor"))
    assert "南宁内部稿件" in client.get(url).content.decode()
    refused = client.post(url, {"confirm": "1"}, follow=True)
    assert refused.status_code == 403  # refused in place, not a dashboard redirect
    assert not Clearance.objects.exists()


def test_a_new_page_published_at_creation_is_checked_too(client, column, staff):
    admin = staff("nanning", "admin")
    response = create(login(client, admin), column, title=f"新稿{BLOCKED}", action="publish")
    assert response.status_code == 200
    assert "标题中的「代开发票」" in response.context["form"].non_field_errors()[0]
    assert not ArticlePage.objects.filter(title__startswith="新稿").exists()


def test_confirmations_are_listed_for_audit_and_cannot_be_edited(client, column, staff, admin_user):
    admin = staff("nanning", "admin")
    page = draft(column, admin)
    edit(
        login(client, admin),
        page,
        body=f"<p>{REVIEW}</p>",
        action="publish",
        sensitive_confirm="on",
    )
    clearance = Clearance.objects.get()
    login(client, admin_user)
    listing = client.get(reverse("wagtailsnippets_sensitive_words_clearance:list")).content.decode()
    assert REVIEW in listing and admin.username in listing
    edit_url = reverse("wagtailsnippets_sensitive_words_clearance:edit", args=[clearance.pk])
    assert client.get(edit_url, follow=True).status_code == 403
    add_url = reverse("wagtailsnippets_sensitive_words_clearance:add")
    assert client.post(add_url, {"word": "x"}, follow=True).status_code == 403
    assert Clearance.objects.count() == 1

"""Pages: text extraction, the workflow task, the highlighted view, the save check, the scan report."""

import csv
import io

import pytest
from django.core.management import call_command
from wagtail.models import Page, Workflow, WorkflowState, WorkflowTask
from wagtail.rich_text import RichText

from sensitive_words import services
from sensitive_words.models import SensitiveWordsCheckTask

pytestmark = pytest.mark.django_db


@pytest.fixture
def words(add_word):
    add_word("代开发票", category="广告", level="block")
    add_word("旧称", category="表述规范", level="review", suggestion="新称")


@pytest.fixture
def root():
    """The root page of a Wagtail site (created when the database has none)."""
    from wagtail.models import Site

    site = Site.objects.filter(is_default_site=True).first() or Site.objects.first()
    if site is None:
        home = Page.objects.get(depth=1).add_child(instance=Page(title="首页", slug="home"))
        site = Site.objects.create(hostname="localhost", root_page=home, is_default_site=True)
    return site.root_page


def plain_page(root, title):
    """A draft (not live) plain Wagtail page with one revision."""
    page = root.add_child(instance=Page(title=title, slug=f"p{Page.objects.count()}", live=False))
    page.save_revision()
    return page


@pytest.fixture
def article(root):
    models = pytest.importorskip("cms.models")
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file

    image = Image.objects.create(title="封面含旧称", file=get_test_image_file())
    page = models.ArticlePage(
        title="通知",
        slug="notice",
        live=False,  # a draft: the gate would refuse to store it live
        summary="摘要里有旧称",
        cover_image=image,
        cover_alt="封面说明",
        body=[
            ("paragraph", RichText("<p>第一段</p><p>专业<b>代</b>开发票</p>")),
            ("image", {"image": image, "alt": "替代文字", "caption": "图注旧称"}),
        ],
    )
    root.add_child(instance=page)
    page.save_revision()
    return page


def make_workflow(*tasks):
    workflow = Workflow.objects.create(name="三审")
    for i, task in enumerate(tasks):
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=i)
    return workflow


def test_check_page_finds_hits_in_every_kind_of_text_with_field_paths(words, article):
    hits = services.check_page(article)
    found = {(h.path, h.hit.word) for h in hits}
    assert ("summary", "旧称") in found
    assert ("cover_image.title", "旧称") in found
    assert ("body[0].paragraph", "代开发票") in found  # rich text stripped of HTML
    assert ("body[1].image.caption", "旧称") in found
    assert ("body[1].image.image.title", "旧称") in found


def test_check_page_reports_context_around_the_hit(words, article):
    (hit,) = [h for h in services.check_page(article) if h.path == "summary"]
    assert hit.context == "摘要里有【旧称】"


def test_get_default_returns_one_shared_task():
    first = SensitiveWordsCheckTask.get_default()
    assert SensitiveWordsCheckTask.get_default().pk == first.pk
    assert first.name == "敏感词检查"


def test_page_without_hits_passes_the_check_step_automatically(words, root, admin_user):
    page = plain_page(root, "正常标题")
    workflow = make_workflow(SensitiveWordsCheckTask.get_default())
    state = workflow.start(page, admin_user)
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_APPROVED


def test_block_level_hit_sends_the_page_back_with_the_hits_in_the_comment(words, root, admin_user):
    page = plain_page(root, "关于代开发票的通知")
    workflow = make_workflow(SensitiveWordsCheckTask.get_default())
    state = workflow.start(page, admin_user)
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    task_state = state.current_task_state.specific
    assert "代开发票" in task_state.comment
    assert task_state.hits[0]["field"] == "title"
    assert not Page.objects.get(pk=page.pk).live


def test_review_level_hit_waits_for_a_reviewer(words, root, admin_user):
    page = plain_page(root, "使用旧称的通知")
    workflow = make_workflow(SensitiveWordsCheckTask.get_default())
    state = workflow.start(page, admin_user)
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    task_state = state.current_task_state
    assert task_state.status == task_state.STATUS_IN_PROGRESS
    task_state.task.specific.on_action(task_state, admin_user, "approve")
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_APPROVED


def test_only_reviewers_get_the_confirm_action(words, root, admin_user, django_user_model):
    task = SensitiveWordsCheckTask.get_default()
    editor = django_user_model.objects.create_user("editor", password="x")
    page = plain_page(root, "旧称")
    assert task.get_actions(page, editor) == []
    assert [a[0] for a in task.get_actions(page, admin_user)] == ["reject", "approve", "approve"]


def test_check_step_runs_before_the_next_step(words, root, admin_user):
    from wagtail.models import GroupApprovalTask

    review = GroupApprovalTask.objects.create(name="初审")
    workflow = make_workflow(SensitiveWordsCheckTask.get_default(), review)
    state = workflow.start(plain_page(root, "正常标题"), admin_user)
    state.refresh_from_db()
    assert state.current_task_state.task.pk == review.pk


def test_highlighted_view_marks_each_hit_with_category_and_suggestion(words, root, admin_client):
    page = plain_page(root, "使用旧称的通知")
    response = admin_client.get(f"/admin/sensitive-words/pages/{page.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        '<mark class="sw-hit sw-review" title="旧称｜表述规范｜人工审核｜建议：新称">旧称</mark>'
        in html
    )


def test_highlighted_view_escapes_page_text(add_word, root, admin_client):
    add_word("坏词")
    page = plain_page(root, "<script>坏词</script>")
    html = admin_client.get(f"/admin/sensitive-words/pages/{page.pk}/").content.decode()
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_highlighted_view_is_refused_to_users_who_cannot_edit(
    words, root, client, django_user_model
):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("viewer", password="x")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    page = plain_page(root, "旧称")
    assert client.get(f"/admin/sensitive-words/pages/{page.pk}/").status_code in (302, 403)


def test_page_header_offers_the_check(words, root, admin_client):
    page = plain_page(root, "正常")
    html = admin_client.get(f"/admin/pages/{page.pk}/edit/").content.decode()
    assert f"/admin/sensitive-words/pages/{page.pk}/" in html


def test_scan_command_writes_a_csv_report_of_live_pages(words, root, tmp_path, capsys):
    page = plain_page(root, "旧称")
    page.save_revision().publish()
    plain_page(root, "代开发票（草稿，未发布）")
    out = tmp_path / "report.csv"
    call_command("scan_sensitive", "--format", "csv", "--output", str(out))
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows[0][:3] == ["页面ID", "页面标题", "页面地址"]
    assert [(r[1], r[5], r[8], r[9], r[10]) for r in rows[1:]] == [
        ("旧称", "旧称", "表述规范", "人工审核", "新称")
    ]


def test_scan_command_writes_xlsx_and_html(words, root, tmp_path):
    from openpyxl import load_workbook

    plain_page(root, "旧称").save_revision().publish()
    call_command("scan_sensitive", "--format", "xlsx", "--output", str(tmp_path / "r.xlsx"))
    sheet = load_workbook(tmp_path / "r.xlsx").active
    assert sheet.max_row == 2
    call_command("scan_sensitive", "--format", "html", "--output", str(tmp_path / "r.html"))
    assert "共 1 处命中" in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_scan_command_rejects_unknown_site(words):
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        call_command("scan_sensitive", "--site", "nowhere")


def test_scan_command_since_skips_older_pages(words, root, tmp_path):
    plain_page(root, "旧称").save_revision().publish()
    out = tmp_path / "r.csv"
    call_command("scan_sensitive", "--since", "2999-01-01", "--output", str(out))
    assert len(out.read_text(encoding="utf-8-sig").splitlines()) == 1

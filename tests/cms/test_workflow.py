"""三审: a page goes live only after 初审, 复审 and 终审 approve; a rejection goes back with its comment."""

import pytest
from django.core.exceptions import PermissionDenied
from wagtail.models import TaskState, WorkflowState

from cms.factories import ArticlePageFactory
from cms.workflow import ReviewStepTask

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(column, staff):
    """A draft article of 南宁 that its editor has submitted for review."""
    editor = staff("nanning", "editor")
    page = ArticlePageFactory(parent=column, title="待审稿件", live=False)
    page.save_revision(user=editor)
    page.get_workflow().start(page, editor)
    page.refresh_from_db()
    return page, editor


def current_step(page) -> TaskState:
    page.refresh_from_db()
    state = page.current_workflow_task_state
    assert state is not None, "the review is no longer in progress"
    return state


def act(page, user, action, comment=""):
    state = current_step(page)
    kwargs = {"comment": comment} if comment else {}
    state.task.specific.on_action(state, user, action, **kwargs)
    page.refresh_from_db()


def test_page_goes_live_only_after_all_three_steps(submitted, staff):
    page, _ = submitted
    reviewer_a, reviewer_b, approver = (
        staff("nanning", "reviewer"),
        staff("nanning", "reviewer"),
        staff("nanning", "approver"),
    )
    steps = []
    for user in (reviewer_a, reviewer_b, approver):
        assert not page.live
        steps.append(current_step(page).task.name)
        act(page, user, "approve")
    assert steps == ["南宁·初审", "南宁·复审", "南宁·终审"]
    assert page.live
    assert (
        WorkflowState.objects.get(base_content_type__isnull=False, object_id=str(page.pk)).status
        == "approved"
    )


def test_rejection_returns_the_page_to_the_editor_with_the_comment(submitted, staff):
    page, editor = submitted
    act(page, staff("nanning", "reviewer"), "approve")
    act(page, staff("nanning", "reviewer"), "reject", comment="第二段数据需要核实")
    assert not page.live
    state = WorkflowState.objects.get(object_id=str(page.pk))
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    assert state.requested_by == editor
    rejected = TaskState.objects.filter(
        workflow_state=state, status=TaskState.STATUS_REJECTED
    ).get()
    assert rejected.comment == "第二段数据需要核实"
    assert page.permissions_for_user(editor).can_edit()


def test_one_person_cannot_approve_two_steps_of_the_same_review(submitted, staff):
    page, _ = submitted
    reviewer = staff("nanning", "reviewer")
    act(page, reviewer, "approve")
    state = current_step(page)
    assert state.task.specific.get_actions(page, reviewer) == []
    with pytest.raises(PermissionDenied):
        act(page, reviewer, "approve")
    assert not page.live


def test_another_citys_reviewer_cannot_act_on_the_review(submitted, staff):
    page, _ = submitted
    outsider = staff("liuzhou", "reviewer")
    state = current_step(page)
    assert state.task.specific.get_actions(page, outsider) == []
    assert not ReviewStepTask.objects.get(pk=state.task_id).user_can_access_editor(page, outsider)


def test_a_blocked_word_sends_the_page_back_before_human_review(column, staff):
    from sensitive_words import services
    from sensitive_words.models import Dictionary, SensitiveWord

    SensitiveWord.objects.create(
        dictionary=Dictionary.objects.create(name="工作流测试词库"),
        word="代开发票",
        category="广告",
        level="block",
    )
    services.reset_engine()
    editor = staff("nanning", "editor")
    page = ArticlePageFactory(
        parent=column,
        title="含违禁内容的稿件",
        live=False,
        body=[("paragraph", "<p>专业代开发票</p>")],
    )
    page.save_revision(user=editor)
    page.get_workflow().start(page, editor)
    state = WorkflowState.objects.get(object_id=str(page.pk))
    page.refresh_from_db()
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    assert not page.live
    assert (
        "代开发票"
        in TaskState.objects.get(workflow_state=state, status=TaskState.STATUS_REJECTED).comment
    )
    services.reset_engine()

"""The 三审 review steps: group approval where one person can approve only one step of a review.

Three-step review exists so that three different people look at a page; a reviewer who approved
初审 must not also approve 复审 of the same submission.

Every step re-checks the revision in front of it with the sensitive-words gate: when it starts
(a resubmission after 退回修改 resumes the step that asked for changes, not the check step) and
when a reviewer approves it (a reviewer may have edited the page while approving). Block-level
hits send the page back to the editor; review-level hits need the reviewer's recorded
confirmation before the step can be approved.
"""

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from wagtail.models import TaskState
from wagtail.models.workflows import AbstractGroupApprovalTask

from sensitive_words import gate


class ReviewStepTask(AbstractGroupApprovalTask):
    class Meta:
        verbose_name = "三审步骤"
        verbose_name_plural = "三审步骤"

    @classmethod
    def get_description(cls):
        return "所选用户组的成员可审核此步骤；同一人在同一次审核中只能通过一个步骤"

    def approved_earlier_by(self, obj, user) -> bool:
        state = getattr(obj, "current_workflow_state", None)
        if state is None or not user.is_authenticated:
            return False
        return (
            TaskState.objects.filter(
                workflow_state=state, status=TaskState.STATUS_APPROVED, finished_by=user
            )
            .exclude(task_id=self.pk)
            .exists()
        )

    def start(self, workflow_state, user=None):
        task_state = super().start(workflow_state, user=user)
        verdict = gate.assess(task_state.revision.as_object())
        if verdict.blocked:
            task_state.reject(user=None, update=False, comment=gate.hits_comment(verdict))
        return task_state

    def get_actions(self, obj, user):
        if self.approved_earlier_by(obj, user):
            return []
        return super().get_actions(obj, user)

    def on_action(self, task_state, user, action_name, **kwargs):
        page = task_state.workflow_state.content_object
        if action_name == "approve":
            if user is not None and self.approved_earlier_by(page, user):
                raise PermissionDenied("您已审核通过本次送审的前一步骤，须由其他人员完成此步骤")
            # The latest revision: the one that the workflow's completion would publish.
            verdict = gate.assess(page.get_latest_revision_as_object())
            if verdict.blocked:
                task_state.reject(user=None, comment=gate.hits_comment(verdict))
                return reverse("sensitive_words:page_check", args=[page.pk])
            if verdict.pending:
                # Confirmed on the sensitive-words view of the page, then approved again.
                return reverse("sensitive_words:page_check", args=[page.pk])
        return super().on_action(task_state, user, action_name, **kwargs)

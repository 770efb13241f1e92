"""The 三审 review steps: group approval where one person can approve only one step of a review.

Three-step review exists so that three different people look at a page; a reviewer who approved
初审 must not also approve 复审 of the same submission.
"""

from django.core.exceptions import PermissionDenied
from wagtail.models import TaskState
from wagtail.models.workflows import AbstractGroupApprovalTask


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

    def get_actions(self, obj, user):
        if self.approved_earlier_by(obj, user):
            return []
        return super().get_actions(obj, user)

    def on_action(self, task_state, user, action_name, **kwargs):
        if (
            action_name == "approve"
            and user is not None
            and self.approved_earlier_by(task_state.workflow_state.content_object, user)
        ):
            raise PermissionDenied("您已审核通过本次送审的前一步骤，须由其他人员完成此步骤")
        return super().on_action(task_state, user, action_name, **kwargs)

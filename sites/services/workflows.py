"""Each portal's 三审 workflow: 敏感词检查 → 初审 → 复审 → 终审, bound to the portal's own groups."""

from django.apps import apps
from wagtail.models import Workflow, WorkflowPage, WorkflowTask

from cms.workflow import ReviewStepTask
from sites.models import Portal

STEPS = (
    ("初审", ("reviewer",)),
    ("复审", ("reviewer", "admin")),
    ("终审", ("approver",)),
)


def _automatic_checks(portal: Portal, groups: dict) -> list:
    """The sensitive-words check before human review, one per portal so that only the portal's
    own reviewers confirm its review-level hits (a shared task would show every portal's pages
    to every reviewer)."""
    try:
        check_task = apps.get_model("sensitive_words", "SensitiveWordsCheckTask")
    except LookupError:
        return []
    task, _ = check_task.objects.get_or_create(name=f"{portal.city}·敏感词检查")
    task.groups.set([groups["reviewer"], groups["admin"]])
    return [task]


def ensure_portal_workflow(portal: Portal, groups: dict) -> Workflow:
    name = f"{portal.name}三审流程"
    workflow, _ = Workflow.objects.get_or_create(name=name)
    tasks = _automatic_checks(portal, groups)
    for step, roles in STEPS:
        task, _ = ReviewStepTask.objects.get_or_create(name=f"{portal.city}·{step}")
        task.groups.set([groups[role] for role in roles])
        tasks.append(task)
    for order, task in enumerate(tasks):
        WorkflowTask.objects.update_or_create(
            workflow=workflow, task=task, defaults={"sort_order": order}
        )
    WorkflowTask.objects.filter(workflow=workflow).exclude(task__in=tasks).delete()
    WorkflowPage.objects.update_or_create(
        page=portal.site.root_page, defaults={"workflow": workflow}
    )
    return workflow

"""The editorial workflow: methodists draft, the head of department approves and publishes."""

from django.contrib.auth.models import Group
from django.db import transaction
from wagtail.models import GroupApprovalTask, Workflow, WorkflowPage, WorkflowTask

from cms.models import HomePage
from core.roles import role_group_name

WORKFLOW_NAME = "Редакционное утверждение"
TASK_NAME = "Утверждение руководителем отдела"
APPROVER_ROLES = ("head", "administrator")


@transaction.atomic
def editorial_workflow_ensure() -> Workflow | None:
    """Create the workflow and assign it to the home page (so to the whole site); idempotent.

    Returns None while there is no home page yet (a fresh database before seeding).
    """
    home = HomePage.objects.first()
    if home is None:
        return None
    task = GroupApprovalTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=TASK_NAME)
    approvers = [
        Group.objects.get_or_create(name=role_group_name(code))[0] for code in APPROVER_ROLES
    ]
    task.groups.add(*approvers)
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME)
    if not WorkflowTask.objects.filter(workflow=workflow, task=task).exists():
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.get_or_create(page=home, defaults={"workflow": workflow})
    return workflow


def editorial_workflow_after_migrate(**kwargs) -> None:
    """post_migrate receiver: a deployed site gets the workflow once its home page exists."""
    editorial_workflow_ensure()

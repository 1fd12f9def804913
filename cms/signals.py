"""Receivers of Wagtail's workflow and page signals (connected in ``CmsConfig.ready``).

Signal arguments as Wagtail 8 sends them: ``workflow_*`` carry the
``WorkflowState`` as ``instance``, ``task_*`` the specific ``TaskState``; both
pass the acting ``user``. On a rejection Wagtail sends ``workflow_rejected``
first and then ``task_rejected``; an approval of the last task publishes the
page (``page_published``) before ``workflow_approved``.
"""

from django.db.models.signals import pre_delete
from django.dispatch import receiver
from wagtail.models import Page
from wagtail.signals import (
    page_published,
    task_rejected,
    task_submitted,
    workflow_approved,
    workflow_rejected,
    workflow_submitted,
)

from cms.models import PracticePage
from cms.services import practices, workflow


def _page(workflow_state):
    content = workflow_state.content_object
    return content.specific if isinstance(content, Page) else content


@receiver(task_submitted, dispatch_uid="cms_workflow_task_submitted")
def task_submitted_received(sender, instance, user=None, **kwargs):
    workflow.workflow_submitted_notify(task_state=instance, user=user)
    # A page resubmitted after changes starts its task again (without workflow_submitted).
    practices.practice_proposal_in_review(page=_page(instance.workflow_state))


@receiver(workflow_submitted, dispatch_uid="cms_workflow_submitted")
def workflow_submitted_received(sender, instance, user=None, **kwargs):
    practices.practice_proposal_in_review(page=_page(instance))


@receiver(workflow_approved, dispatch_uid="cms_workflow_approved")
def workflow_approved_received(sender, instance, user=None, **kwargs):
    workflow.workflow_approved_notify(workflow_state=instance, user=user)


@receiver(workflow_rejected, dispatch_uid="cms_workflow_rejected")
def workflow_rejected_received(sender, instance, user=None, **kwargs):
    workflow.workflow_changes_requested_notify(workflow_state=instance, user=user)


@receiver(task_rejected, dispatch_uid="cms_workflow_task_rejected")
def task_rejected_received(sender, instance, user=None, **kwargs):
    practices.practice_proposal_changes_requested(
        page=_page(instance.workflow_state), comment=instance.get_comment()
    )


@receiver(page_published, sender=PracticePage, dispatch_uid="cms_practice_published")
def practice_published_received(sender, instance, **kwargs):
    practices.practice_proposal_published(page=instance)


@receiver(pre_delete, sender=PracticePage, dispatch_uid="cms_practice_deleted")
def practice_deleted_received(sender, instance, **kwargs):
    practices.practice_proposal_rejected(page=instance)

"""In-site notices of the editorial workflow, for every page type (and snippet).

Wagtail emails admin users about workflow events itself; these notices put the
same events into the portal's notification list (``email=False``). Authors of
practice proposals are told by ``cms.services.practices`` instead, with email.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.admin.admin_url_finder import AdminURLFinder
from wagtail.models import GroupApprovalTask, Page, TaskState, WorkflowState

from cms.services.practices import proposal_author_ids
from core.models import User
from core.services.notifications import notification_send


def _content_object(workflow_state: WorkflowState):
    content = workflow_state.content_object
    return content.specific if isinstance(content, Page) else content


def _edit_url(content) -> str:
    return AdminURLFinder().get_edit_url(content) or ""


def _name(user: User | None) -> str:
    return (user.get_full_name() or user.email) if user is not None else _("someone")


def task_reviewers(task_state: TaskState, *, exclude: User | None = None) -> list[User]:
    """Who can act on the task: the members of a group-approval task's groups."""
    task = task_state.task.specific
    if not isinstance(task, GroupApprovalTask):
        return []
    reviewers = User.objects.filter(groups__in=task.groups.all(), is_active=True).distinct()
    if exclude is not None:
        reviewers = reviewers.exclude(pk=exclude.pk)
    return list(reviewers.order_by("pk"))


@transaction.atomic
def workflow_submitted_notify(*, task_state: TaskState, user: User | None) -> int:
    """A task has started on some content: tell the people who can act on it."""
    content = _content_object(task_state.workflow_state)
    requested_by = task_state.workflow_state.requested_by
    reviewers = task_reviewers(task_state, exclude=user)
    title = _("Waiting for your review: %(title)s") % {"title": content}
    body = _("%(name)s submitted “%(title)s” for review (step: %(task)s).") % {
        "name": _name(requested_by or user),
        "title": content,
        "task": task_state.task.name,
    }
    url = _edit_url(content)
    for reviewer in reviewers:
        notification_send(
            recipient=reviewer,
            kind="content.submitted",
            title=title,
            body=body,
            url=url,
            email=False,
        )
    return len(reviewers)


def _requester_to_tell(workflow_state: WorkflowState, user: User | None, content) -> User | None:
    requester = workflow_state.requested_by
    if requester is None or requester == user or not requester.is_active:
        return None
    if requester.pk in proposal_author_ids(content):
        return None
    return requester


@transaction.atomic
def workflow_approved_notify(*, workflow_state: WorkflowState, user: User | None) -> bool:
    content = _content_object(workflow_state)
    requester = _requester_to_tell(workflow_state, user, content)
    if requester is None:
        return False
    notification_send(
        recipient=requester,
        kind="content.approved",
        title=_("Approved: %(title)s") % {"title": content},
        body=_("%(name)s approved “%(title)s”.") % {"name": _name(user), "title": content},
        url=_edit_url(content),
        email=False,
    )
    return True


@transaction.atomic
def workflow_changes_requested_notify(*, workflow_state: WorkflowState, user: User | None) -> bool:
    content = _content_object(workflow_state)
    requester = _requester_to_tell(workflow_state, user, content)
    if requester is None:
        return False
    body = _("%(name)s asked for changes to “%(title)s”.") % {
        "name": _name(user),
        "title": content,
    }
    task_state = workflow_state.current_task_state
    comment = task_state.specific.get_comment() if task_state is not None else ""
    if comment:
        body += "\n\n" + _("Reviewer's comment: %(comment)s") % {"comment": comment}
    notification_send(
        recipient=requester,
        kind="content.changes_requested",
        title=_("Changes requested: %(title)s") % {"title": content},
        body=body,
        url=_edit_url(content),
        email=False,
    )
    return True

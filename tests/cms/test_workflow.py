"""Editorial workflow notices for every page, and the fate of practice proposals."""

import uuid

import pytest
from wagtail.models import Page

from cms import signals  # noqa: F401  (receivers connect on import, as CmsConfig.ready does)
from cms.demo import home_page
from cms.models import PracticeIndexPage, PracticeProposal, StandardPage
from cms.services.editorial import editorial_workflow_ensure
from cms.services.practices import practice_propose
from core.models import Membership, Notification
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def home(db):
    home = home_page()
    editorial_workflow_ensure()
    return home


@pytest.fixture
def practice_index(home):
    index = PracticeIndexPage(title="Лучшие практики", slug="practices")
    home.add_child(instance=index)
    index.save_revision().publish()
    return index


@pytest.fixture
def head(make_user):
    return make_user("head", email="head@example.org", last_name="Васильева")


@pytest.fixture
def librarian(make_user):
    user = make_user("participant", email="librarian@example.org", last_name="Соколова")
    Membership.objects.create(user=user, organisation=OrganisationFactory())
    return user


@pytest.fixture
def proposal(practice_index, librarian, head, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        proposal, created = practice_propose(
            user=librarian,
            organisation=librarian.memberships.get().organisation,
            title="Квест «Найди и проверь»",
            category="info_literacy",
            annotation="Командная игра о проверке источников.",
            description="Шесть станций.\n\nОдна из них — о фейках.",
            files=[],
            cover=None,
            publish_name=False,
            submission_key=uuid.uuid4(),
        )
    assert created
    return proposal


def _emails_to(mailoutbox, address):
    return [message for message in mailoutbox if address in message.to]


def test_submission_notifies_the_reviewers_in_site(proposal, head, librarian, mailoutbox):
    notice = Notification.objects.get(recipient=head, kind="content.submitted")
    assert proposal.title in notice.title
    assert notice.send_email is False
    assert f"/admin/pages/{proposal.page_id}/edit/" in notice.url
    assert not Notification.objects.filter(recipient=librarian, kind="content.submitted")
    assert not _emails_to(mailoutbox, librarian.email)


def test_approval_publishes_and_tells_the_author_by_email(
    proposal, head, librarian, mailoutbox, django_capture_on_commit_callbacks
):
    page = proposal.page
    task_state = page.current_workflow_task_state
    with django_capture_on_commit_callbacks(execute=True):
        task_state.specific.approve(user=head, comment="Отличный опыт, публикуем.")
    page.refresh_from_db()
    proposal.refresh_from_db()
    assert page.live
    assert proposal.status == PracticeProposal.Status.PUBLISHED
    assert proposal.editor_comment == "Отличный опыт, публикуем."
    notices = Notification.objects.filter(recipient=librarian)
    assert [notice.kind for notice in notices] == ["practices.published"]
    assert notices[0].url == page.url
    # One email — ours; Wagtail's own approval email to the author is switched off.
    (email,) = _emails_to(mailoutbox, librarian.email)
    assert proposal.title in email.subject
    assert "Отличный опыт, публикуем." in email.body

    # Publishing a later edit does not tell the author again.
    page.save_revision(user=head).publish(user=head)
    assert Notification.objects.filter(recipient=librarian).count() == 1


def test_request_for_changes_returns_the_proposal_with_the_comment(
    proposal, head, librarian, mailoutbox, django_capture_on_commit_callbacks
):
    comment = "Добавьте, пожалуйста, сценарий по этапам."
    with django_capture_on_commit_callbacks(execute=True):
        proposal.page.current_workflow_task_state.specific.reject(user=head, comment=comment)
    proposal.refresh_from_db()
    assert proposal.status == PracticeProposal.Status.CHANGES_REQUESTED
    assert proposal.editor_comment == comment
    notice = Notification.objects.get(recipient=librarian)
    assert notice.kind == "practices.changes_requested"
    assert comment in notice.body
    (email,) = _emails_to(mailoutbox, librarian.email)
    assert comment in email.body
    assert not proposal.page.live

    # Resubmitted after the edit: under review again.
    proposal.page.current_workflow_state.resume(user=head)
    proposal.refresh_from_db()
    assert proposal.status == PracticeProposal.Status.IN_MODERATION


def test_deleting_the_page_declines_the_proposal_and_keeps_the_record(
    proposal, head, librarian, mailoutbox, django_capture_on_commit_callbacks
):
    comment = "Практика повторяет уже опубликованную."
    proposal.page.current_workflow_task_state.specific.reject(user=head, comment=comment)
    Notification.objects.all().delete()
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        Page.objects.get(pk=proposal.page_id).delete()
    proposal.refresh_from_db()
    assert proposal.page is None
    assert proposal.status == PracticeProposal.Status.REJECTED
    notice = Notification.objects.get(recipient=librarian)
    assert notice.kind == "practices.rejected" and comment in notice.body
    (email,) = _emails_to(mailoutbox, librarian.email)
    assert comment in email.body


def test_other_pages_notify_the_requester_in_site_only(
    home, head, make_user, mailoutbox, django_capture_on_commit_callbacks
):
    methodist = make_user("methodist", email="methodist@example.org")
    page = StandardPage(title="О проекте", slug="o-proekte")
    home.add_child(instance=page)
    page.save_revision(user=methodist)
    page.get_workflow().start(page, methodist)
    assert Notification.objects.filter(recipient=head, kind="content.submitted").count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        page.current_workflow_task_state.specific.reject(user=head, comment="Уточните контакты.")
    notice = Notification.objects.get(recipient=methodist)
    assert notice.kind == "content.changes_requested"
    assert "Уточните контакты." in notice.body and notice.send_email is False

    page.current_workflow_state.resume(user=methodist)
    with django_capture_on_commit_callbacks(execute=True):
        page.current_workflow_task_state.specific.approve(user=head)
    assert Notification.objects.filter(recipient=methodist, kind="content.approved").count() == 1
    # The head acted, so the head is not told about the own decision.
    assert not Notification.objects.filter(recipient=head).exclude(kind="content.submitted")
    page.refresh_from_db()
    assert page.live

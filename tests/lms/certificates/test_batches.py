"""Bulk issues with their progress, the event's automatic issue and the cron safety net."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from lms.certificates.models import BatchStatus, Certificate, CertificateKind
from lms.certificates.services.batches import certificate_batch_start
from lms.certificates.services.issuing import certificate_revoke
from lms.certificates.tasks import (
    certificates_issue_for_event_schedule,
    certificates_issue_for_event_task,
)
from lms.courses.models import Enrollment, EnrollmentStatus
from lms.models import EventRegistration, RegistrationStatus, SeminarConnection
from tests.lms.certificates.builders import make_template
from tests.lms.courses.enrollment_helpers import make_cohort, make_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort_of(make_user):
    """A running cohort with ``completed`` learners who finished and ``studying`` who did not."""

    def make(*, completed: int, studying: int = 0, course=None):
        today, now = timezone.localdate(), timezone.now()
        cohort = make_cohort(
            course or make_course(),
            starts_on=today - dt.timedelta(days=30),
            ends_on=today + dt.timedelta(days=5),
        )
        for status, count in ((EnrollmentStatus.COMPLETED, completed), ("enrolled", studying)):
            for _ in range(count):
                Enrollment.objects.create(
                    cohort=cohort,
                    user=make_user(),
                    status=status,
                    enrolled_at=now - dt.timedelta(days=30),
                    completed_at=now if status == EnrollmentStatus.COMPLETED else None,
                )
        return cohort

    return make


@pytest.fixture
def ended_event(make_event, make_user):
    """A two-hour seminar that ended an hour ago, threshold 80 %: one person stayed 100
    minutes online, one 60 minutes, one was checked in at the door."""
    start = timezone.now() - dt.timedelta(hours=3)
    event = make_event(
        start=start,
        end=start + dt.timedelta(hours=2),
        issues_certificate=True,
        attendance_threshold=80,
    )
    people = {"stayed": make_user(), "left": make_user(), "door": make_user()}
    for user in people.values():
        EventRegistration.objects.create(
            event=event, user=user, status=RegistrationStatus.REGISTERED
        )
    for name, minutes in (("stayed", 100), ("left", 60)):
        SeminarConnection.objects.create(
            event=event,
            user=people[name],
            connected_at=event.start,
            disconnected_at=event.start + dt.timedelta(minutes=minutes),
        )
    EventRegistration.objects.filter(user=people["door"]).update(checked_in_at=event.start)
    return event, people


def test_bulk_issue_for_a_cohort_issues_to_completers_once(
    make_user, cohort_of, django_capture_on_commit_callbacks
):
    make_template()
    cohort = cohort_of(completed=5, studying=2)
    methodist = make_user("methodist")
    with django_capture_on_commit_callbacks(execute=True):
        batch = certificate_batch_start(by=methodist, cohort=cohort)
    batch.refresh_from_db()
    assert (batch.status, batch.total, batch.processed, batch.issued, batch.skipped) == (
        BatchStatus.DONE,
        5,
        5,
        5,
        0,
    )
    assert batch.percent == 100 and batch.errors == [] and batch.finished_at is not None
    issued = Certificate.objects.filter(enrollment__cohort=cohort)
    assert issued.count() == 5
    assert set(issued.values_list("enrollment__status", flat=True)) == {"completed"}
    assert set(issued.values_list("issued_by", flat=True)) == {methodist.pk}

    with django_capture_on_commit_callbacks(execute=True):
        again = certificate_batch_start(by=methodist, cohort=cohort)
    again.refresh_from_db()
    assert (again.status, again.total, again.issued, again.skipped) == (BatchStatus.DONE, 5, 0, 5)
    assert issued.count() == 5


def test_a_batch_without_a_default_template_fails_with_the_message(
    make_user, cohort_of, django_capture_on_commit_callbacks
):
    cohort = cohort_of(completed=2)
    with django_capture_on_commit_callbacks(execute=True):
        batch = certificate_batch_start(by=make_user("methodist"), cohort=cohort)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED
    assert batch.finished_at is not None
    assert len(batch.errors) == 1 and batch.errors[0]["reason"]
    assert batch.issued == 0 and not Certificate.objects.exists()


def test_event_batch_skips_people_below_the_threshold_without_an_error(
    make_user, ended_event, django_capture_on_commit_callbacks
):
    make_template(CertificateKind.PARTICIPATION)
    event, people = ended_event
    with django_capture_on_commit_callbacks(execute=True):
        batch = certificate_batch_start(by=make_user("methodist"), event=event)
    batch.refresh_from_db()
    assert (batch.status, batch.total, batch.issued, batch.skipped) == (BatchStatus.DONE, 3, 2, 1)
    assert batch.errors == []
    holders = set(Certificate.objects.filter(event=event).values_list("user", flat=True))
    assert holders == {people["stayed"].pk, people["door"].pk}


def test_the_safety_net_command_is_idempotent_and_leaves_revoked_documents_alone(
    make_user, ended_event, cohort_of
):
    event, people = ended_event
    course = make_course(certificate_auto_issue=True)
    # Completed before any template existed: the automatic issue found nothing to use.
    cohort = cohort_of(completed=1, course=course)
    cohort_of(completed=1, course=make_course(certificate_auto_issue=False))
    make_template(CertificateKind.PARTICIPATION)
    make_template(CertificateKind.QUALIFICATION)

    out = io.StringIO()
    call_command("issue_certificates", "--dry-run", stdout=out)
    assert not Certificate.objects.exists()
    assert "participation certificates to issue: 2" in out.getvalue()
    assert "completed enrollments without a document: 1" in out.getvalue()

    call_command("issue_certificates", stdout=io.StringIO())
    assert Certificate.objects.filter(event=event).count() == 2
    assert Certificate.objects.filter(enrollment__cohort=cohort).count() == 1
    assert Certificate.objects.count() == 3

    certificate_revoke(
        certificate=Certificate.objects.get(event=event, user=people["door"]),
        by=make_user("methodist"),
        reason="Выдан по ошибке",
    )
    out = io.StringIO()
    call_command("issue_certificates", stdout=out)
    assert Certificate.objects.count() == 3
    assert "participation certificates issued: 0" in out.getvalue()


def test_publishing_schedules_the_event_task_which_is_idempotent(settings, make_event, ended_event):
    make_template(CertificateKind.PARTICIPATION)
    upcoming = make_event(issues_certificate=True)
    without = make_event(issues_certificate=False)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    assert certificates_issue_for_event_schedule(upcoming.pk)
    assert not certificates_issue_for_event_schedule(without.pk)
    (queued,) = certificates_issue_for_event_task.get_backend().results
    assert queued.task.run_after == upcoming.end + dt.timedelta(minutes=10)
    assert list(queued.args) == [upcoming.pk]

    event, _people = ended_event
    assert certificates_issue_for_event_task.call(upcoming.pk) == 0  # not ended yet
    assert certificates_issue_for_event_task.call(event.pk) == 2
    assert certificates_issue_for_event_task.call(event.pk) == 0
    assert Certificate.objects.filter(event=event).count() == 2

"""The issuers' pages: a cohort's documents, an event's participants, a bulk issue's progress."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from lms.certificates.models import BatchStatus, Certificate, CertificateBatch, CertificateKind
from lms.courses.models import Enrollment, EnrollmentStatus
from lms.models import EventRegistration, RegistrationStatus, SeminarConnection
from tests.lms.certificates.builders import make_template
from tests.lms.courses.enrollment_helpers import make_cohort

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(make_user):
    """A running cohort: three completed, one withdrew after studying, one still studying."""
    today, now = timezone.localdate(), timezone.now()
    cohort = make_cohort(
        starts_on=today - dt.timedelta(days=30), ends_on=today + dt.timedelta(days=5)
    )
    statuses = ["completed"] * 3 + ["withdrawn", "enrolled"]
    for status in statuses:
        Enrollment.objects.create(
            cohort=cohort,
            user=make_user(),
            status=status,
            enrolled_at=now - dt.timedelta(days=30),
            completed_at=now if status == "completed" else None,
        )
    return cohort


def _enrollment(cohort, status):
    return cohort.enrollments.filter(status=status).first()


def test_the_cohort_page_needs_cohort_management_and_the_issue_permission(
    client, make_user, cohort
):
    url = reverse("lms:certificates:cohort", args=[cohort.pk])
    assert client.get(url).status_code == 302
    client.force_login(make_user())
    assert client.get(url).status_code == 403
    teacher = make_user()
    cohort.teachers.add(teacher)
    client.force_login(teacher)
    assert client.get(url).status_code == 403  # teaches, but does not issue documents
    client.force_login(make_user("methodist"))
    assert client.get(url).status_code == 200
    assert client.get(reverse("lms:certificates:cohort", args=[99999])).status_code == 404


def test_a_methodist_issues_one_by_one_with_the_blank_and_refusals_change_nothing(
    client, make_user, cohort, django_assert_max_num_queries
):
    make_template()
    make_template(CertificateKind.STUDY_RECORD)
    methodist = make_user("methodist")
    client.force_login(methodist)
    url = reverse("lms:certificates:cohort", args=[cohort.pk])
    completed = _enrollment(cohort, EnrollmentStatus.COMPLETED)
    left = _enrollment(cohort, EnrollmentStatus.WITHDRAWN)
    studying = _enrollment(cohort, EnrollmentStatus.ENROLLED)

    response = client.post(
        url,
        {"action": "issue", "enrollment": completed.pk, "blank_series": "23", "blank_number": "7"},
    )
    assert response.status_code == 302
    issued = Certificate.objects.get(enrollment=completed)
    assert (issued.kind, issued.blank_series, issued.blank_number, issued.issued_by) == (
        CertificateKind.QUALIFICATION,
        "23",
        "7",
        methodist,
    )
    client.post(url, {"action": "issue", "enrollment": left.pk})
    assert Certificate.objects.get(enrollment=left).kind == CertificateKind.STUDY_RECORD

    assert client.post(url, {"action": "issue", "enrollment": studying.pk}).status_code == 200
    second = cohort.enrollments.filter(status="completed").exclude(pk=completed.pk).first()
    too_long = {"blank_series": "S" * 21, "blank_number": "ПК 000123"}
    refused = client.post(url, {"action": "issue", "enrollment": second.pk, **too_long})
    assert refused.status_code == 200 and 'value="ПК 000123"' in refused.content.decode()
    other = make_cohort()
    stranger = Enrollment.objects.create(
        cohort=other,
        user=make_user(),
        status="completed",
        enrolled_at=timezone.now(),
        completed_at=timezone.now(),
    )
    assert client.post(url, {"action": "issue", "enrollment": stranger.pk}).status_code == 404
    assert Certificate.objects.count() == 2

    with django_assert_max_num_queries(16):
        page = client.get(url).content.decode()
    assert reverse("lms:certificates:detail", args=[issued.uuid]) in page
    assert page.count('name="action" value="issue"') == 2  # two completers left


def test_issue_to_everyone_starts_a_batch_and_shows_its_page(
    client, make_user, cohort, django_capture_on_commit_callbacks
):
    make_template()
    client.force_login(make_user("methodist"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("lms:certificates:cohort", args=[cohort.pk]), {"action": "bulk"}
        )
    batch = CertificateBatch.objects.get(cohort=cohort)
    assert response.url == reverse("lms:certificates:batch", args=[batch.pk])
    page = client.get(response.url).content.decode()
    assert '<progress id="batch-progress" max="3" value="3"' in page
    assert 'http-equiv="refresh"' not in page  # finished: no more reloading
    assert Certificate.objects.filter(enrollment__cohort=cohort).count() == 3


def test_the_batch_page_shows_progress_refreshes_while_running_and_speaks_json(
    client, make_user, cohort
):
    starter, colleague, outsider = make_user("methodist"), make_user("methodist"), make_user()
    batch = CertificateBatch.objects.create(
        cohort=cohort,
        created_by=starter,
        status=BatchStatus.RUNNING,
        total=7,
        processed=3,
        issued=2,
        skipped=1,
        errors=[{"person": "Иванова Мария", "reason": "Нет данных"}],
    )
    url = reverse("lms:certificates:batch", args=[batch.pk])
    client.force_login(starter)
    page = client.get(url).content.decode()
    assert '<progress id="batch-progress" max="7" value="3"' in page
    assert '<meta http-equiv="refresh" content="2">' in page
    assert "43" in page and "Иванова Мария: Нет данных" in page

    data = client.get(url, {"format": "json"}).json()
    assert data == {
        "status": "running",
        "status_label": data["status_label"],
        "total": 7,
        "processed": 3,
        "issued": 2,
        "skipped": 1,
        "percent": 43,
        "errors": [{"person": "Иванова Мария", "reason": "Нет данных"}],
    }
    client.force_login(colleague)
    assert client.get(url).status_code == 200
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


@pytest.fixture
def ended_event(make_event, make_user):
    start = timezone.now() - dt.timedelta(hours=3)
    event = make_event(start=start, end=start + dt.timedelta(hours=2), issues_certificate=True)
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


def test_the_event_page_honours_the_attendance_threshold(
    client, make_user, make_event, ended_event, django_capture_on_commit_callbacks
):
    make_template(CertificateKind.PARTICIPATION)
    event, people = ended_event
    url = reverse("lms:certificates:event", args=[event.pk])
    client.force_login(make_user("participant"))
    assert client.get(url).status_code == 403
    client.force_login(make_user("methodist"))
    page = client.get(url).content.decode()
    assert "83,3" in page or "83.3" in page  # 100 of 120 minutes
    assert page.count('name="action" value="issue"') == 2  # not the one who left early

    client.post(url, {"action": "issue", "user": people["left"].pk})
    assert not Certificate.objects.filter(event=event).exists()
    client.post(url, {"action": "issue", "user": people["stayed"].pk})
    assert Certificate.objects.get(event=event).user == people["stayed"]
    assert client.post(url, {"action": "issue", "user": make_user().pk}).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "bulk"})
    assert set(Certificate.objects.filter(event=event).values_list("user", flat=True)) == {
        people["stayed"].pk,
        people["door"].pk,
    }

    upcoming = make_event(issues_certificate=True)
    EventRegistration.objects.create(
        event=upcoming, user=people["stayed"], status=RegistrationStatus.REGISTERED
    )
    upcoming_url = reverse("lms:certificates:event", args=[upcoming.pk])
    assert 'value="bulk"' not in client.get(upcoming_url).content.decode()
    client.post(upcoming_url, {"action": "bulk"})
    assert not CertificateBatch.objects.filter(event=upcoming).exists()

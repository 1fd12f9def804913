"""The holder's side: my documents, the PDF download, a record of study on request, the
cabinet block and the email that announces a new document."""

import datetime as dt

import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from lms.certificates import plugin
from lms.certificates.models import Certificate, CertificateKind
from lms.certificates.services.issuing import (
    certificate_duplicate_issue,
    certificate_issue_for_enrollment,
    certificate_revoke,
)
from lms.courses.models import Enrollment, EnrollmentStatus
from tests.lms.certificates.builders import completed_enrollment, make_template

pytestmark = pytest.mark.django_db


@pytest.fixture
def learner(make_user):
    return make_user(last_name="Соколова", first_name="Мария", patronymic="Петровна")


@pytest.fixture
def certificate(learner):
    make_template()
    return certificate_issue_for_enrollment(enrollment=completed_enrollment(learner))[0]


def _set_status(enrollment: Enrollment, status: str, **fields) -> Enrollment:
    Enrollment.objects.filter(pk=enrollment.pk).update(status=status, **fields)
    enrollment.refresh_from_db()
    return enrollment


def test_my_list_shows_own_documents_revocations_duplicates_and_record_requests(
    client, make_user, learner, certificate, django_assert_max_num_queries
):
    methodist = make_user("methodist")
    revoked = certificate_issue_for_enrollment(enrollment=completed_enrollment(learner))[0]
    certificate_revoke(certificate=revoked, by=methodist, reason="Выдан по ошибке")
    duplicate = certificate_duplicate_issue(certificate=certificate, by=methodist)
    left = _set_status(completed_enrollment(learner), EnrollmentStatus.WITHDRAWN, completed_at=None)
    someone_else = make_user()
    theirs = certificate_issue_for_enrollment(enrollment=completed_enrollment(someone_else))[0]

    client.force_login(learner)
    with django_assert_max_num_queries(11):
        page = client.get(reverse("lms:certificates:mine")).content.decode()

    assert duplicate.registration_number in page and revoked.registration_number in page
    assert theirs.registration_number not in page
    assert "Выдан по ошибке" in page
    assert reverse("lms:certificates:download", args=[duplicate.uuid]) in page
    assert reverse("lms:certificates:download", args=[revoked.uuid]) not in page
    assert reverse("lms:certificates:download", args=[certificate.uuid]) not in page  # replaced
    assert reverse("lms:certificates:verify", args=[revoked.registration_number]) in page
    assert reverse("lms:certificates:study_record_request", args=[left.pk]) in page


def test_download_is_for_the_holder_and_the_register_keepers_only(client, make_user, certificate):
    url = reverse("lms:certificates:download", args=[certificate.uuid])
    assert client.get(url).status_code == 302  # to the login page

    client.force_login(certificate.user)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private"
    assert "attachment" in response["Content-Disposition"]
    assert "filename*=utf-8''%D0%9F%D0%9A-" in response["Content-Disposition"]  # «ПК-…»

    client.force_login(make_user())
    assert client.get(url).status_code == 404
    client.force_login(make_user("methodist"))
    assert client.get(url).status_code == 200


def test_a_pdf_missing_from_storage_is_rendered_again(client, certificate):
    certificate.pdf.storage.delete(certificate.pdf.name)
    client.force_login(certificate.user)
    response = client.get(reverse("lms:certificates:download", args=[certificate.uuid]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    certificate.refresh_from_db()
    assert certificate.pdf.storage.exists(certificate.pdf.name)


def test_a_record_of_study_is_issued_on_request_for_own_unfinished_enrollments(
    client, make_user, learner
):
    make_template()
    make_template(CertificateKind.STUDY_RECORD)
    left = _set_status(completed_enrollment(learner), EnrollmentStatus.WITHDRAWN, completed_at=None)
    finished = completed_enrollment(learner)
    studying = _set_status(
        completed_enrollment(learner), EnrollmentStatus.ENROLLED, completed_at=None
    )
    theirs = _set_status(
        completed_enrollment(make_user()), EnrollmentStatus.WITHDRAWN, completed_at=None
    )

    def request(enrollment):
        url = reverse("lms:certificates:study_record_request", args=[enrollment.pk])
        return client.post(url)

    client.force_login(learner)
    assert (
        client.get(reverse("lms:certificates:study_record_request", args=[left.pk])).status_code
        == 405
    )
    assert request(left).status_code == 302
    assert Certificate.objects.get(enrollment=left).kind == CertificateKind.STUDY_RECORD
    request(left)  # a double click issues nothing new
    assert Certificate.objects.filter(enrollment=left).count() == 1

    request(finished)
    request(studying)  # the cohort is still running
    assert not Certificate.objects.filter(enrollment__in=[finished, studying]).exists()
    assert request(theirs).status_code == 404
    assert not Certificate.objects.filter(enrollment=theirs).exists()

    # Once the cohort has ended without completion, the record can be asked for.
    cohort = studying.cohort
    cohort.starts_on = timezone.localdate() - dt.timedelta(days=60)
    cohort.ends_on = timezone.localdate() - dt.timedelta(days=1)
    cohort.save()
    request(studying)
    assert Certificate.objects.get(enrollment=studying).kind == CertificateKind.STUDY_RECORD


def test_an_issued_document_is_announced_by_email_with_the_download_link(
    learner, django_capture_on_commit_callbacks, settings
):
    make_template()
    with django_capture_on_commit_callbacks(execute=True):
        certificate = certificate_issue_for_enrollment(enrollment=completed_enrollment(learner))[0]
    (message,) = mail.outbox
    assert message.to == [learner.email]
    assert certificate.registration_number in message.subject
    download = reverse("lms:certificates:download", args=[certificate.uuid])
    assert f"{settings.SITE_URL}{download}" in message.body


def test_the_cabinet_block_shows_the_latest_documents_in_one_query(
    learner, certificate, django_assert_num_queries
):
    for _ in range(3):
        certificate_issue_for_enrollment(enrollment=completed_enrollment(learner))
    request = RequestFactory().get("/cabinet/")
    request.user = learner
    with django_assert_num_queries(1):
        (section,) = plugin.cabinet_sections(request)
    assert len(section.context["certificates"]) == 3 and section.context["has_more"]
    assert section.context["list_url"] == reverse("lms:certificates:mine")
    html = render_to_string(section.template, {"data": section.context})
    assert reverse("lms:certificates:download", args=[certificate.uuid]) not in html  # 4th
    assert html.count("/download/") == 3
    assert [kind.code for kind in plugin.notification_kinds()] == ["certificates.issued"]

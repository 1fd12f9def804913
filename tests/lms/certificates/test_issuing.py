"""Issuing: registration numbers, template pinning, PDF contents, revocation, duplicates,
participation certificates and the automatic issue on course completion."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from lms.certificates.models import (
    Certificate,
    CertificateCounter,
    CertificateKind,
    CertificateStatus,
)
from lms.certificates.pdf import certificate_pdf_render, verification_url
from lms.certificates.services.issuing import (
    CertificateRefused,
    certificate_duplicate_issue,
    certificate_issue_for_enrollment,
    certificate_issue_for_event,
    certificate_revoke,
)
from lms.courses.models import Enrollment, EnrollmentStatus
from lms.models import EventRegistration, RegistrationStatus, SeminarConnection
from tests.lms.certificates.builders import completed_enrollment, make_template
from tests.lms.certificates.pdf_reading import (
    pdf_page_size,
    pdf_qr_payloads,
    pdf_text,
    pdf_text_outside_page,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def learner(make_user):
    return make_user(last_name="Соколова", first_name="Мария", patronymic="Петровна")


def _pdf(certificate) -> bytes:
    with certificate.pdf.open("rb") as handle:
        return handle.read()


def test_numbers_run_per_kind_and_year_in_the_configured_pattern(make_user, settings):
    settings.PORTAL_CERTIFICATE_NUMBER_PATTERNS = {
        **settings.PORTAL_CERTIFICATE_NUMBER_PATTERNS,
        "study_record": "СПР/{year}/{seq:04d}",
    }
    make_template(CertificateKind.QUALIFICATION)
    make_template(CertificateKind.STUDY_RECORD)
    year = timezone.localdate().year
    first = certificate_issue_for_enrollment(enrollment=completed_enrollment(make_user()))[0]
    second = certificate_issue_for_enrollment(enrollment=completed_enrollment(make_user()))[0]
    last_year = certificate_issue_for_enrollment(
        enrollment=completed_enrollment(make_user()), issue_date=dt.date(year - 1, 12, 30)
    )[0]
    dropped = completed_enrollment(make_user())
    Enrollment.objects.filter(pk=dropped.pk).update(
        status=EnrollmentStatus.WITHDRAWN, completed_at=None
    )
    dropped.refresh_from_db()
    record = certificate_issue_for_enrollment(enrollment=dropped, kind="study_record")[0]

    assert [first.registration_number, second.registration_number] == [
        f"ПК-{year}-000001",
        f"ПК-{year}-000002",
    ]
    assert last_year.registration_number == f"ПК-{year - 1}-000001"
    assert record.registration_number == f"СПР/{year}/0001"
    assert first.uuid != second.uuid


def test_a_refused_issue_uses_no_number_and_creates_nothing(learner):
    make_template()
    studying = completed_enrollment(learner)
    Enrollment.objects.filter(pk=studying.pk).update(
        status=EnrollmentStatus.ENROLLED, completed_at=None
    )
    studying.refresh_from_db()
    with pytest.raises(CertificateRefused) as refusal:
        certificate_issue_for_enrollment(enrollment=studying)
    assert refusal.value.code == "not_completed"
    assert not Certificate.objects.exists()
    assert CertificateCounter.objects.filter(last__gt=0).count() == 0


def test_no_default_template_is_explained(learner):
    with pytest.raises(CertificateRefused) as refusal:
        certificate_issue_for_enrollment(enrollment=completed_enrollment(learner))
    assert refusal.value.code == "no_template"


def test_issuing_twice_returns_the_same_document(learner):
    make_template()
    enrollment = completed_enrollment(learner)
    first, created = certificate_issue_for_enrollment(enrollment=enrollment)
    again, created_again = certificate_issue_for_enrollment(enrollment=enrollment)
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert Certificate.objects.count() == 1


def test_the_pdf_says_who_what_how_long_and_carries_the_verification_qr(learner, settings):
    settings.SITE_URL = "https://ibc.example.ru"
    make_template(orientation="landscape")
    certificate, _created = certificate_issue_for_enrollment(
        enrollment=completed_enrollment(learner, hours=72, title="Медиаграмотность школьника")
    )
    data = _pdf(certificate)
    text = pdf_text(data)
    assert data.startswith(b"%PDF")
    assert "Соколова Мария Петровна" in text
    assert certificate.registration_number in text
    assert "«Медиаграмотность школьника» в объёме 72 ч." in text
    assert "УДОСТОВЕРЕНИЕ" in text
    assert "о повышении квалификации" in text
    assert pdf_text_outside_page(data) == []
    assert pdf_qr_payloads(data) == [verification_url(certificate.registration_number)]
    assert pdf_qr_payloads(data)[0].startswith("https://ibc.example.ru/verify/%D0%9F%D0%9A-")
    width, height = pdf_page_size(data)
    assert width > height  # A4 landscape: 842 x 595 pt
    assert round(width) == 842


def test_portrait_templates_give_portrait_pages(learner):
    make_template(orientation="portrait")
    certificate, _created = certificate_issue_for_enrollment(
        enrollment=completed_enrollment(learner)
    )
    data = _pdf(certificate)
    width, height = pdf_page_size(data)
    assert (round(width), round(height)) == (595, 842)
    assert pdf_text_outside_page(data) == []


def test_editing_the_template_never_changes_an_issued_document(learner, make_user):
    template = make_template(heading="Удостоверение")
    issued, _created = certificate_issue_for_enrollment(enrollment=completed_enrollment(learner))

    template.heading = "Свидетельство"
    template.organisation = "Другая организация"
    template.save()
    template.save_revision(log_action=False)
    later, _created = certificate_issue_for_enrollment(
        enrollment=completed_enrollment(make_user(last_name="Орлова"))
    )

    rerendered = pdf_text(certificate_pdf_render(issued))
    assert "УДОСТОВЕРЕНИЕ" in rerendered
    assert "СВИДЕТЕЛЬСТВО" not in rerendered
    assert "Другая организация" not in rerendered
    assert issued.template_revision_id != later.template_revision_id
    assert "СВИДЕТЕЛЬСТВО" in pdf_text(_pdf(later))


def test_template_placeholders_are_checked():
    template = make_template()
    template.body = "{full_name} прошла {programm}"
    with pytest.raises(ValidationError) as error:
        template.full_clean()
    assert "body" in error.value.message_dict
    template.body = "{full_name"
    with pytest.raises(ValidationError):
        template.full_clean()
    second = make_template(is_default=False)
    second.is_default = True
    with pytest.raises(ValidationError) as error:
        second.full_clean()
    assert "is_default" in error.value.message_dict


def test_revocation_needs_a_reason_and_happens_once(learner, make_user):
    make_template()
    methodist = make_user("methodist")
    certificate, _created = certificate_issue_for_enrollment(
        enrollment=completed_enrollment(learner)
    )
    with pytest.raises(CertificateRefused):
        certificate_revoke(certificate=certificate, by=methodist, reason="  ")
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID

    certificate_revoke(certificate=certificate, by=methodist, reason="Выдано ошибочно")
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED
    assert certificate.revocation_reason == "Выдано ошибочно"
    assert certificate.revoked_by == methodist
    with pytest.raises(CertificateRefused) as refusal:
        certificate_revoke(certificate=certificate, by=methodist, reason="ещё раз")
    assert refusal.value.code == "not_valid"


def test_a_revoked_enrollment_is_not_reissued_automatically_but_can_be_by_hand(learner, make_user):
    make_template()
    enrollment = completed_enrollment(learner)
    certificate, _created = certificate_issue_for_enrollment(enrollment=enrollment)
    certificate_revoke(certificate=certificate, by=make_user("methodist"), reason="Ошибка в ФИО")
    fresh, created = certificate_issue_for_enrollment(enrollment=enrollment)
    assert created
    assert fresh.registration_number != certificate.registration_number


def test_a_duplicate_replaces_the_original_and_links_to_it(learner, make_user):
    make_template()
    with translation.override("ru"):
        original, _created = certificate_issue_for_enrollment(
            enrollment=completed_enrollment(learner)
        )
        duplicate = certificate_duplicate_issue(
            certificate=original, by=make_user("methodist"), blank_number="000777"
        )
    original.refresh_from_db()
    assert original.status == CertificateStatus.REPLACED
    assert duplicate.status == CertificateStatus.VALID
    assert duplicate.original == original
    assert duplicate.registration_number != original.registration_number
    assert (duplicate.full_name, duplicate.hours, duplicate.title) == (
        original.full_name,
        original.hours,
        original.title,
    )
    text = pdf_text(_pdf(duplicate))
    assert original.registration_number in text
    assert "000777" in text
    with pytest.raises(CertificateRefused):
        certificate_duplicate_issue(certificate=original, by=make_user("methodist"))


def _ended_event(make_event, **fields):
    start = timezone.now() - dt.timedelta(days=1)
    return make_event(
        start=start, end=start + dt.timedelta(hours=2), issues_certificate=True, **fields
    )


def test_participation_needs_the_attendance_threshold(make_event, make_user):
    make_template(CertificateKind.PARTICIPATION)
    event = _ended_event(make_event, attendance_threshold=80)
    stayed, left_early, at_the_door = make_user(), make_user(), make_user()
    for user in (stayed, left_early, at_the_door):
        EventRegistration.objects.create(
            event=event, user=user, status=RegistrationStatus.REGISTERED
        )
    SeminarConnection.objects.create(
        event=event,
        user=stayed,
        connected_at=event.start,
        disconnected_at=event.start + dt.timedelta(minutes=100),
    )
    SeminarConnection.objects.create(
        event=event,
        user=left_early,
        connected_at=event.start,
        disconnected_at=event.start + dt.timedelta(minutes=60),
    )
    EventRegistration.objects.filter(event=event, user=at_the_door).update(
        checked_in_at=event.start
    )

    certificate, created = certificate_issue_for_event(event=event, user=stayed)
    assert created
    assert certificate.kind == CertificateKind.PARTICIPATION
    assert float(certificate.attendance_percent) == pytest.approx(83.3, abs=0.1)
    assert certificate_issue_for_event(event=event, user=at_the_door)[1]
    with pytest.raises(CertificateRefused) as refusal:
        certificate_issue_for_event(event=event, user=left_early)
    assert refusal.value.code == "attendance"
    assert Certificate.objects.count() == 2


def test_participation_waits_for_the_end_of_the_event(make_event, make_user):
    make_template(CertificateKind.PARTICIPATION)
    event = make_event(issues_certificate=True)
    with pytest.raises(CertificateRefused) as refusal:
        certificate_issue_for_event(event=event, user=make_user())
    assert refusal.value.code == "not_ended"


@pytest.mark.parametrize("auto", [True, False])
def test_completing_a_course_issues_its_certificate_when_the_course_says_so(
    learner, auto, django_capture_on_commit_callbacks
):
    from lms.courses.models import LessonPage, ModulePage
    from lms.courses.services.progress import lesson_complete
    from tests.lms.courses.enrollment_helpers import make_course

    make_template()
    course = make_course(certificate_auto_issue=auto)
    module = course.add_child(instance=ModulePage(title="Модуль 1", slug="m1"))
    module.save_revision().publish()
    lesson = module.add_child(instance=LessonPage(title="Урок 1", slug="u1"))
    lesson.save_revision().publish()
    enrollment = completed_enrollment(learner, course=course)
    Enrollment.objects.filter(pk=enrollment.pk).update(
        status=EnrollmentStatus.ENROLLED, completed_at=None
    )
    enrollment.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        lesson_complete(enrollment=enrollment, lesson=LessonPage.objects.get(pk=lesson.pk))
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.COMPLETED
    issued = Certificate.objects.filter(enrollment=enrollment)
    assert issued.count() == (1 if auto else 0)
    if auto:
        assert issued.get().hours == course.hours

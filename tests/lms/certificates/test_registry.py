"""The register of issued documents: who may open it, its filters, the cost of a page,
revocation, duplicates and recording the blank from a document's page."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import translation

from core.models import AuditLogEntry
from lms.certificates.models import Certificate, CertificateKind, CertificateStatus
from lms.certificates.selectors.frdo import frdo_rows
from lms.certificates.services.blanks import certificate_blank_record
from lms.certificates.services.issuing import CertificateRefused, certificate_issue_for_enrollment
from tests.lms.certificates.builders import (
    certificate_row,
    completed_enrollment,
    make_certificate,
    make_template,
)
from tests.lms.certificates.pdf_reading import pdf_text

pytestmark = pytest.mark.django_db

REGISTRY = reverse("lms:certificates:registry")


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def _shown(response, *certificates) -> set[str]:
    """Which of ``certificates`` the page lists (by registration number)."""
    page = response.content.decode()
    return {c.registration_number for c in certificates if c.registration_number in page}


@pytest.fixture
def methodist(make_user):
    return make_user("methodist")


@pytest.fixture
def template():
    return make_template(CertificateKind.QUALIFICATION)


def test_the_register_is_for_staff_and_changes_need_the_right_to_issue(
    client, make_user, methodist, template
):
    certificate = make_certificate(make_user(), template)
    pages = [
        REGISTRY,
        reverse("lms:certificates:frdo"),
        reverse("lms:certificates:frdo_xlsx"),
        reverse("lms:certificates:detail", args=[certificate.uuid]),
    ]
    changes = [
        reverse("lms:certificates:revoke", args=[certificate.uuid]),
        reverse("lms:certificates:duplicate", args=[certificate.uuid]),
        reverse("lms:certificates:blank", args=[certificate.uuid]),
    ]
    for url in pages + changes:
        assert client.get(url).status_code == 302  # to the login page

    client.force_login(make_user("participant"))
    for url in pages:
        assert client.get(url).status_code == 403
    for url in changes:
        assert client.post(url, {"reason": "Ошибка"}).status_code == 403

    reader = make_user()
    reader.user_permissions.add(
        Permission.objects.get(content_type__app_label="certificates", codename="view_certificate")
    )
    client.force_login(reader)
    assert client.get(REGISTRY).status_code == 200
    assert client.get(pages[-1]).status_code == 200
    assert client.get(reverse("lms:certificates:frdo_xlsx")).status_code == 403
    for url in changes:
        assert client.post(url, {"reason": "Ошибка", "number": "000101"}).status_code == 403

    client.force_login(methodist)
    for url in pages:
        assert client.get(url).status_code == 200
    for url in changes:
        assert client.get(url).status_code == 405
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID
    assert certificate.blank_number == ""


def test_filters_select_by_period_course_event_kind_status_and_number_or_surname(
    client, make_user, make_event, methodist, template
):
    diploma_template = make_template(CertificateKind.DIPLOMA)
    sokolova = make_user(last_name="Соколова")
    enrollment = completed_enrollment(sokolova, title="Медиатека")
    in_course = make_certificate(sokolova, template, enrollment=enrollment)
    diploma = make_certificate(make_user(), diploma_template, issue_date=dt.date(2025, 5, 20))
    event = make_event(title="Семинар о чтении")
    at_event = make_certificate(
        make_user(), template, kind=CertificateKind.PARTICIPATION, event=event
    )
    revoked = make_certificate(
        make_user(),
        template,
        status=CertificateStatus.REVOKED,
        revoked_at=dt.datetime(2025, 4, 1, tzinfo=dt.UTC),
        revocation_reason="Выдан по ошибке",
    )
    everything = (in_course, diploma, at_event, revoked)
    client.force_login(methodist)

    def shown(**filters):
        response = client.get(REGISTRY, filters)
        assert response.status_code == 200
        return _shown(response, *everything)

    def numbers(*certificates):
        return {c.registration_number for c in certificates}

    assert shown() == numbers(*everything)
    assert shown(date_from="2025-05-01") == numbers(diploma)
    assert shown(date_to="2025-04-30") == numbers(in_course, at_event, revoked)
    assert shown(course=enrollment.cohort.course_id) == numbers(in_course)
    assert shown(event=event.pk) == numbers(at_event)
    assert shown(kind="diploma") == numbers(diploma)
    assert shown(status="revoked") == numbers(revoked)
    assert shown(q="соколова") == numbers(in_course)  # any case, Cyrillic included
    assert shown(q=diploma.registration_number[-6:]) == numbers(diploma)

    page = client.get(REGISTRY, {"kind": "diploma", "page": "2"}).content.decode()
    assert f"{reverse('lms:certificates:frdo')}?kind=diploma" in page
    assert f"{reverse('lms:certificates:frdo_xlsx')}?kind=diploma" in page

    for bad in (
        {"date_from": "31.02.2025"},
        {"course": "999999"},
        {"event": "x"},
        {"kind": "passport"},
        {"date_from": "2025-05-01", "date_to": "2025-04-01"},
    ):
        response = client.get(REGISTRY, bad)
        assert response.status_code == 200
        assert 'aria-invalid="true"' in response.content.decode()
        assert not _shown(response, *everything)


@pytest.mark.parametrize("rows", [3, 30])
def test_a_register_page_costs_the_same_queries_whatever_its_length(
    client, make_user, methodist, template, rows, django_assert_max_num_queries
):
    holder = make_user()
    certificates = Certificate.objects.bulk_create(
        [certificate_row(holder, template) for _ in range(rows)]
    )
    certificates[0].original = certificates[1]
    certificates[0].save(update_fields=["original"])
    client.force_login(methodist)
    # The base template (menu, notifications) costs a few queries of its own.
    with django_assert_max_num_queries(14):
        response = client.get(REGISTRY)
    assert len(_shown(response, *certificates)) == rows
    assert response.content.decode().count('class="tag"') == 1  # the duplicate's mark


@pytest.fixture
def issued(make_user):
    make_template(CertificateKind.QUALIFICATION)
    learner = make_user(last_name="Соколова", first_name="Мария")
    return certificate_issue_for_enrollment(enrollment=completed_enrollment(learner))[0]


def test_revoking_needs_a_reason_and_a_second_submit_changes_nothing(client, methodist, issued):
    url = reverse("lms:certificates:revoke", args=[issued.uuid])
    client.force_login(methodist)

    response = client.post(url, {"reason": "   "})
    assert response.status_code == 400
    assert 'id="id_reason_error"' in response.content.decode()
    long_reason = "Выдан по ошибке. " * 40
    response = client.post(url, {"reason": long_reason})
    assert response.status_code == 400
    assert long_reason.strip() in response.content.decode()  # the form keeps what was typed
    issued.refresh_from_db()
    assert issued.status == CertificateStatus.VALID

    response = client.post(url, {"reason": "Выдан по ошибке"}, follow=True)
    assert response.redirect_chain == [
        (reverse("lms:certificates:detail", args=[issued.uuid]), 302)
    ]
    assert f"Document No. {issued.registration_number} is revoked." in response.content.decode()
    assert "Reason: Выдан по ошибке" in response.content.decode()
    issued.refresh_from_db()
    revoked_at = issued.revoked_at
    assert (issued.status, issued.revocation_reason) == ("revoked", "Выдан по ошибке")
    assert issued.revoked_by == methodist

    response = client.post(url, {"reason": "Ещё раз"})
    assert response.status_code == 400
    assert "Only a valid document can be revoked" in response.content.decode()
    issued.refresh_from_db()
    assert (issued.revoked_at, issued.revocation_reason) == (revoked_at, "Выдан по ошибке")


def test_a_duplicate_replaces_the_document_and_both_pages_link_each_other(
    client, methodist, issued
):
    client.force_login(methodist)
    url = reverse("lms:certificates:duplicate", args=[issued.uuid])
    response = client.post(url, {"blank_series": " 23 ", "blank_number": "000777"})

    duplicate = Certificate.objects.get(original=issued)
    assert response.status_code == 302
    assert response.url == reverse("lms:certificates:detail", args=[duplicate.uuid])
    assert (duplicate.blank_series, duplicate.blank_number) == ("23", "000777")
    issued.refresh_from_db()
    assert issued.status == CertificateStatus.REPLACED

    duplicate_page = client.get(response.url).content.decode()
    assert "is issued in place of" in duplicate_page
    assert reverse("lms:certificates:detail", args=[issued.uuid]) in duplicate_page
    assert reverse("lms:certificates:download", args=[duplicate.uuid]) in duplicate_page
    assert duplicate.verify_url in duplicate_page
    original_page = client.get(reverse("lms:certificates:detail", args=[issued.uuid]))
    assert (
        reverse("lms:certificates:detail", args=[duplicate.uuid]) in original_page.content.decode()
    )
    assert (
        reverse("lms:certificates:revoke", args=[issued.uuid]) not in original_page.content.decode()
    )

    response = client.post(url, {"blank_number": "000778"})
    assert response.status_code == 400
    assert "A duplicate replaces a valid document" in response.content.decode()
    assert Certificate.objects.filter(original=issued).count() == 1


def test_a_forged_document_id_is_not_found(client, methodist):
    forged = "6f1c2a3e-0000-4000-8000-000000000000"
    client.force_login(methodist)
    assert client.get(reverse("lms:certificates:detail", args=[forged])).status_code == 404
    for name in ("revoke", "duplicate", "blank"):
        url = reverse(f"lms:certificates:{name}", args=[forged])
        assert client.post(url, {"reason": "Ошибка"}).status_code == 404


def _exported(certificate) -> bool:
    rows = frdo_rows(Certificate.objects.filter(pk=certificate.pk)).rows
    return [row[8] for row in rows] == [certificate.registration_number]


def test_recording_the_blank_completes_the_document_for_frdo_and_its_pdf(
    client, methodist, issued, django_capture_on_commit_callbacks
):
    assert not _exported(issued)
    first_pdf = issued.pdf.name
    url = reverse("lms:certificates:blank", args=[issued.uuid])
    client.force_login(methodist)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"series": " пк ", "number": " 000123 "})

    assert response.status_code == 302
    issued.refresh_from_db()
    assert (issued.blank_series, issued.blank_number) == ("ПК", "000123")
    assert _exported(issued)
    with issued.pdf.open("rb") as stored:
        assert "000123" in pdf_text(stored.read())
    assert not issued.pdf.storage.exists(first_pdf)
    page = client.get(response.url).content.decode()
    assert f"The blank of document No. {issued.registration_number} is recorded." in page
    assert 'value="000123"' in page  # offered for correction

    client.post(url, {"series": "", "number": "000124"})
    entries = AuditLogEntry.objects.filter(action="certificates.blank").order_by("pk")
    assert [(e.data["old"], e.data["new"]) for e in entries] == [
        ({"series": "", "number": ""}, {"series": "ПК", "number": "000123"}),
        ({"series": "ПК", "number": "000123"}, {"series": "", "number": "000124"}),
    ]


def test_a_blank_goes_on_one_document_and_bad_input_changes_nothing(
    client, make_user, methodist, issued
):
    certificate_blank_record(certificate=issued, by=methodist, series="23", number="000777")
    other = certificate_issue_for_enrollment(enrollment=completed_enrollment(make_user()))[0]
    url = reverse("lms:certificates:blank", args=[other.uuid])
    client.force_login(methodist)

    response = client.post(url, {"series": "23", "number": "000777"})
    assert response.status_code == 400
    page = response.content.decode()
    assert f"already recorded on document No. {issued.registration_number}" in page
    assert 'value="000777"' in page

    response = client.post(url, {"series": "2-3", "number": "77a"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_series_error"' in page and 'id="id_number_error"' in page
    assert 'value="77a"' in page
    other.refresh_from_db()
    assert (other.blank_series, other.blank_number) == ("", "")
    assert AuditLogEntry.objects.filter(action="certificates.blank").count() == 1


def test_no_blank_is_recorded_on_a_participation_certificate(client, make_user, methodist):
    template = make_template(CertificateKind.PARTICIPATION)
    certificate = make_certificate(make_user(), template)
    with pytest.raises(CertificateRefused) as refusal:
        certificate_blank_record(certificate=certificate, by=methodist, series="", number="1")
    assert refusal.value.code == "wrong_kind"
    certificate.refresh_from_db()
    assert certificate.blank_number == ""

    client.force_login(methodist)
    page = client.get(reverse("lms:certificates:detail", args=[certificate.uuid]))
    assert reverse("lms:certificates:blank", args=[certificate.uuid]) not in page.content.decode()

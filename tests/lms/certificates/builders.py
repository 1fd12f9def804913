"""Builders shared by the certificate tests: templates, completed enrollments, register rows."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from lms.certificates.models import (
    Certificate,
    CertificateKind,
    CertificateSignatory,
    CertificateTemplate,
)
from lms.courses.models import Enrollment, EnrollmentStatus
from tests.lms.courses.enrollment_helpers import make_cohort, make_course, make_profile

_numbers = itertools.count(1)
_sequences = itertools.count(1)

HEADINGS = {
    CertificateKind.QUALIFICATION: "Удостоверение",
    CertificateKind.DIPLOMA: "Диплом",
    CertificateKind.STUDY_RECORD: "Справка об обучении",
    CertificateKind.PARTICIPATION: "Сертификат участника",
}


def make_template(kind: str = CertificateKind.QUALIFICATION, **fields) -> CertificateTemplate:
    """A default template of ``kind`` with one signatory and a saved revision."""
    defaults = {
        "title": f"{HEADINGS[kind]} ({next(_numbers)})",
        "kind": kind,
        "is_default": True,
        "organisation": "ГАУ ДПО «Институт развития образования»",
        "city": "Краснодар",
        "organisation_details": "Лицензия № 07718 от 01.02.2016",
        "heading": HEADINGS[kind],
        "subheading": "о повышении квалификации" if kind == CertificateKind.QUALIFICATION else "",
        "body": "прошёл(ла) обучение по программе «{programme}» в объёме {hours} ч. {period}",
    }
    defaults.update(fields)
    template = CertificateTemplate(**defaults)
    template.signatories = [CertificateSignatory(position="Ректор", name="А. А. Петров")]
    template.save()
    template.save_revision(log_action=False)
    return template


def make_templates() -> dict[str, CertificateTemplate]:
    return {kind: make_template(kind) for kind in CertificateKind.values}


def completed_enrollment(user, *, course=None, profile: bool = True, **course_fields) -> Enrollment:
    """An enrollment of ``user`` completed yesterday in a cohort that ran for a month."""
    today = timezone.localdate()
    course = course or make_course(**course_fields)
    cohort = make_cohort(
        course, starts_on=today - dt.timedelta(days=30), ends_on=today + dt.timedelta(days=5)
    )
    if profile and not hasattr(user, "learner_profile"):
        make_profile(user)
    now = timezone.now()
    return Enrollment.objects.create(
        cohort=cohort,
        user=user,
        status=EnrollmentStatus.COMPLETED,
        enrolled_at=now - dt.timedelta(days=30),
        completed_at=now - dt.timedelta(days=1),
    )


def certificate_row(user, template, *, enrollment=None, event=None, **fields) -> Certificate:
    """An unsaved register row as the issuing service would write it, without the PDF
    (rendering is the service's business, tested in test_issuing)."""
    sequence = next(_sequences)
    issue_date = fields.pop("issue_date", dt.date(2025, 3, 10))
    values = {
        "kind": template.kind,
        "registration_number": f"ПК-{issue_date.year}-{sequence:06d}",
        "year": issue_date.year,
        "sequence": sequence,
        "user": user,
        "enrollment": enrollment,
        "event": event,
        "last_name": user.last_name,
        "first_name": user.first_name,
        "patronymic": user.patronymic,
        "title": event.title if event else "Школьный ИБЦ",
        "programme_kind": "" if event else "upgrade",
        "hours": None if event else 36,
        "period_start": dt.date(2025, 2, 1),
        "period_end": dt.date(2025, 3, 5),
        "issuer": "ГАУ ДПО «Институт развития образования»",
        "issue_date": issue_date,
        "template": template,
        "template_revision": template.latest_revision,
        "pdf": f"certificates/{sequence}.pdf",
    }
    if enrollment is not None:
        course = enrollment.cohort.course
        values.update(title=course.title, programme_kind=course.programme_kind, hours=course.hours)
    values.update(fields)
    return Certificate(**values)


def make_certificate(user, template, **fields) -> Certificate:
    certificate = certificate_row(user, template, **fields)
    certificate.save()
    return certificate

"""Issuing certificates: registration numbers, eligibility, the PDF, revocation, duplicates.

Every write runs in one transaction. The registration number comes from a
counter row locked until the commit, so a failed issue gives its number back
and the sequence of a kind and year has no gaps; the unique constraints on the
number and on (kind, year, sequence) stay the last line of defence. Issuing
for an enrollment or an event participant that already has a valid document
returns that document instead (a re-run bulk issue or a double click issues
nothing new).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import User
from core.services.audit import audit_log
from core.services.notifications import notification_send
from lms.certificates.models import (
    Certificate,
    CertificateCounter,
    CertificateKind,
    CertificateStatus,
    CertificateTemplate,
)
from lms.certificates.pdf import certificate_pdf_render
from lms.courses.models import Enrollment, EnrollmentStatus, ProgrammeKind
from lms.models import EventPage

NOTIFY_ISSUED = "certificates.issued"


class CertificateRefused(Exception):
    """The document cannot be issued or changed; ``message`` is shown to the user as is."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


def registration_number_format(*, kind: str, year: int, sequence: int) -> str:
    pattern = settings.PORTAL_CERTIFICATE_NUMBER_PATTERNS[kind]
    return pattern.format(year=year, seq=sequence)


def registration_number_allocate(*, kind: str, year: int) -> tuple[int, str]:
    """The next (sequence, registration number) of ``kind`` in ``year``; call inside atomic."""
    CertificateCounter.objects.bulk_create(
        [CertificateCounter(kind=kind, year=year)], ignore_conflicts=True
    )
    counter = CertificateCounter.objects.select_for_update().get(kind=kind, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last, registration_number_format(kind=kind, year=year, sequence=counter.last)


def course_certificate_kind(enrollment: Enrollment) -> str:
    """The document a completed enrollment earns: удостоверение or диплом."""
    if enrollment.cohort.course.programme_kind == ProgrammeKind.RETRAINING:
        return CertificateKind.DIPLOMA
    return CertificateKind.QUALIFICATION


def default_template(kind: str) -> CertificateTemplate:
    template = CertificateTemplate.objects.filter(kind=kind, is_default=True).first()
    if template is None:
        raise CertificateRefused(
            _("No default template for “%(kind)s” is set up in the admin.")
            % {"kind": CertificateKind(kind).label},
            code="no_template",
        )
    return template


def _pinned_revision(template: CertificateTemplate):
    """The template's latest revision; one is saved first if the template has none."""
    if template.latest_revision_id is None:
        return template.save_revision(log_action=False)
    return template.latest_revision


def _holder_fields(user: User) -> dict:
    return {
        "user": user,
        "last_name": user.last_name,
        "first_name": user.first_name,
        "patronymic": user.patronymic,
    }


def _course_fields(enrollment: Enrollment, kind: str) -> dict:
    cohort = enrollment.cohort
    course = cohort.course
    fields = {
        "enrollment": enrollment,
        "title": course.title,
        "programme_kind": course.programme_kind,
        "period_start": cohort.starts_on,
    }
    if kind == CertificateKind.STUDY_RECORD:
        # A record of study covers the time studied so far (at most the cohort's term).
        fields["period_end"] = min(timezone.localdate(), cohort.ends_on)
        if enrollment.enrolled_at:
            fields["period_start"] = max(
                cohort.starts_on, timezone.localdate(enrollment.enrolled_at)
            )
        fields["period_start"] = min(fields["period_start"], fields["period_end"])
    else:
        fields["hours"] = course.hours
        fields["period_end"] = min(cohort.ends_on, timezone.localdate(enrollment.completed_at))
        fields["period_start"] = min(cohort.starts_on, fields["period_end"])
    return fields


def _course_eligibility(enrollment: Enrollment, kind: str) -> None:
    if kind in (CertificateKind.QUALIFICATION, CertificateKind.DIPLOMA):
        if enrollment.status != EnrollmentStatus.COMPLETED:
            raise CertificateRefused(
                _("The course is not completed yet, so this document cannot be issued."),
                code="not_completed",
            )
        if kind != course_certificate_kind(enrollment):
            raise CertificateRefused(
                _("This programme ends with another kind of document."), code="wrong_kind"
            )
    elif kind == CertificateKind.STUDY_RECORD:
        if enrollment.status == EnrollmentStatus.COMPLETED:
            raise CertificateRefused(
                _("The course is completed: the learner gets the certificate, not a record."),
                code="completed",
            )
        if enrollment.enrolled_at is None:
            raise CertificateRefused(
                _("The learner never studied in this cohort."), code="never_studied"
            )
    else:
        raise CertificateRefused(_("This document is not issued for courses."), code="wrong_kind")


def participation_percent(event: EventPage, user: User) -> Decimal | None:
    """The share of the event the person attended: the seminar room's record online,
    the check-in at the door in person (counted as the whole event)."""
    from lms.models import EventRegistration, RegistrationStatus
    from lms.selectors.seminars import seminar_attendance_of

    percent = Decimal(0)
    row = seminar_attendance_of(event, user)
    if row is not None:
        percent = Decimal(str(row.percent))
    checked_in = EventRegistration.objects.filter(
        event=event,
        user=user,
        status=RegistrationStatus.REGISTERED,
        checked_in_at__isnull=False,
    ).exists()
    if checked_in:
        percent = Decimal(100)
    return percent


def _event_fields(event: EventPage, user: User) -> dict:
    if event.is_cancelled:
        raise CertificateRefused(_("The event was cancelled."), code="cancelled")
    if event.end > timezone.now():
        raise CertificateRefused(
            _("Participation certificates are issued after the event ends."), code="not_ended"
        )
    percent = participation_percent(event, user)
    if percent < event.attendance_threshold:
        raise CertificateRefused(
            _("Attendance was %(percent)s %%, below the event's threshold of %(threshold)s %%.")
            % {"percent": percent, "threshold": event.attendance_threshold},
            code="attendance",
        )
    start = timezone.localdate(event.start)
    return {
        "event": event,
        "title": event.title,
        "period_start": start,
        "period_end": timezone.localdate(event.end),
        "attendance_percent": min(percent, Decimal(100)),
    }


def _existing_valid(*, enrollment: Enrollment | None, event: EventPage | None, user: User):
    if enrollment is not None:
        return Certificate.objects.filter(enrollment=enrollment, status=CertificateStatus.VALID)
    return Certificate.objects.filter(event=event, user=user, status=CertificateStatus.VALID)


def _create(
    *,
    kind: str,
    fields: dict,
    issued_by: User | None,
    issue_date: dt.date | None,
    blank_series: str = "",
    blank_number: str = "",
    original: Certificate | None = None,
) -> Certificate:
    template = default_template(kind)
    revision = _pinned_revision(template)
    issue_date = issue_date or timezone.localdate()
    sequence, number = registration_number_allocate(kind=kind, year=issue_date.year)
    certificate = Certificate(
        kind=kind,
        registration_number=number,
        year=issue_date.year,
        sequence=sequence,
        blank_series=blank_series,
        blank_number=blank_number,
        original=original,
        issuer=template.organisation,
        issue_date=issue_date,
        issued_by=issued_by,
        template=template,
        template_revision=revision,
        **fields,
    )
    # The file is written before the row: a row never points at a missing PDF. If the
    # transaction rolls back, an unreferenced file is left in private storage.
    pdf = ContentFile(certificate_pdf_render(certificate))
    certificate.pdf.save(f"{certificate.uuid}.pdf", pdf, save=False)
    certificate.save()
    _notify_issued(certificate)
    return certificate


def _notify_issued(certificate: Certificate) -> None:
    notification_send(
        recipient=certificate.user,
        kind=NOTIFY_ISSUED,
        title=_("Your document is ready: %(kind)s No. %(number)s")
        % {"kind": certificate.get_kind_display(), "number": certificate.registration_number},
        body=_("“%(title)s”. Download the PDF from your cabinet.") % {"title": certificate.title},
        url=reverse("lms:certificates:download", args=[certificate.uuid]),
    )


@transaction.atomic
def certificate_issue_for_enrollment(
    *,
    enrollment: Enrollment,
    kind: str | None = None,
    issued_by: User | None = None,
    issue_date: dt.date | None = None,
    blank_series: str = "",
    blank_number: str = "",
) -> tuple[Certificate, bool]:
    """Issue the course document of ``enrollment``; (certificate, whether it is new).

    ``kind`` defaults to what completing the programme earns. A valid document
    of the enrollment already issued is returned unchanged.
    """
    enrollment = (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("cohort__course", "user")
        .get(pk=enrollment.pk)
    )
    existing = _existing_valid(enrollment=enrollment, event=None, user=enrollment.user).first()
    if existing is not None:
        return existing, False
    kind = kind or course_certificate_kind(enrollment)
    _course_eligibility(enrollment, kind)
    fields = {**_holder_fields(enrollment.user), **_course_fields(enrollment, kind)}
    certificate = _create(
        kind=kind,
        fields=fields,
        issued_by=issued_by,
        issue_date=issue_date,
        blank_series=blank_series,
        blank_number=blank_number,
    )
    audit_log(
        action="certificates.issue",
        actor=issued_by,
        target=certificate,
        data={"number": certificate.registration_number, "enrollment": enrollment.pk},
    )
    return certificate, True


@transaction.atomic
def certificate_issue_for_event(
    *, event: EventPage, user: User, issued_by: User | None = None
) -> tuple[Certificate, bool]:
    """Issue a participation certificate if ``user`` attended enough of ``event``."""
    # The user's row serialises concurrent issues for the same person.
    User.objects.select_for_update().filter(pk=user.pk).first()
    existing = _existing_valid(enrollment=None, event=event, user=user).first()
    if existing is not None:
        return existing, False
    fields = {**_holder_fields(user), **_event_fields(event, user)}
    certificate = _create(
        kind=CertificateKind.PARTICIPATION, fields=fields, issued_by=issued_by, issue_date=None
    )
    audit_log(
        action="certificates.issue",
        actor=issued_by,
        target=certificate,
        data={"number": certificate.registration_number, "event": event.pk},
    )
    return certificate, True


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, by: User, reason: str) -> Certificate:
    """Revoke a valid document; the verification page says so from now on."""
    reason = reason.strip()
    if not reason:
        raise CertificateRefused(_("Give the reason for revocation."), code="no_reason")
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.status != CertificateStatus.VALID:
        raise CertificateRefused(
            _("Only a valid document can be revoked; this one is “%(status)s”.")
            % {"status": certificate.get_status_display()},
            code="not_valid",
        )
    certificate.status = CertificateStatus.REVOKED
    certificate.revoked_at = timezone.now()
    certificate.revoked_by = by
    certificate.revocation_reason = reason[:500]
    certificate.save(update_fields=["status", "revoked_at", "revoked_by", "revocation_reason"])
    audit_log(
        action="certificates.revoke",
        actor=by,
        target=certificate,
        data={"number": certificate.registration_number, "reason": certificate.revocation_reason},
    )
    return certificate


@transaction.atomic
def certificate_duplicate_issue(
    *, certificate: Certificate, by: User, blank_series: str = "", blank_number: str = ""
) -> Certificate:
    """Issue a «Дубликат» in place of a valid document, which becomes «replaced».

    The duplicate repeats what the original says (name, programme, hours, period)
    under a new registration number, and links to the original.
    """
    original = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if original.status != CertificateStatus.VALID:
        raise CertificateRefused(
            _("A duplicate replaces a valid document; this one is “%(status)s”.")
            % {"status": original.get_status_display()},
            code="not_valid",
        )
    original.status = CertificateStatus.REPLACED
    original.save(update_fields=["status"])
    copied = {
        name: getattr(original, name)
        for name in (
            "user",
            "enrollment",
            "event",
            "last_name",
            "first_name",
            "patronymic",
            "title",
            "programme_kind",
            "hours",
            "period_start",
            "period_end",
            "attendance_percent",
        )
    }
    duplicate = _create(
        kind=original.kind,
        fields=copied,
        issued_by=by,
        issue_date=None,
        blank_series=blank_series,
        blank_number=blank_number,
        original=original,
    )
    audit_log(
        action="certificates.duplicate",
        actor=by,
        target=duplicate,
        data={"number": duplicate.registration_number, "original": original.registration_number},
    )
    return duplicate

"""Reads for the holders' and the issuers' pages: own documents, who may ask for a record of
study, a cohort's and an event's people with their documents, a bulk issue's progress.

Every list costs a fixed number of queries whatever its length.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from core.models import User
from lms.certificates.models import (
    BatchStatus,
    Certificate,
    CertificateBatch,
    CertificateStatus,
)
from lms.courses.models import Cohort, Enrollment, EnrollmentStatus
from lms.models import EventPage, EventRegistration, RegistrationStatus
from lms.selectors.seminars import seminar_attendance

VIEW_ANY_PERMISSION = "certificates.view_certificate"
ISSUE_PERMISSION = "certificates.issue_certificate"


# --- the holder ------------------------------------------------------------------------------


def user_certificates(user: User) -> QuerySet[Certificate]:
    """The user's documents, newest first; a duplicate knows its original's number."""
    return (
        Certificate.objects.filter(user=user)
        .select_related("original")
        .order_by("-issued_at", "-pk")
    )


def _study_record_window(today: dt.date) -> Q:
    """Who may get a record of study: studied and left, or studied till the cohort ended.

    A record is never issued to someone still studying: the enrollment's one valid
    document would then stand in the way of the certificate completion earns.
    ``study_record_available`` says the same for one enrollment.
    """
    return Q(enrolled_at__isnull=False) & (
        Q(status=EnrollmentStatus.WITHDRAWN)
        | Q(status=EnrollmentStatus.ENROLLED, cohort__ends_on__lt=today)
    )


def study_record_available(enrollment: Enrollment, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    if enrollment.enrolled_at is None:
        return False
    if enrollment.status == EnrollmentStatus.WITHDRAWN:
        return True
    return enrollment.status == EnrollmentStatus.ENROLLED and enrollment.cohort.ends_on < today


def _has_valid_certificate() -> Exists:
    return Exists(
        Certificate.objects.filter(enrollment=OuterRef("pk"), status=CertificateStatus.VALID)
    )


def study_record_candidates(user: User) -> QuerySet[Enrollment]:
    """The user's enrollments that may ask for a record of study and have no document yet."""
    return (
        Enrollment.objects.filter(_study_record_window(timezone.localdate()), user=user)
        .exclude(_has_valid_certificate())
        .select_related("cohort__course")
        .order_by("-enrolled_at", "pk")
    )


def certificate_for_download(user: User, uuid) -> Certificate | None:
    """The document if ``user`` may download it: its holder while it is valid, or the staff
    who keep the register (any status). None otherwise, so the view answers 404."""
    certificate = Certificate.objects.filter(uuid=uuid).first()
    if certificate is None:
        return None
    if user.has_perm(VIEW_ANY_PERMISSION):
        return certificate
    if certificate.user_id == user.pk and certificate.status == CertificateStatus.VALID:
        return certificate
    return None


# --- a cohort --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CohortCertificateRow:
    enrollment: Enrollment
    certificate: Certificate | None
    #: "certificate", "study_record" or "" (still studying: nothing to issue yet).
    can_issue: str


def cohort_certificate_rows(cohort: Cohort) -> list[CohortCertificateRow]:
    """Everyone who holds or held a place in the cohort, with their valid document."""
    today = timezone.localdate()
    enrollments = (
        Enrollment.objects.filter(cohort=cohort, enrolled_at__isnull=False)
        .select_related("user", "cohort")
        .prefetch_related(
            Prefetch(
                "certificates",
                queryset=Certificate.objects.filter(status=CertificateStatus.VALID),
                to_attr="valid_certificates",
            )
        )
        .order_by("user__last_name", "user__first_name", "pk")
    )
    rows = []
    for enrollment in enrollments:
        certificate = next(iter(enrollment.valid_certificates), None)
        can_issue = ""
        if certificate is None and enrollment.status == EnrollmentStatus.COMPLETED:
            can_issue = "certificate"
        elif certificate is None and study_record_available(enrollment, today):
            can_issue = "study_record"
        rows.append(CohortCertificateRow(enrollment, certificate, can_issue))
    return rows


def cohort_enrollment(cohort: Cohort, enrollment_id: int) -> Enrollment | None:
    """One enrollment of the cohort that holds or held a place (a forged id gives None)."""
    return (
        Enrollment.objects.filter(cohort=cohort, pk=enrollment_id, enrolled_at__isnull=False)
        .select_related("user", "cohort__course")
        .first()
    )


# --- an event --------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventCertificateRow:
    registration: EventRegistration
    percent: Decimal
    meets_threshold: bool
    certificate: Certificate | None


def event_attendance_percents(event: EventPage) -> dict[int, Decimal]:
    """User id → share of the event attended: the online room's record, or the whole
    event for a check-in at the door (as ``participation_percent`` counts it)."""
    percents = {row.user.pk: Decimal(str(row.percent)) for row in seminar_attendance(event)}
    checked_in = EventRegistration.objects.filter(
        event=event, status=RegistrationStatus.REGISTERED, checked_in_at__isnull=False
    ).values_list("user_id", flat=True)
    percents.update(dict.fromkeys(checked_in, Decimal(100)))
    return percents


def event_certificate_rows(event: EventPage) -> list[EventCertificateRow]:
    """Registered people with their share of the event and their valid certificate."""
    percents = event_attendance_percents(event)
    certificates = {
        certificate.user_id: certificate
        for certificate in Certificate.objects.filter(event=event, status=CertificateStatus.VALID)
    }
    registrations = (
        EventRegistration.objects.filter(event=event, status=RegistrationStatus.REGISTERED)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "pk")
    )
    rows = []
    for registration in registrations:
        percent = percents.get(registration.user_id, Decimal(0))
        rows.append(
            EventCertificateRow(
                registration=registration,
                percent=percent,
                meets_threshold=percent >= event.attendance_threshold,
                certificate=certificates.get(registration.user_id),
            )
        )
    return rows


def event_registered_user(event: EventPage, user_id: int) -> User | None:
    registration = (
        EventRegistration.objects.filter(
            event=event, user_id=user_id, status=RegistrationStatus.REGISTERED
        )
        .select_related("user")
        .first()
    )
    return registration.user if registration else None


# --- bulk issues ---------------------------------------------------------------------------


def recent_batches(*, cohort: Cohort | None = None, event: EventPage | None = None, limit=5):
    target = {"cohort": cohort} if cohort is not None else {"event": event}
    return list(CertificateBatch.objects.select_related("created_by").filter(**target)[:limit])


def batch_for_viewer(user: User, batch_id: int) -> CertificateBatch | None:
    """The batch for its starter or anyone who issues certificates; None for the rest."""
    batch = (
        CertificateBatch.objects.select_related("cohort__course", "event")
        .filter(pk=batch_id)
        .first()
    )
    if batch is None:
        return None
    if batch.created_by_id == user.pk or user.has_perm(ISSUE_PERMISSION):
        return batch
    return None


@dataclass(frozen=True)
class BatchProgress:
    status: str
    status_label: str
    total: int
    processed: int
    issued: int
    skipped: int
    percent: int
    errors: list[dict] = field(default_factory=list)

    @property
    def is_active(self) -> bool:
        return self.status in (BatchStatus.QUEUED, BatchStatus.RUNNING)

    @property
    def progress_max(self) -> int:
        """``<progress max>`` must be positive: an empty batch shows as one finished step."""
        return self.total or 1

    @property
    def progress_value(self) -> int:
        if self.total:
            return self.processed
        return 1 if self.status == BatchStatus.DONE else 0

    def as_json(self) -> dict:
        return {
            "status": self.status,
            "status_label": self.status_label,
            "total": self.total,
            "processed": self.processed,
            "issued": self.issued,
            "skipped": self.skipped,
            "percent": self.percent,
            "errors": self.errors,
        }


def batch_progress(batch: CertificateBatch) -> BatchProgress:
    # With nobody counted yet, only a finished batch is 100 %: a queued or failed one is 0.
    percent = batch.percent if batch.total or batch.status == BatchStatus.DONE else 0
    return BatchProgress(
        status=batch.status,
        status_label=str(batch.get_status_display()),
        total=batch.total,
        processed=batch.processed,
        issued=batch.issued,
        skipped=batch.skipped,
        percent=percent,
        errors=list(batch.errors),
    )


# --- the safety net --------------------------------------------------------------------------


def events_awaiting_certificates(*, since: dt.datetime, now: dt.datetime) -> QuerySet[EventPage]:
    """Live events that issue certificates and ended between ``since`` and ``now``."""
    return (
        EventPage.objects.live()
        .filter(issues_certificate=True, is_cancelled=False, end__gt=since, end__lte=now)
        .order_by("end", "pk")
    )


def event_people_without_certificate(event: EventPage) -> QuerySet[User]:
    """Registered people who never had a participation certificate of the event.

    A revoked or replaced document counts as had: the safety net never re-issues
    what a person revoked on purpose.
    """
    return (
        User.objects.filter(
            event_registrations__event=event,
            event_registrations__status=RegistrationStatus.REGISTERED,
        )
        .exclude(certificates__event=event)
        .order_by("pk")
    )


def enrollments_awaiting_certificates() -> QuerySet[Enrollment]:
    """Completed enrollments of auto-issuing courses that never had a document."""
    return (
        Enrollment.objects.filter(
            status=EnrollmentStatus.COMPLETED, cohort__course__certificate_auto_issue=True
        )
        .exclude(Exists(Certificate.objects.filter(enrollment=OuterRef("pk"))))
        .order_by("pk")
    )

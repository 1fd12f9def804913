"""Bulk issuing: a cohort or an event in the background with progress, the automatic
participation certificates of an ended event, and the safety net the cron runs.

Each person is issued in a transaction of their own, so progress is visible
while the batch runs and one refusal does not undo the rest. Issuing is
idempotent per person, so running a batch again (or two at once) never issues
a second document.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import User
from lms.certificates.models import BatchStatus, CertificateBatch
from lms.certificates.selectors.issuing import (
    enrollments_awaiting_certificates,
    event_attendance_percents,
    event_people_without_certificate,
    events_awaiting_certificates,
)
from lms.certificates.services.issuing import (
    CertificateRefused,
    certificate_issue_for_enrollment,
    certificate_issue_for_event,
)
from lms.courses.models import Cohort, Enrollment, EnrollmentStatus
from lms.models import EventPage, EventRegistration, RegistrationStatus

logger = logging.getLogger(__name__)

#: Refusals that hold for everyone in the batch: it stops instead of listing each person.
BATCH_FATAL = ("no_template", "not_ended", "cancelled")


def certificate_batch_start(
    *, by: User, cohort: Cohort | None = None, event: EventPage | None = None
) -> CertificateBatch:
    """Create the batch and queue it after the commit."""
    from lms.certificates.tasks import certificate_batch_run_task

    with transaction.atomic():
        batch = CertificateBatch.objects.create(cohort=cohort, event=event, created_by=by)
        transaction.on_commit(lambda: certificate_batch_run_task.enqueue(batch.pk))
    return batch


def _targets(batch: CertificateBatch) -> list:
    if batch.cohort_id is not None:
        return list(
            Enrollment.objects.filter(cohort_id=batch.cohort_id, status=EnrollmentStatus.COMPLETED)
            .select_related("user")
            .order_by("pk")
        )
    registrations = EventRegistration.objects.filter(
        event_id=batch.event_id, status=RegistrationStatus.REGISTERED
    ).select_related("user")
    return [registration.user for registration in registrations.order_by("pk")]


def _issue_one(batch: CertificateBatch, target) -> bool:
    if batch.cohort_id is not None:
        _certificate, created = certificate_issue_for_enrollment(
            enrollment=target, issued_by=batch.created_by
        )
    else:
        _certificate, created = certificate_issue_for_event(
            event=batch.event, user=target, issued_by=batch.created_by
        )
    return created


def _batch_finish(batch_id: int, *, status: str, error: dict | None = None) -> None:
    updates = {"status": status, "finished_at": timezone.now()}
    if error is not None:
        errors = CertificateBatch.objects.values_list("errors", flat=True).get(pk=batch_id)
        updates["errors"] = [*errors, error]
    CertificateBatch.objects.filter(pk=batch_id).update(**updates)


def certificate_batch_run(*, batch_id: int) -> int:
    """Issue for everyone the batch covers; the number of documents newly issued.

    People below an event's attendance threshold are skipped without an error
    line: that is the rule working, not a problem to look into.
    """
    claimed = CertificateBatch.objects.filter(pk=batch_id, status=BatchStatus.QUEUED).update(
        status=BatchStatus.RUNNING
    )
    if not claimed:
        return 0
    batch = CertificateBatch.objects.select_related("event", "created_by").get(pk=batch_id)
    issued = 0
    try:
        targets = _targets(batch)
        CertificateBatch.objects.filter(pk=batch_id).update(total=len(targets))
        for target in targets:
            error = None
            created = False
            try:
                created = _issue_one(batch, target)
            except CertificateRefused as refusal:
                if refusal.code in BATCH_FATAL:
                    raise
                if refusal.code != "attendance":
                    person = str(getattr(target, "user", target))
                    error = {"person": person, "reason": refusal.message}
            updates = {"processed": F("processed") + 1}
            if created:
                issued += 1
                updates["issued"] = F("issued") + 1
            else:
                updates["skipped"] = F("skipped") + 1
            if error is not None:
                batch.refresh_from_db(fields=["errors"])
                updates["errors"] = [*batch.errors, error]
            CertificateBatch.objects.filter(pk=batch_id).update(**updates)
    except CertificateRefused as refusal:
        _batch_finish(
            batch_id, status=BatchStatus.FAILED, error={"person": "", "reason": refusal.message}
        )
        return issued
    except Exception:
        # The page that shows the progress must not wait for ever on a crashed run.
        logger.exception("Certificate batch %s failed", batch_id)
        _batch_finish(
            batch_id,
            status=BatchStatus.FAILED,
            error={"person": "", "reason": _("Unexpected error; the log has the details.")},
        )
        return issued
    _batch_finish(batch_id, status=BatchStatus.DONE)
    return issued


# --- participation certificates of an ended event ------------------------------------------


@dataclass
class EventIssueResult:
    issued: int = 0
    below_threshold: int = 0
    #: Would be issued (a dry run) — people at or above the threshold without a document.
    eligible: int = 0
    problems: list[str] = field(default_factory=list)


def certificate_event_issue_all(
    *, event: EventPage, dry_run: bool = False, now: dt.datetime | None = None
) -> EventIssueResult:
    """Participation certificates for everyone who attended enough of an ended event.

    Only people who never had one are considered, so a revoked certificate is not
    issued again behind the organisers' back; the rest are silently skipped when
    below the threshold. Nothing happens before the end, for a cancelled event or
    one that does not issue certificates (the editor may have changed it since).
    """
    result = EventIssueResult()
    now = now or timezone.now()
    if not event.issues_certificate or event.is_cancelled or event.end > now:
        return result
    percents = event_attendance_percents(event)
    for user in event_people_without_certificate(event):
        if percents.get(user.pk, 0) < event.attendance_threshold:
            result.below_threshold += 1
            continue
        result.eligible += 1
        if dry_run:
            continue
        try:
            _certificate, created = certificate_issue_for_event(event=event, user=user)
        except CertificateRefused as refusal:
            if refusal.code == "attendance":
                result.below_threshold += 1
                continue
            result.problems.append(f"{event.title}: {user}: {refusal.message}")
            if refusal.code in BATCH_FATAL:
                break
            continue
        result.issued += int(created)
    return result


# --- the safety net ------------------------------------------------------------------------


@dataclass
class PendingIssueSummary:
    events: int = 0
    event_issued: int = 0
    event_eligible: int = 0
    below_threshold: int = 0
    enrollments: int = 0
    enrollment_issued: int = 0
    problems: list[str] = field(default_factory=list)


def certificates_pending_issue(
    *, since: dt.datetime, dry_run: bool = False, now: dt.datetime | None = None
) -> PendingIssueSummary:
    """Issue what the automatic issue should have issued and did not.

    Participation certificates of events that ended since ``since``, and the
    documents of completed enrollments of auto-issuing courses that never had one
    (for instance completed before a default template existed). Idempotent.
    """
    now = now or timezone.now()
    summary = PendingIssueSummary()
    for event in events_awaiting_certificates(since=since, now=now):
        summary.events += 1
        result = certificate_event_issue_all(event=event, dry_run=dry_run, now=now)
        summary.event_issued += result.issued
        summary.event_eligible += result.eligible
        summary.below_threshold += result.below_threshold
        summary.problems.extend(result.problems)
    for enrollment in enrollments_awaiting_certificates().select_related("user", "cohort__course"):
        summary.enrollments += 1
        if dry_run:
            continue
        try:
            _certificate, created = certificate_issue_for_enrollment(enrollment=enrollment)
        except CertificateRefused as refusal:
            summary.problems.append(f"{enrollment}: {refusal.message}")
            continue
        summary.enrollment_issued += int(created)
    return summary

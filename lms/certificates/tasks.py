"""Background work of certificates (django-tasks): one issue, bulk issues, and the
participation certificates of an event once it has ended."""

import datetime as dt

from django.utils import timezone
from django_tasks import task


@task()
def certificate_issue_for_enrollment_task(enrollment_id: int) -> str:
    """Issue the document a completed enrollment earns; a re-run issues nothing new."""
    from lms.certificates.services.issuing import (
        CertificateRefused,
        certificate_issue_for_enrollment,
    )
    from lms.courses.models import Enrollment

    enrollment = Enrollment.objects.filter(pk=enrollment_id).first()
    if enrollment is None:
        return ""
    try:
        certificate, _created = certificate_issue_for_enrollment(enrollment=enrollment)
    except CertificateRefused as refusal:
        return refusal.code
    return certificate.registration_number


@task()
def certificate_batch_run_task(batch_id: int) -> int:
    from lms.certificates.services.batches import certificate_batch_run

    return certificate_batch_run(batch_id=batch_id)


#: How long after an event ends its certificates are issued: the online room's last
#: connections have closed and late check-ins at the door are in.
AFTER_EVENT = dt.timedelta(minutes=10)


@task()
def certificates_issue_for_event_task(event_id: int) -> int:
    """Participation certificates of an ended event; people below the threshold are skipped."""
    from lms.certificates.services.batches import certificate_event_issue_all
    from lms.models import EventPage

    event = EventPage.objects.live().filter(pk=event_id).first()
    if event is None:
        return 0
    return certificate_event_issue_all(event=event).issued


def certificates_issue_for_event_schedule(event_id: int) -> bool:
    """Ask the worker to issue an event's certificates shortly after it ends.

    Only backends that can defer take this (the database backend in production);
    ``manage.py issue_certificates`` (cron) covers the rest. Issuing is idempotent,
    so an event published several times is still issued for once.
    """
    from lms.models import EventPage

    backend = certificates_issue_for_event_task.get_backend()
    if not backend.supports_defer:
        return False
    event = EventPage.objects.filter(pk=event_id).first()
    if event is None or not event.issues_certificate or event.is_cancelled:
        return False
    run_after = max(event.end + AFTER_EVENT, timezone.now())
    certificates_issue_for_event_task.using(run_after=run_after).enqueue(event.pk)
    return True

"""Automatic issuing: a completed course earns its document (when the course says so), and
an event that gives participation certificates schedules their issue for its end."""

from django.db import transaction
from django.dispatch import receiver
from wagtail.signals import page_published

from lms.courses.signals import course_completed
from lms.models import EventPage


@receiver(course_completed, dispatch_uid="certificates_issue_on_completion")
def issue_on_completion(sender, enrollment, **kwargs):
    from lms.certificates.tasks import certificate_issue_for_enrollment_task

    if enrollment.cohort.course.certificate_auto_issue:
        certificate_issue_for_enrollment_task.enqueue(enrollment.pk)


@receiver(page_published, sender=EventPage, dispatch_uid="certificates_event_issue_schedule")
def schedule_event_certificates(sender, instance, **kwargs):
    """Participation certificates go out shortly after the event ends (cron is the net)."""
    from lms.certificates.tasks import certificates_issue_for_event_schedule

    if instance.issues_certificate and not instance.is_cancelled:
        transaction.on_commit(lambda: certificates_issue_for_event_schedule(instance.pk))

"""Background tasks of the events (django-tasks)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django_tasks import task


@task()
def event_registration_confirm(registration_id: int) -> bool:
    """Email the confirmation of a place with the event's .ics attached, once."""
    from lms.ical import event_calendar_bytes
    from lms.models import EventRegistration, RegistrationStatus

    registration = (
        EventRegistration.objects.select_related("event", "user")
        .filter(
            pk=registration_id,
            status=RegistrationStatus.REGISTERED,
            confirmation_sent_at__isnull=True,
        )
        .first()
    )
    if registration is None or not registration.user.is_active:
        return False
    # Claim first: a second run of the same task finds nothing to do.
    claimed = EventRegistration.objects.filter(
        pk=registration.pk, confirmation_sent_at__isnull=True
    ).update(confirmation_sent_at=timezone.now())
    if not claimed:
        return False
    event = registration.event
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "registration": registration,
            "event": event,
            "recipient": registration.user,
            "event_url": f"{settings.SITE_URL}{event.url or ''}",
            "site_name": settings.WAGTAIL_SITE_NAME,
        }
        subject = render_to_string("lms/email/registration_subject.txt", context).strip()
        body = render_to_string("lms/email/registration.txt", context)
    message = EmailMessage(subject=subject, body=body, to=[registration.user.email])
    message.attach(
        "event.ics", event_calendar_bytes(event), "text/calendar; charset=utf-8; method=PUBLISH"
    )
    message.send()
    return True


@task()
def event_reminders_send_task() -> int:
    from lms.services.events import event_reminders_send

    return event_reminders_send()


def event_reminders_schedule(event) -> None:
    """Ask the task worker to run the reminder sender when the event's reminders fall due.

    Only backends that can defer (the database backend in production) take
    these; the ``send_event_reminders`` command (cron) covers the rest, and
    sending is idempotent, so a reminder planned twice still goes out once.
    """
    from lms.services.events import REMINDER_LEAD_TIMES

    backend = event_reminders_send_task.get_backend()
    if not backend.supports_defer:
        return
    now = timezone.now()
    for send_from, _send_until in REMINDER_LEAD_TIMES.values():
        run_after = event.start - send_from
        if event.start > now:
            event_reminders_send_task.using(run_after=max(run_after, now)).enqueue()

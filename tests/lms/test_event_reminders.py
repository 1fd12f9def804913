import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from core.models import Notification
from lms.models import EventReminder
from lms.services.events import event_register, event_registration_cancel, event_reminders_send
from tests.lms.conftest import publish

pytestmark = pytest.mark.django_db


def _reminders(user):
    return list(
        Notification.objects.filter(recipient=user, kind="events.reminder").values_list(
            "title", flat=True
        )
    )


def test_each_reminder_is_sent_once_even_when_the_sender_runs_twice(
    make_event, participant, django_capture_on_commit_callbacks
):
    now = timezone.now()
    event = make_event(start=now + dt.timedelta(hours=20))
    event_register(event_id=event.pk, user=participant)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert event_reminders_send(now=now) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert event_reminders_send(now=now) == 0
    assert len(_reminders(participant)) == 1
    assert [m.to for m in mail.outbox] == [[participant.email]]

    # Nineteen and a half hours later the one-hour reminder falls due, once.
    later = now + dt.timedelta(hours=19, minutes=30)
    assert event_reminders_send(now=later) == 1
    assert event_reminders_send(now=later) == 0
    assert EventReminder.objects.filter(registration__user=participant).count() == 2


def test_the_management_command_sends_due_reminders_once(make_event, participant):
    event = make_event(start=timezone.now() + dt.timedelta(minutes=40))
    event_register(event_id=event.pk, user=participant)
    out = StringIO()
    call_command("send_event_reminders", stdout=out)
    call_command("send_event_reminders", stdout=out)
    assert out.getvalue().splitlines() == ["Reminders sent: 1", "Reminders sent: 0"]
    # Within the last hour only the one-hour reminder makes sense.
    assert EventReminder.objects.get().kind == "1h"


def test_no_reminders_for_cancelled_places_or_cancelled_events(make_event, make_user, participant):
    now = timezone.now()
    kept = make_event(start=now + dt.timedelta(hours=10))
    dropped = make_event(start=now + dt.timedelta(hours=10))
    cancelled = make_event(start=now + dt.timedelta(hours=10))
    for event in (kept, dropped, cancelled):
        event_register(event_id=event.pk, user=participant)
    event_registration_cancel(event_id=dropped.pk, user=participant)
    cancelled.is_cancelled = True
    cancelled.cancellation_note = "Перенос"
    publish(cancelled)

    assert event_reminders_send(now=now) == 1
    assert EventReminder.objects.get().registration.event_id == kept.pk


def test_a_rescheduled_event_is_reminded_again(make_event, participant):
    now = timezone.now()
    event = make_event(start=now + dt.timedelta(hours=5))
    event_register(event_id=event.pk, user=participant)
    assert event_reminders_send(now=now) == 1

    event.start = now + dt.timedelta(hours=8)
    event.end = event.start + dt.timedelta(hours=2)
    publish(event)
    assert event_reminders_send(now=now) == 1
    assert event_reminders_send(now=now) == 0
    assert EventReminder.objects.filter(kind="24h").count() == 2


def test_events_far_ahead_or_past_get_no_reminder(make_event, participant):
    now = timezone.now()
    far = make_event(start=now + dt.timedelta(days=3))
    event_register(event_id=far.pk, user=participant)
    assert event_reminders_send(now=now) == 0
    assert event_reminders_send(now=far.end + dt.timedelta(minutes=1)) == 0
    assert not EventReminder.objects.exists()

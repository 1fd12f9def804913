import datetime as dt
import io

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone, translation
from icalendar import Calendar

from core.models import Notification
from lms.models import EventRegistration, RegistrationStatus
from lms.services.events import (
    RegistrationRefused,
    event_register,
    event_registration_cancel,
    waitlist_position,
)
from tests.lms.conftest import publish

pytestmark = pytest.mark.django_db


def test_register_gives_a_place_and_emails_the_ics(
    make_event, participant, django_capture_on_commit_callbacks
):
    event = make_event(title="Семинар «Чтение подростков»")

    with django_capture_on_commit_callbacks(execute=True):
        registration = event_register(event_id=event.pk, user=participant)

    assert registration.status == RegistrationStatus.REGISTERED
    [message] = mail.outbox
    assert message.to == [participant.email]
    [(filename, content, mimetype)] = message.attachments
    assert filename == "event.ics"
    assert mimetype.startswith("text/calendar")
    [vevent] = Calendar.from_ical(content).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Семинар «Чтение подростков»"
    assert vevent["DTSTART"].dt == event.start
    # The registrant's copy carries the online-room link.
    assert event.online_url in str(vevent["LOCATION"])
    assert Notification.objects.filter(recipient=participant, kind="events.registration").exists()


def test_double_submit_keeps_one_registration_and_one_email(
    make_event, participant, django_capture_on_commit_callbacks
):
    event = make_event()
    with django_capture_on_commit_callbacks(execute=True):
        first = event_register(event_id=event.pk, user=participant)
    with django_capture_on_commit_callbacks(execute=True):
        second = event_register(event_id=event.pk, user=participant)
    assert first.pk == second.pk
    assert EventRegistration.objects.filter(event=event).count() == 1
    assert len(mail.outbox) == 1


def test_consent_is_required_and_can_be_given_with_the_click(make_event, make_user, consent_text):
    event = make_event()
    user = make_user("participant")
    with pytest.raises(RegistrationRefused) as refused:
        event_register(event_id=event.pk, user=user)
    assert refused.value.code == "consent"
    assert not EventRegistration.objects.exists()

    registration = event_register(event_id=event.pk, user=user, consent_given=True)
    assert registration.status == RegistrationStatus.REGISTERED
    assert user.consents.filter(purpose="personal_data", withdrawn_at__isnull=True).exists()


def test_full_event_queues_and_a_cancellation_promotes_the_next_in_line(
    make_event, make_user, consent_text, django_capture_on_commit_callbacks
):
    event = make_event(capacity=2)
    people = [make_user("participant", email=f"p{number}@example.org") for number in range(4)]
    registrations = [
        event_register(event_id=event.pk, user=user, consent_given=True) for user in people
    ]
    assert [r.status for r in registrations] == [
        "registered",
        "registered",
        "waitlisted",
        "waitlisted",
    ]
    assert [waitlist_position(r) for r in registrations] == [0, 0, 1, 2]
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        event_registration_cancel(event_id=event.pk, user=people[0])

    statuses = dict(EventRegistration.objects.values_list("user__email", "status"))
    assert statuses == {
        "p0@example.org": "cancelled",
        "p1@example.org": "registered",
        "p2@example.org": "registered",
        "p3@example.org": "waitlisted",
    }
    # The promoted person is told and gets the confirmation with the .ics.
    assert [m.to for m in mail.outbox] == [["p2@example.org"]]
    assert (
        Notification.objects.filter(
            recipient=people[2], kind="events.registration", title__contains=event.title
        ).count()
        == 2
    )
    assert waitlist_position(EventRegistration.objects.get(user=people[3])) == 1


def test_leaving_the_queue_frees_no_place(make_event, make_user, consent_text):
    event = make_event(capacity=1)
    first, second, third = (make_user("participant") for _ in range(3))
    for user in (first, second, third):
        event_register(event_id=event.pk, user=user, consent_given=True)
    event_registration_cancel(event_id=event.pk, user=second)
    assert EventRegistration.objects.get(user=first).status == "registered"
    assert EventRegistration.objects.get(user=third).status == "waitlisted"
    assert waitlist_position(EventRegistration.objects.get(user=third)) == 1


def test_no_waitlist_means_a_clear_refusal(make_event, make_user, consent_text):
    event = make_event(capacity=1, waitlist_enabled=False)
    event_register(event_id=event.pk, user=make_user(), consent_given=True)
    late = make_user()
    with pytest.raises(RegistrationRefused) as refused:
        event_register(event_id=event.pk, user=late, consent_given=True)
    assert refused.value.code == "full"
    assert not EventRegistration.objects.filter(user=late).exists()


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"is_cancelled": True, "cancellation_note": "Болезнь лектора"}, "cancelled"),
        ({"start": timezone.now() - dt.timedelta(days=2)}, "past"),
        ({"registration_opens": timezone.now() + dt.timedelta(days=1)}, "not_open"),
        ({"registration_closes": timezone.now() - dt.timedelta(hours=1)}, "closed"),
    ],
)
def test_closed_past_cancelled_events_refuse_with_a_message(make_event, participant, fields, code):
    event = make_event(**fields)
    with pytest.raises(RegistrationRefused) as refused:
        event_register(event_id=event.pk, user=participant)
    assert refused.value.code == code
    assert refused.value.message
    assert not EventRegistration.objects.exists()


def test_re_registering_after_cancelling_joins_the_end_of_the_queue(
    make_event, make_user, consent_text
):
    event = make_event(capacity=1)
    holder, waiting = make_user(), make_user()
    event_register(event_id=event.pk, user=holder, consent_given=True)
    event_register(event_id=event.pk, user=waiting, consent_given=True)
    event_registration_cancel(event_id=event.pk, user=holder)
    again = event_register(event_id=event.pk, user=holder, consent_given=True)
    assert again.status == "waitlisted"
    assert EventRegistration.objects.get(user=waiting).status == "registered"


# --- views -------------------------------------------------------------------


def test_register_view_needs_post_login_and_csrf(make_event, participant):
    event = make_event()
    anonymous = Client()
    response = anonymous.post(event.url + "register/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]

    client = Client(enforce_csrf_checks=True)
    client.force_login(participant)
    assert client.get(event.url + "register/").status_code == 405
    assert client.post(event.url + "register/").status_code == 403
    assert not EventRegistration.objects.exists()


def test_register_and_cancel_through_the_page(client, make_event, participant):
    event = make_event()
    client.force_login(participant)
    page = client.get(event.url)
    assert page.status_code == 200
    assert event.online_url not in page.content.decode()  # only people with a place see it

    response = client.post(event.url + "register/", follow=True)
    assert response.redirect_chain[-1][0] == event.url
    assert event.online_url in response.content.decode()
    assert EventRegistration.objects.get(user=participant).status == "registered"

    cabinet = client.get("/cabinet/")
    assert event.title in cabinet.content.decode()

    client.post(event.url + "cancel/")
    assert EventRegistration.objects.get(user=participant).status == "cancelled"


def test_refusal_is_shown_on_the_page_in_russian(client, make_event, participant):
    event = make_event(is_cancelled=True, cancellation_note="Перенос на весну")
    client.force_login(participant)
    response = client.post(event.url + "register/", follow=True)
    with translation.override("ru"):
        expected = translation.gettext("The event has been cancelled.")
    assert expected in response.content.decode()
    assert not EventRegistration.objects.exists()


def test_organiser_list_export_and_check_in(client, make_event, make_user, participant):
    event = make_event(format="in_person", location="Краснодар, ул. Красная, 1", capacity=5)
    event_register(event_id=event.pk, user=participant)
    methodist = make_user("methodist")

    client.force_login(participant)
    assert client.get(event.url + "registrations/").status_code == 403

    client.force_login(methodist)
    listing = client.get(event.url + "registrations/")
    assert listing.status_code == 200
    assert participant.email in listing.content.decode()

    csv_response = client.get(event.url + "registrations/", {"export": "csv"})
    text = csv_response.content.decode("utf-8-sig")
    assert participant.get_full_name() in text
    assert text.splitlines()[0].count(";") == 5

    from openpyxl import load_workbook

    xlsx = client.get(event.url + "registrations/", {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == event.title
    assert rows[2][1] == participant.get_full_name()
    assert rows[2][2] == participant.email

    registration = EventRegistration.objects.get(user=participant)
    client.post(event.url + f"registrations/{registration.pk}/check-in/")
    registration.refresh_from_db()
    assert registration.checked_in_at is not None
    client.post(event.url + f"registrations/{registration.pk}/check-in/", {"undo": "1"})
    registration.refresh_from_db()
    assert registration.checked_in_at is None


def test_check_in_refuses_forged_ids(client, make_event, make_user, participant):
    event = make_event(capacity=5)
    other = make_event(capacity=5)
    registration = event_register(event_id=other.pk, user=participant)
    client.force_login(make_user("methodist"))
    # A registration of another event through this event's URL changes nothing.
    client.post(event.url + f"registrations/{registration.pk}/check-in/")
    registration.refresh_from_db()
    assert registration.checked_in_at is None


def test_time_change_and_cancellation_notify_everyone_registered(
    make_event, participant, django_capture_on_commit_callbacks
):
    event = make_event()
    event_register(event_id=event.pk, user=participant)
    mail.outbox.clear()

    event.start += dt.timedelta(days=1)
    event.end += dt.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        publish(event)
    assert event.calendar_state.sequence == 1
    assert Notification.objects.filter(recipient=participant, kind="events.change").count() == 1
    assert len(mail.outbox) == 1

    event.title = "Семинар (новое название)"
    with django_capture_on_commit_callbacks(execute=True):
        publish(event)
    event.calendar_state.refresh_from_db()
    assert event.calendar_state.sequence == 1  # a title is not a schedule change
    assert len(mail.outbox) == 1

    event.is_cancelled = True
    event.cancellation_note = "Лектор заболел"
    publish(event)
    event.calendar_state.refresh_from_db()
    assert event.calendar_state.sequence == 2
    notice = Notification.objects.filter(recipient=participant, kind="events.change").latest("pk")
    assert notice.body == "Лектор заболел"


def test_more_places_promote_the_queue_on_publish(make_event, make_user, consent_text):
    event = make_event(capacity=1)
    first, second = make_user(), make_user()
    event_register(event_id=event.pk, user=first, consent_given=True)
    event_register(event_id=event.pk, user=second, consent_given=True)
    event.capacity = 2
    publish(event)
    assert EventRegistration.objects.get(user=second).status == "registered"

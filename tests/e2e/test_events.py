"""Event registration in a real browser: sign in, register, the cabinet, the .ics, cancel.

The demo participant (core/demo.py) registers for an upcoming online webinar of the
demo (lms/demo.py) she is not registered for. Elements are found by structure
(classes, form actions); texts are compared with the catalogue's own translation,
so the test holds whether or not the catalogue is compiled.
"""

import re

import pytest
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PARTICIPANT_EMAIL = "participant@demo.ibc-portal.ru"
PARTICIPANT_PASSWORD = "demo-participant-2026"
# Online, no capacity, in 13 days; the participant has no registration for it.
EVENT_SLUG = "vebinar-informatsionnaya-gramotnost"


def _ru(message: str) -> str:
    with translation.override("ru"):
        return gettext(message)


def _sign_in(page) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", PARTICIPANT_EMAIL)
    page.fill("#id_password", PARTICIPANT_PASSWORD)
    page.locator("main form.stack-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/cabinet/$"))


def _host() -> str:
    from urllib.parse import urlsplit

    from django.conf import settings

    return urlsplit(settings.SITE_URL).hostname


def _event():
    from lms.models import EventPage

    return EventPage.objects.get(slug=EVENT_SLUG)


def _register_form(page):
    return page.locator('.registration-box form[action$="/register/"]')


def _cancel_form(page):
    return page.locator('.registration-box form[action$="/cancel/"]')


def _register(page) -> bool:
    """Press the registration button, ticking the consent box if the page asks for it.

    Returns whether the consent box was there.
    """
    form = _register_form(page)
    expect(form).to_have_count(1)
    consent = form.locator("#id_consent")
    asked = consent.count() > 0
    if asked:
        consent.check()
    form.locator("button[type=submit]").click()
    return asked


def test_register_for_event_download_ics_and_cancel(page, live_site):
    from icalendar import Calendar

    from core.models import ConsentPurpose, User
    from lms.models import EventRegistration, RegistrationStatus

    event = _event()
    participant = User.objects.get(email=PARTICIPANT_EMAIL)
    assert not EventRegistration.objects.filter(event=event, user=participant).exists()
    assert event.capacity is None and event.is_online and not event.is_cancelled
    mail.outbox.clear()

    _sign_in(page)

    # The listing of upcoming events links to the event.
    page.goto("/events/")
    link = page.locator(f'.event-list .event-card h3 a[href$="/{EVENT_SLUG}/"]')
    expect(link).to_have_count(1)
    expect(link).to_have_text(event.title)
    link.click()
    expect(page).to_have_url(re.compile(rf"/events/{EVENT_SLUG}/$"))
    expect(page.locator("main h1")).to_have_text(event.title)

    # Not registered yet: the register form, no status, no cancel button, no room link.
    expect(page.locator(".registration-box .registration-status")).to_have_count(0)
    expect(_cancel_form(page)).to_have_count(0)
    expect(page.locator(f'.event-facts a[href="{event.online_url}"]')).to_have_count(0)
    expect(_register_form(page).locator("button[type=submit]")).to_have_text(_ru("Register"))

    consent_had = participant.consents.filter(
        purpose=ConsentPurpose.PERSONAL_DATA, withdrawn_at__isnull=True
    ).exists()
    # The page asks for the personal-data consent exactly when it is missing.
    assert _register(page) is not consent_had

    expect(page).to_have_url(re.compile(rf"/events/{EVENT_SLUG}/$"))
    success = page.locator(".messages .message--success")
    expect(success).to_have_count(1)
    expect(success).to_have_text(_ru("You are registered. The confirmation has been emailed."))
    status = page.locator(".registration-box .registration-status")
    expect(status).to_have_count(1)
    expect(status).to_contain_text(_ru("You are registered."))
    expect(_register_form(page)).to_have_count(0)
    expect(_cancel_form(page)).to_have_count(1)
    # A registered participant sees the link to the online room.
    expect(page.locator(f'.event-facts a[href="{event.online_url}"]')).to_have_count(1)

    registration = EventRegistration.objects.get(event=event, user=participant)
    assert registration.status == RegistrationStatus.REGISTERED
    assert registration.confirmation_sent_at is not None
    # The consent is on record now (granted with the registration if it was missing).
    assert participant.consents.filter(
        purpose=ConsentPurpose.PERSONAL_DATA, withdrawn_at__isnull=True
    ).exists()

    # The confirmation letter, sent by the task once the registration committed.
    letters = [message for message in mail.outbox if PARTICIPANT_EMAIL in message.to]
    assert len(letters) == 1, [(message.to, message.subject) for message in mail.outbox]
    attachments = {attachment[0]: attachment for attachment in letters[0].attachments}
    assert "event.ics" in attachments, list(attachments)
    _name, content, mimetype = attachments["event.ics"]
    assert mimetype.startswith("text/calendar"), mimetype
    attached = Calendar.from_ical(content)
    assert [str(v["UID"]) for v in attached.walk("VEVENT")] == [f"event-{event.pk}@" + _host()]

    # The cabinet lists the event among "My events".
    page.goto("/cabinet/")
    my_events = page.locator("section:has(h2#cabinet-events)")
    expect(my_events.locator("h2")).to_have_text(_ru("My events"))
    entry = my_events.locator(f'.cabinet-events a[href$="/{EVENT_SLUG}/"]')
    expect(entry).to_have_count(1)
    expect(entry).to_have_text(event.title)

    # Back on the event page: the .ics file of the event.
    entry.click()
    expect(page).to_have_url(re.compile(rf"/events/{EVENT_SLUG}/$"))
    with page.expect_download() as download_info:
        page.locator("a.ics-download").click()
    download = download_info.value
    assert download.suggested_filename == f"event-{event.pk}.ics"
    with open(download.path(), "rb") as file:
        calendar = Calendar.from_ical(file.read())
    vevents = calendar.walk("VEVENT")
    assert len(vevents) == 1, calendar.to_ical()
    assert str(vevents[0]["SUMMARY"]) == event.title
    assert str(vevents[0]["UID"]) == f"event-{event.pk}@{_host()}"
    assert vevents[0].decoded("DTSTART") == event.start

    # Cancel: the registration is cancelled and the register button is back.
    _cancel_form(page).locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/events/{EVENT_SLUG}/$"))
    success = page.locator(".messages .message--success")
    expect(success).to_have_text(_ru("Your registration has been cancelled."))
    expect(page.locator(".registration-box .registration-status")).to_have_count(0)
    expect(_cancel_form(page)).to_have_count(0)
    expect(_register_form(page).locator("button[type=submit]")).to_have_text(_ru("Register"))
    expect(page.locator(f'.event-facts a[href="{event.online_url}"]')).to_have_count(0)
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED

    # ... and the cabinet no longer lists it; no other letter went out.
    page.goto("/cabinet/")
    expect(page.locator(f'.cabinet-events a[href$="/{EVENT_SLUG}/"]')).to_have_count(0)
    assert len([message for message in mail.outbox if PARTICIPANT_EMAIL in message.to]) == 1


def test_event_pages_have_no_serious_axe_violations(page, axe_report):
    """WCAG 2.1 A/AA by axe-core: the listing, the month calendar and an event page,
    signed out and signed in (register form, then the registered state)."""
    event_path = f"/events/{EVENT_SLUG}/"
    problems = []
    for path in ("/events/", "/events/?view=month", event_path):
        response = page.goto(path)
        assert response.status == 200, path
        problems += axe_report(page, path)

    _sign_in(page)
    page.goto(event_path)
    problems += axe_report(page, f"{event_path} (signed in)")
    _register(page)
    expect(page.locator(".registration-box .registration-status")).to_have_count(1)
    problems += axe_report(page, f"{event_path} (registered)")

    assert not problems, "axe-core found serious/critical WCAG 2.1 AA violations:\n" + "\n".join(
        problems
    )

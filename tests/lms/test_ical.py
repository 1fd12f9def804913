"""iCalendar feeds: the public feed, one event's .ics and a user's private feed.

Every body is read by two independent parsers (``icalendar`` and ``vobject``), so a
feed that only our own library happens to accept fails here.
"""

import datetime as dt
import hashlib
import io
import re
import secrets
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import vobject
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from icalendar import Calendar

from lms.models import CalendarFeedToken, EventCalendarState, EventPage
from lms.services.events import event_register
from tests.lms.conftest import publish

pytestmark = pytest.mark.django_db

FEED = "/events/feed.ics"
SITE_URL = "https://ibc.example.org"
FEED_URL_INPUT = re.compile(r'<input id="feed-url"[^>]*value="([^"]+)"')


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE_URL


def parse(body: bytes):
    """The calendar as read by icalendar and by vobject."""
    return Calendar.from_ical(body), vobject.readOne(body.decode("utf-8"))


def vevents(body: bytes) -> tuple[dict, dict]:
    """VEVENTs by UID, from both parsers."""
    ical, vcal = parse(body)
    by_ical = {str(v["UID"]): v for v in ical.walk("VEVENT")}
    by_vobject = {v.uid.value: v for v in getattr(vcal, "vevent_list", [])}
    assert set(by_ical) == set(by_vobject)
    return by_ical, by_vobject


def uid(event) -> str:
    return f"event-{event.pk}@ibc.example.org"


def sequence(body: bytes, event) -> int:
    by_ical, by_vobject = vevents(body)
    assert int(by_vobject[uid(event)].sequence.value) == by_ical[uid(event)]["SEQUENCE"]
    return by_ical[uid(event)]["SEQUENCE"]


def cancelled_prefix() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return translation.gettext("[CANCELLED]")


def online_label() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return translation.gettext("Online")


def at_minute(value: dt.datetime) -> dt.datetime:
    return value.replace(second=0, microsecond=0)


# --- public feed and a single event ------------------------------------------------------


def test_public_feed_is_a_published_calendar(client, make_event):
    make_event()
    response = client.get(FEED)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"].startswith("inline")
    ical, vcal = parse(response.content)
    assert str(ical["VERSION"]) == vcal.version.value == "2.0"
    assert str(ical["METHOD"]) == vcal.method.value == "PUBLISH"
    assert str(ical["CALSCALE"]) == vcal.calscale.value == "GREGORIAN"
    assert str(ical["PRODID"]) == vcal.prodid.value
    assert settings.WAGTAIL_SITE_NAME in vcal.prodid.value
    assert str(ical["X-WR-CALNAME"]) == vcal.contents["x-wr-calname"][0].value == "Мероприятия"
    refresh = vcal.contents["refresh-interval"][0]
    assert refresh.value == "PT1H"
    assert refresh.params["VALUE"] == ["DURATION"]
    assert ical["REFRESH-INTERVAL"].dt == dt.timedelta(hours=1)
    assert vcal.contents["x-published-ttl"][0].value == "PT1H"


def test_event_ics_is_an_attachment_with_that_event_only(client, make_event):
    event = make_event(title="Вебинар о каталогизации")
    make_event()

    response = client.get(f"/events/{event.slug}/event.ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="event-{event.pk}.ics"'
    by_ical, by_vobject = vevents(response.content)
    assert list(by_ical) == [uid(event)]
    assert by_vobject[uid(event)].summary.value == "Вебинар о каталогизации"


def test_vevent_carries_the_event_in_utc_without_html_or_the_room_link(client, make_event):
    yekaterinburg = ZoneInfo("Asia/Yekaterinburg")
    start = at_minute(timezone.now() + dt.timedelta(days=5)).astimezone(yekaterinburg)
    in_person = make_event(
        title="Мастер-класс «Буктрейлер»",
        format="in_person",
        location="г. Пермь, ул. Ленина, 1, читальный зал",
        start=start,
        end=start + dt.timedelta(hours=1, minutes=30),
        lead="<p>Учимся <b>снимать</b> буктрейлеры &amp; монтировать.</p>",
    )
    online = make_event(online_url="https://video.example.org/secret-room")

    body = client.get(FEED).content
    by_ical, by_vobject = vevents(body)

    event, vevent = by_ical[uid(in_person)], by_vobject[uid(in_person)]
    assert vevent.dtstart.value == event["DTSTART"].dt == in_person.start
    assert vevent.dtend.value == event["DTEND"].dt == in_person.end
    for name in (b"DTSTART", b"DTEND", b"DTSTAMP"):
        # UTC ("Z"), no TZID a client could misread.
        assert re.search(rb"\r\n" + name + rb":\d{8}T\d{6}Z\r\n", body), name
    assert vevent.dtstart.value.utcoffset() == dt.timedelta(0)
    assert vevent.dtstamp.value.utcoffset() == dt.timedelta(0)
    assert vevent.summary.value == str(event["SUMMARY"]) == "Мастер-класс «Буктрейлер»"
    description = vevent.description.value
    assert description == str(event["DESCRIPTION"])
    assert "<" not in description and ">" not in description
    assert "снимать" in description
    assert vevent.url.value == str(event["URL"]) == f"{SITE_URL}{in_person.url}"
    assert vevent.location.value == "г. Пермь, ул. Ленина, 1, читальный зал"
    assert event["SEQUENCE"] == 0
    assert vevent.status.value == str(event["STATUS"]) == "CONFIRMED"

    # The online room is for registered people only, never in the public feed.
    assert b"secret-room" not in body
    assert by_vobject[uid(online)].location.value == online_label()


def test_sequence_grows_on_time_and_place_changes_only(client, make_event):
    event = make_event(format="mixed", location="Библиотека № 1")
    assert sequence(client.get(FEED).content, event) == 0

    event.title = "Семинар (новое название)"
    publish(event)
    body = client.get(FEED).content
    assert sequence(body, event) == 0
    assert vevents(body)[1][uid(event)].summary.value == "Семинар (новое название)"

    event.start += dt.timedelta(days=1)
    event.end += dt.timedelta(days=1)
    publish(event)
    body = client.get(FEED).content
    assert sequence(body, event) == 1
    assert vevents(body)[0][uid(event)]["DTSTART"].dt == event.start

    event.location = "Библиотека № 2"
    publish(event)
    body = client.get(FEED).content
    assert sequence(body, event) == 2
    assert vevents(body)[1][uid(event)].location.value == "Библиотека № 2"
    assert EventCalendarState.objects.get(event=event).sequence == 2


def test_cancelled_event_stays_in_the_feed_marked_cancelled(client, make_event):
    event = make_event(title="Конференция")
    event.is_cancelled = True
    event.cancellation_note = "Лектор заболел."
    publish(event)

    by_ical, by_vobject = vevents(client.get(FEED).content)

    assert uid(event) in by_ical
    vevent = by_vobject[uid(event)]
    assert vevent.status.value == str(by_ical[uid(event)]["STATUS"]) == "CANCELLED"
    assert int(vevent.sequence.value) == 1
    assert vevent.summary.value == f"{cancelled_prefix()} Конференция"
    assert vevent.description.value.startswith("Лектор заболел.")

    # Kept for a while so clients can remove it, then dropped from the feed.
    EventCalendarState.objects.filter(event=event).update(
        changed_at=timezone.now() - dt.timedelta(days=31)
    )
    assert uid(event) not in vevents(client.get(FEED).content)[0]


def test_drafts_and_long_past_events_are_not_in_the_feed(client, make_event):
    now = timezone.now()
    draft = make_event(publish_it=False)
    recent = make_event(start=now - dt.timedelta(days=80))
    old = make_event(start=now - dt.timedelta(days=100))

    by_ical, _ = vevents(client.get(FEED).content)

    assert uid(recent) in by_ical
    assert uid(draft) not in by_ical
    assert uid(old) not in by_ical
    assert client.get(f"/events/{draft.slug}/event.ics").status_code == 404


def test_long_cyrillic_title_is_folded_at_75_octets_between_characters(client, make_event):
    title = ("Межрегиональная научно-практическая конференция «Школьная библиотека» " * 4)[:250]
    assert len(title) > 200
    event = make_event(title=title.strip(), slug="long-title")

    body = client.get(f"/events/{event.slug}/event.ics").content

    assert body.endswith(b"\r\n")
    assert b"\n" not in body.replace(b"\r\n", b"") and b"\r" not in body.replace(b"\r\n", b"")
    lines = body.split(b"\r\n")[:-1]
    assert any(line.startswith(b" ") for line in lines)  # the title really was folded
    for line in lines:
        assert len(line) <= 75, line
        line.decode("utf-8")  # no character split across a fold
    by_ical, by_vobject = vevents(body)
    assert by_vobject[uid(event)].summary.value == title.strip()
    assert str(by_ical[uid(event)]["SUMMARY"]) == title.strip()


def test_etag_gives_304_until_the_feed_changes(client, make_event):
    event = make_event()
    published = at_minute(timezone.now() - dt.timedelta(hours=1))
    EventPage.objects.filter(pk=event.pk).update(last_published_at=published)
    first = client.get(FEED)
    etag = first["ETag"]
    assert etag and client.get(FEED)["ETag"] == etag  # unchanged feed, same tag
    # DTSTAMP is the last publication, not "now": otherwise every poll would differ.
    stamp = vevents(first.content)[1][uid(event)].dtstamp.value
    assert stamp == published

    cached = client.get(FEED, HTTP_IF_NONE_MATCH=etag)
    assert cached.status_code == 304
    assert cached.content == b""
    assert client.get(FEED, HTTP_IF_NONE_MATCH=f'"other", {etag}').status_code == 304

    event.title = "Семинар, перенесённый в другой зал"
    publish(event)
    changed = client.get(FEED, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


# --- private feed ---------------------------------------------------------------------


def create_link(user) -> str:
    """The private feed path, created by the user on /cabinet/calendar/."""
    browser = Client()
    browser.force_login(user)
    response = browser.post("/cabinet/calendar/", {"action": "regenerate"})
    assert response.status_code == 200
    [url] = FEED_URL_INPUT.findall(response.content.decode())
    assert url.startswith(f"{SITE_URL}/cabinet/calendar/")
    return urlsplit(url).path


def token_of(path: str) -> str:
    return re.fullmatch(r"/cabinet/calendar/([^/]+)\.ics", path).group(1)


@pytest.fixture
def other(make_user):
    return make_user(
        "participant", email="boris@example.org", first_name="Борис", last_name="Петров"
    )


def test_calendar_settings_need_login(client):
    for response in (client.get("/cabinet/calendar/"), client.post("/cabinet/calendar/")):
        assert response.status_code == 302
        assert response["Location"].startswith(f"{reverse(settings.LOGIN_URL)}?next=")
    assert not CalendarFeedToken.objects.exists()


def test_private_token_is_long_random_and_stored_only_as_a_hash(participant):
    path = create_link(participant)
    token = token_of(path)

    assert re.fullmatch(r"[A-Za-z0-9_-]{43,}", token)
    assert len(token) * 6 >= 128
    stored = CalendarFeedToken.objects.get(user=participant)
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)
    assert token not in dump.getvalue()
    # The link is shown once: the page does not show it again.
    browser = Client()
    browser.force_login(participant)
    assert token not in browser.get("/cabinet/calendar/").content.decode()
    # The stored hash is not a key to the feed.
    assert Client().get(f"/cabinet/calendar/{stored.token_hash}.ics").status_code == 404


def test_private_feed_has_own_events_and_room_link_only_with_a_place(
    participant, other, make_event
):
    mine = make_event(capacity=1, online_url="https://video.example.org/room-mine")
    theirs = make_event(online_url="https://video.example.org/room-theirs")
    event_register(event_id=mine.pk, user=participant)
    event_register(event_id=theirs.pk, user=other, consent_given=True)
    event_register(event_id=mine.pk, user=other, consent_given=True)  # full: waiting list

    response = Client().get(create_link(participant))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content.decode()
    by_ical, by_vobject = vevents(response.content)
    assert set(by_ical) == {uid(mine)}
    assert "https://video.example.org/room-mine" in by_vobject[uid(mine)].location.value
    assert str(by_ical[uid(mine)]["LOCATION"]) == by_vobject[uid(mine)].location.value
    for secret in ("boris@example.org", "Петров", "Борис", "room-theirs"):
        assert secret not in body

    # Someone on the waiting list sees the event but not the room.
    by_ical, by_vobject = vevents(Client().get(create_link(other)).content)
    assert set(by_ical) == {uid(mine), uid(theirs)}
    assert by_vobject[uid(mine)].location.value == online_label()
    assert "room-mine" not in str(by_ical[uid(mine)]["LOCATION"])
    assert "room-theirs" in by_vobject[uid(theirs)].location.value


def test_wrong_token_is_404_without_user_data(client, participant, make_event):
    event = make_event()
    event_register(event_id=event.pk, user=participant)
    create_link(participant)

    for token in (secrets.token_urlsafe(32), "", "x" * 300):
        response = client.get(f"/cabinet/calendar/{token}.ics")
        assert response.status_code == 404
        content = response.content.decode()
        assert "BEGIN:VCALENDAR" not in content
        assert participant.email not in content and "Соколова" not in content


def test_regenerate_replaces_the_link_and_revoke_ends_it(participant, make_event):
    event = make_event()
    event_register(event_id=event.pk, user=participant)
    old = create_link(participant)
    assert Client().get(old).status_code == 200

    new = create_link(participant)

    assert new != old
    assert Client().get(old).status_code == 404
    assert uid(event) in vevents(Client().get(new).content)[0]

    browser = Client()
    browser.force_login(participant)
    response = browser.post("/cabinet/calendar/", {"action": "revoke"})
    assert response.status_code == 302
    assert Client().get(new).status_code == 404
    assert not CalendarFeedToken.objects.filter(user=participant).exists()

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from wagtail.models import Page, PageViewRestriction
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import nested_form_data, streamfield

from cms.models import HomePage
from lms.models import EventIndexPage, EventPage, EventRegistration
from lms.services.events import event_register

pytestmark = pytest.mark.django_db


class EventPageTreeTests(WagtailPageTestCase):
    def test_events_live_only_in_the_events_section(self):
        self.assertAllowedParentPageTypes(EventPage, {EventIndexPage})
        self.assertAllowedSubpageTypes(EventPage, set())
        self.assertAllowedSubpageTypes(EventIndexPage, {EventPage})
        self.assertCanCreateAt(EventIndexPage, EventPage)
        self.assertCanNotCreateAt(HomePage, EventPage)
        self.assertCanNotCreateAt(EventPage, EventPage)

    def test_an_editor_creates_an_event_through_the_admin(self):
        root = Page.get_first_root_node()
        index = EventIndexPage(title="Мероприятия", slug="events-admin")
        root.add_child(instance=index)
        from core.models import User

        self.client.force_login(
            User.objects.create_superuser(email="editor@example.org", password="x-2026-pass")
        )
        self.assertCanCreate(
            index,
            EventPage,
            nested_form_data(
                {
                    "title": "Вебинар о медиаграмотности",
                    "slug": "vebinar-media",
                    "kind": "webinar",
                    "format": "online",
                    "audience": "all",
                    "start": "2027-02-10 15:00",
                    "end": "2027-02-10 17:00",
                    "attendance_threshold": 80,
                    "waitlist_enabled": "on",
                    "speakers": streamfield([]),
                    "programme": streamfield([]),
                    "body": streamfield([]),
                    "materials": streamfield([]),
                }
            ),
        )
        event = EventPage.objects.get(slug="vebinar-media")
        # Entered in the site's zone (Moscow, UTC+3), stored in UTC.
        assert event.start == dt.datetime(2027, 2, 10, 12, 0, tzinfo=dt.UTC)


def test_validation_explains_bad_dates_and_missing_fields(make_event):
    start = timezone.now() + dt.timedelta(days=1)
    event = EventPage(title="x", slug="x", start=start, end=start - dt.timedelta(hours=1))
    event.format = "in_person"
    event.is_cancelled = True
    with pytest.raises(ValidationError) as error:
        event.clean()
    assert set(error.value.message_dict) >= {"end", "location", "cancellation_note"}


def test_listing_tabs_filters_search_and_month(client, make_event):
    now = timezone.now()
    upcoming = make_event(title="Вебинар о чтении", kind="webinar")
    seminar = make_event(title="Семинар о фондах", kind="seminar")
    past = make_event(title="Прошедшая встреча", start=now - dt.timedelta(days=10))

    body = client.get("/events/").content.decode()
    assert upcoming.title in body and seminar.title in body
    assert past.title not in body

    body = client.get("/events/", {"when": "past"}).content.decode()
    assert past.title in body and upcoming.title not in body

    body = client.get("/events/", {"kind": "webinar"}).content.decode()
    assert upcoming.title in body and seminar.title not in body

    body = client.get("/events/", {"q": "фондах"}).content.decode()
    assert seminar.title in body and upcoming.title not in body

    # Unknown filter values are ignored, not errors.
    assert client.get("/events/", {"kind": "<script>", "page": "x"}).status_code == 200

    month = timezone.localtime(upcoming.start).strftime("%Y-%m")
    body = client.get("/events/", {"view": "month", "month": month}).content.decode()
    assert upcoming.title in body
    assert client.get("/events/", {"view": "month", "month": "9999-99"}).status_code == 200


def test_listing_queries_do_not_grow_with_the_number_of_events(
    client, make_event, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        make_event()
    with CaptureQueriesContext(connection) as few:
        client.get("/events/")
    for _ in range(10):
        make_event(capacity=30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/events/")
    assert response.content.decode().count('class="card event-card') == 12


def test_event_page_shows_places_and_hides_the_room_link(client, make_event, participant):
    event = make_event(capacity=10)
    event_register(event_id=event.pk, user=participant)
    body = client.get(event.url).content.decode()
    assert event.title in body
    assert event.online_url not in body
    assert "calendar.google.com" in body and "outlook.live.com" in body
    assert f"{event.url}event.ics" in body


def test_a_draft_event_is_invisible_everywhere(client, make_event, make_user, participant):
    draft = make_event(publish_it=False, title="Черновик мероприятия")
    for user in (None, participant):
        browser = Client()
        if user:
            browser.force_login(user)
        assert browser.get(draft.url or "/events/seminar-1/").status_code == 404
        assert browser.get("/events/seminar-1/event.ics").status_code == 404
        assert browser.post("/events/seminar-1/register/").status_code == 404
        assert draft.title not in browser.get("/events/").content.decode()
        assert draft.title not in browser.get("/events/feed.ics").content.decode()
    assert not EventRegistration.objects.exists()


def test_a_private_event_needs_the_right_even_for_its_ics(client, make_event, participant):
    event = make_event(title="Закрытое заседание")
    restriction = PageViewRestriction.objects.create(
        page=event, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.set([Group.objects.get_or_create(name="Члены МО")[0]])
    for url in (event.url, event.url + "event.ics"):
        response = client.get(url)
        assert response.status_code in (302, 403)
        assert "Закрытое заседание".encode() not in response.content
    client.force_login(participant)
    assert "Закрытое заседание".encode() not in client.get(event.url + "event.ics").content


def test_an_event_with_registrations_cannot_be_deleted_in_the_admin(
    client, make_event, participant, make_user
):
    event = make_event()
    event_register(event_id=event.pk, user=participant)
    client.force_login(make_user("administrator", is_superuser=True, is_staff=True))
    response = client.post(f"/admin/pages/{event.pk}/delete/")
    assert response.status_code == 302
    assert EventPage.objects.filter(pk=event.pk).exists()


def test_cabinet_and_dashboard_show_events(client, make_event, make_user, participant):
    event = make_event(title="Ближайший вебинар")
    event_register(event_id=event.pk, user=participant)
    client.force_login(participant)
    assert event.title in client.get("/cabinet/").content.decode()
    assert client.get("/cabinet/dashboard/").status_code == 403

    client.force_login(make_user("head"))
    dashboard = client.get("/cabinet/dashboard/")
    assert dashboard.status_code == 200
    widget = dashboard.content.decode()
    assert "<svg" in widget
    month = dashboard.context["widgets"]
    [events_widget] = [w for w in month if w.key == "events"]
    stats = events_widget.context["stats"]
    assert stats["events"] == 1 and stats["registrations"] == 1


def test_demo_has_a_live_webinar_and_a_season_of_events(client, demo_site):
    now = timezone.now()
    events = EventPage.objects.live()
    assert events.count() >= 12
    assert events.filter(start__lte=now, end__gt=now, format="online").exists()
    assert events.filter(end__lt=now, start__gte=now - dt.timedelta(days=92)).count() >= 3
    assert events.filter(start__gt=now, start__lte=now + dt.timedelta(days=92)).count() >= 5
    home = client.get("/").content.decode()
    [soonest] = events.filter(end__gt=now, is_cancelled=False).order_by("start")[:1]
    assert soonest.title in home


def test_dashboard_attendance_counts_check_ins_and_the_online_room(make_event, make_user):
    from lms.models import EventRegistration, SeminarConnection
    from lms.selectors.events import events_dashboard_stats

    now = timezone.now()
    online = make_event(start=now - dt.timedelta(days=3))
    hall = make_event(
        start=now - dt.timedelta(days=2), format="in_person", location="Краснодар, ауд. 214"
    )
    people = [make_user("participant") for _ in range(4)]
    for event, pair in ((online, people[:2]), (hall, people[2:])):
        for user in pair:
            EventRegistration.objects.create(event=event, user=user, status="registered")
    SeminarConnection.objects.create(
        event=online, user=people[0], connected_at=online.start, disconnected_at=online.end
    )
    EventRegistration.objects.filter(event=hall, user=people[2]).update(checked_in_at=hall.start)
    # A cancelled place is not counted at all.
    EventRegistration.objects.create(event=hall, user=make_user(), status="cancelled")

    stats = events_dashboard_stats(now=now)
    assert stats["attendance_total"] == 4
    assert stats["attendance_rate"] == 50

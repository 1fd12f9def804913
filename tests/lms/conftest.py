import datetime as dt

import pytest
from django.utils import timezone
from wagtail.models import Site

from core.models import ConsentDocument
from lms.models import EventIndexPage, EventPage


@pytest.fixture
def consent_text(db):
    return ConsentDocument.objects.create(
        purpose="personal_data",
        version="1.0",
        title="Согласие на обработку персональных данных",
        text="Я даю согласие на обработку моих персональных данных.",
        published_at=timezone.now() - dt.timedelta(days=1),
    )


@pytest.fixture
def event_index(db):
    root = Site.objects.get(is_default_site=True).root_page
    index = EventIndexPage(title="Мероприятия", slug="events")
    root.add_child(instance=index)
    index.save_revision().publish()
    return index


def publish(page):
    """Publish the page's current field values as a new revision (as an editor would)."""
    revision = page.save_revision()
    revision.publish()
    page.refresh_from_db()
    return page


@pytest.fixture
def make_event(event_index):
    counter = iter(range(1, 10_000))

    def make(*, publish_it: bool = True, **fields) -> EventPage:
        number = next(counter)
        # Editors enter minutes; iCalendar carries whole seconds.
        start = fields.pop(
            "start", (timezone.now() + dt.timedelta(days=3)).replace(second=0, microsecond=0)
        )
        defaults = {
            "title": f"Семинар № {number}",
            "slug": f"seminar-{number}",
            "start": start,
            "end": start + dt.timedelta(hours=2),
            "lead": "Практический семинар для педагогов-библиотекарей.",
            "online_url": "https://video.example.org/room",
        }
        defaults.update(fields)
        event = EventPage(**defaults)
        if publish_it:
            event_index.add_child(instance=event)
            publish(event)
        else:
            event.live = False
            event_index.add_child(instance=event)
            event.save_revision()
        return event

    return make


@pytest.fixture
def participant(make_user, consent_text):
    from core.services.consent import consent_grant

    user = make_user("participant", email="anna@example.org", last_name="Соколова")
    consent_grant(user=user, purpose="personal_data")
    return user


@pytest.fixture(autouse=True)
def _keep_the_test_transaction_open(monkeypatch):
    """channels' ``database_sync_to_async`` calls ``close_old_connections()`` around every
    call, as a request would. Inside a test's transaction (``django_db`` without
    ``transaction=True``) that closes the PostgreSQL connection under the test. Django's
    own test client disconnects the same cleanup from its request signals; do likewise."""
    import channels.db

    monkeypatch.setattr(channels.db, "close_old_connections", lambda: None)

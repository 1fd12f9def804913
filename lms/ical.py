"""iCalendar (RFC 5545) output for events, built with the ``icalendar`` library.

Every feed goes through :func:`calendar_build`, so the public feed, a single
event, the private feed and the email attachment share one VEVENT shape (see
PITFALLS.md: stable UIDs, UTC times, SEQUENCE, cancelled events kept).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotModified
from django.utils import timezone, translation
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from core.plugins import CalendarItem
from lms.models import EventCalendarState, EventPage

CONTENT_TYPE = "text/calendar; charset=utf-8"
REFRESH = dt.timedelta(hours=1)
#: How long a cancelled event stays in feeds so clients can remove it.
CANCELLED_KEPT = dt.timedelta(days=30)
#: Private and public feeds cover this much of the past (PITFALLS: keep feeds bounded).
PAST_WINDOW = dt.timedelta(days=90)


def site_host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def event_uid(event_id: int) -> str:
    return f"event-{event_id}@{site_host()}"


def event_calendar_item(
    event: EventPage, *, state: EventCalendarState | None = None, participant: bool = False
) -> CalendarItem:
    """``participant`` adds what only registered people may see (the online-room link)."""
    if state is None:
        state = EventCalendarState.objects.filter(event=event).first()
    url = f"{settings.SITE_URL}{event.url or ''}"
    location = event.location
    if event.is_online and participant and event.online_url:
        location = f"{location}; {event.online_url}" if location else event.online_url
    elif event.is_online and not location:
        location = _("Online")
    parts = [strip_tags(event.lead).strip()]
    if event.is_cancelled and event.cancellation_note:
        parts.insert(0, event.cancellation_note)
    parts.append(url)
    return CalendarItem(
        uid=event_uid(event.pk),
        title=event.title,
        start=event.start,
        end=event.end,
        url=url,
        kind=event.get_kind_display(),
        location=location,
        description="\n\n".join(part for part in parts if part),
        sequence=state.sequence if state else 0,
        cancelled=event.is_cancelled,
        last_modified=event.last_published_at or event.latest_revision_created_at,
    )


def _vevent(item: CalendarItem, *, stamp: dt.datetime) -> Event:
    vevent = Event()
    vevent.add("uid", item.uid)
    modified = (item.last_modified or stamp).astimezone(dt.UTC)
    # DTSTAMP follows the last change, so an unchanged feed keeps its ETag.
    vevent.add("dtstamp", modified)
    vevent.add("last-modified", modified)
    vevent.add("dtstart", item.start.astimezone(dt.UTC))
    if item.end is not None:
        vevent.add("dtend", item.end.astimezone(dt.UTC))
    summary = item.title
    if item.cancelled:
        # Some clients ignore STATUS:CANCELLED; the prefix tells their users anyway.
        prefix = _("[CANCELLED]")
        summary = f"{prefix} {summary}"
    vevent.add("summary", summary)
    if item.description:
        vevent.add("description", item.description)
    if item.url:
        vevent.add("url", item.url)
    if item.location:
        vevent.add("location", item.location)
    if item.kind:
        vevent.add("categories", [item.kind])
    vevent.add("sequence", item.sequence)
    vevent.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
    vevent.add("transp", "OPAQUE")
    return vevent


def calendar_build(items: Iterable[CalendarItem], *, name: str, description: str = "") -> bytes:
    """A complete VCALENDAR (METHOD:PUBLISH) with one VEVENT per item, as bytes."""
    now = timezone.now()
    with translation.override(settings.LANGUAGE_CODE):
        calendar = Calendar()
        calendar.add("prodid", f"-//{settings.WAGTAIL_SITE_NAME}//ibc-portal//RU")
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("method", "PUBLISH")
        calendar.add("name", name)
        calendar.add("x-wr-calname", name)
        if description:
            calendar.add("x-wr-caldesc", description)
        calendar.add("x-wr-timezone", settings.TIME_ZONE)
        calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", "PT1H")
        for item in sorted(items, key=lambda i: (i.start, i.uid)):
            calendar.add_component(_vevent(item, stamp=now))
        return calendar.to_ical()


def feed_events(queryset, *, now: dt.datetime | None = None):
    """Published events worth a place in a feed: the last 90 days and the future;
    cancelled ones for 30 days after their change."""
    now = now or timezone.now()
    events = queryset.filter(end__gte=now - PAST_WINDOW).select_related("calendar_state")
    return [
        event
        for event in events
        if not event.is_cancelled
        or _cancelled_since(event) is None
        or _cancelled_since(event) >= now - CANCELLED_KEPT
    ]


def _cancelled_since(event: EventPage) -> dt.datetime | None:
    state = getattr(event, "calendar_state", None)
    return state.changed_at if state else None


def event_calendar_bytes(event: EventPage, *, participant: bool = True) -> bytes:
    with translation.override(settings.LANGUAGE_CODE):
        item = event_calendar_item(event, participant=participant)
    return calendar_build([item], name=event.title)


def calendar_response(request, body: bytes, *, filename: str, attachment: bool = False):
    """Serve iCalendar with an ETag (clients poll; unchanged feeds cost a 304)."""
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    if etag in {tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")}:
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type=CONTENT_TYPE)
        disposition = "attachment" if attachment else "inline"
        response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["ETag"] = etag
    response["Cache-Control"] = "private, max-age=300"
    return response

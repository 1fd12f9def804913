"""Reads for events: listings, a month grid, a person's registrations, feed tokens, stats."""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import hmac
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from core.plugins import CalendarItem
from lms.models import (
    CalendarFeedToken,
    EventAudience,
    EventIndexPage,
    EventPage,
    EventRegistration,
    RegistrationStatus,
    SeminarConnection,
)

REGISTERED = Q(registrations__status=RegistrationStatus.REGISTERED)
WAITLISTED = Q(registrations__status=RegistrationStatus.WAITLISTED)


def events_published() -> QuerySet[EventPage]:
    return EventPage.objects.live().public()


def with_counts(queryset: QuerySet[EventPage]) -> QuerySet[EventPage]:
    return queryset.annotate(
        registered_count=Count("registrations", filter=REGISTERED, distinct=True),
        waitlisted_count=Count("registrations", filter=WAITLISTED, distinct=True),
    )


@dataclass(frozen=True)
class EventFilters:
    when: str = "upcoming"  # "upcoming" or "past"
    kind: str = ""
    format: str = ""
    audience: str = ""
    query: str = ""


def event_listing(
    *, index: EventIndexPage | None, filters: EventFilters, now: dt.datetime | None = None
) -> QuerySet[EventPage]:
    now = now or timezone.now()
    events = events_published()
    if index is not None:
        events = events.child_of(index)
    if filters.when == "past":
        events = events.filter(end__lte=now).order_by("-start")
    else:
        events = events.filter(end__gt=now).order_by("start")
    for field in ("kind", "format", "audience"):
        value = getattr(filters, field)
        if value:
            events = events.filter(**{field: value})
    if filters.query:
        matches = EventPage.objects.live().search(filters.query, operator="and")
        events = events.filter(pk__in=[page.pk for page in matches])
    return with_counts(events)


def events_upcoming(*, limit: int = 4, now: dt.datetime | None = None) -> list[EventPage]:
    now = now or timezone.now()
    return list(
        events_published().filter(end__gt=now, is_cancelled=False).order_by("start")[:limit]
    )


def upcoming_event_items(request, *, audience: str = "", limit: int = 5) -> list[CalendarItem]:
    """Registry provider: public upcoming events, those for ``audience`` or for everyone."""
    from lms.ical import event_calendar_item

    events = (
        events_published()
        .filter(end__gt=timezone.now(), is_cancelled=False)
        .select_related("calendar_state")
        .order_by("start")
    )
    if audience:
        events = events.filter(audience__in=[audience, EventAudience.ALL])
    return [
        event_calendar_item(event, state=getattr(event, "calendar_state", None), participant=False)
        for event in events[:limit]
    ]


@dataclass(frozen=True)
class MonthDay:
    date: dt.date
    in_month: bool
    is_today: bool
    events: tuple[EventPage, ...]


def event_month(
    *, index: EventIndexPage | None, year: int, month: int, today: dt.date | None = None
) -> list[list[MonthDay]]:
    """Weeks (Monday first) of the month, each day with the events that start on it."""
    today = today or timezone.localdate()
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    zone = timezone.get_current_timezone()
    first = dt.datetime.combine(weeks[0][0], dt.time.min, tzinfo=zone)
    last = dt.datetime.combine(weeks[-1][-1], dt.time.max, tzinfo=zone)
    events = events_published().filter(start__gte=first, start__lte=last).order_by("start")
    if index is not None:
        events = events.child_of(index)
    by_day: dict[dt.date, list[EventPage]] = defaultdict(list)
    for event in events:
        by_day[timezone.localtime(event.start).date()].append(event)
    return [
        [
            MonthDay(
                date=day,
                in_month=day.month == month,
                is_today=day == today,
                events=tuple(by_day.get(day, ())),
            )
            for day in week
        ]
        for week in weeks
    ]


def event_counts(event: EventPage) -> dict[str, int]:
    counts = EventRegistration.objects.filter(event=event).aggregate(
        registered=Count("pk", filter=Q(status=RegistrationStatus.REGISTERED)),
        waitlisted=Count("pk", filter=Q(status=RegistrationStatus.WAITLISTED)),
        checked_in=Count(
            "pk", filter=Q(status=RegistrationStatus.REGISTERED, checked_in_at__isnull=False)
        ),
    )
    return counts


def event_registration_for(event: EventPage, user) -> EventRegistration | None:
    if not user.is_authenticated:
        return None
    return (
        EventRegistration.objects.filter(event=event, user=user)
        .exclude(status=RegistrationStatus.CANCELLED)
        .first()
    )


def event_registrations(event: EventPage, *, status: str = "") -> QuerySet[EventRegistration]:
    registrations = EventRegistration.objects.filter(event=event).select_related("user")
    if status:
        registrations = registrations.filter(status=status)
    return registrations.order_by("status", "queued_at", "pk")


def user_registrations(
    user, *, upcoming: bool = True, now: dt.datetime | None = None
) -> QuerySet[EventRegistration]:
    now = now or timezone.now()
    registrations = (
        EventRegistration.objects.filter(user=user, event__live=True)
        .exclude(status=RegistrationStatus.CANCELLED)
        .select_related("event")
    )
    if upcoming:
        return registrations.filter(event__end__gt=now).order_by("event__start")
    return registrations.filter(event__end__lte=now).order_by("-event__start")


def user_calendar_items(user, start: dt.datetime, end: dt.datetime) -> list[CalendarItem]:
    """Calendar provider: the events the user holds a place at (or waits for)."""
    from lms.ical import event_calendar_item

    registrations = (
        EventRegistration.objects.filter(
            user=user, event__live=True, event__end__gte=start, event__start__lte=end
        )
        .exclude(status=RegistrationStatus.CANCELLED)
        .select_related("event", "event__calendar_state")
    )
    items = []
    for registration in registrations:
        event = registration.event
        state = getattr(event, "calendar_state", None)
        participant = registration.status == RegistrationStatus.REGISTERED
        items.append(event_calendar_item(event, state=state, participant=participant))
    return items


def calendar_token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def calendar_token_user(raw: str):
    """The owner of a private-feed token, or ``None``. Only hashes are stored and compared."""
    if not raw or len(raw) > 200:
        return None
    digest = calendar_token_hash(raw)
    token = (
        CalendarFeedToken.objects.select_related("user")
        .filter(token_hash=digest, user__is_active=True)
        .first()
    )
    if token is None or not hmac.compare_digest(token.token_hash, digest):
        return None
    return token.user


CHART_BAR_MAX = 80  # SVG units: the tallest bar of the dashboard chart


@dataclass(frozen=True)
class MonthStat:
    month: dt.date
    events: int
    registrations: int
    bar_height: int = 0

    @property
    def bar_y(self) -> int:
        return 100 - self.bar_height

    @property
    def label_y(self) -> int:
        return self.bar_y - 4


def events_dashboard_stats(*, months: int = 6, now: dt.datetime | None = None) -> dict:
    """Events per month, registrations and attendance over the last ``months`` months
    and the coming three (for the head of department)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    first = (today.replace(day=1) - dt.timedelta(days=31 * (months - 1))).replace(day=1)
    until = (today.replace(day=1) + dt.timedelta(days=31 * 3)).replace(day=1)
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(first, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(until, dt.time.min, tzinfo=zone)
    events = events_published().filter(start__gte=start, start__lt=end)
    per_month = {
        row["month"].date() if isinstance(row["month"], dt.datetime) else row["month"]: row
        for row in events.annotate(month=TruncMonth("start", tzinfo=zone))
        .values("month")
        .annotate(
            events=Count("pk", distinct=True),
            registrations=Count("registrations", filter=REGISTERED),
        )
        .order_by("month")
    }
    series = []
    cursor = first
    while cursor < until:
        row = per_month.get(cursor, {})
        series.append(
            MonthStat(
                month=cursor,
                events=row.get("events", 0),
                registrations=row.get("registrations", 0),
            )
        )
        cursor = (cursor + dt.timedelta(days=32)).replace(day=1)
    # Came: checked in at the door, or entered the online room of the event.
    in_room = SeminarConnection.objects.filter(
        event_id=OuterRef("event_id"), user_id=OuterRef("user_id")
    )
    past = (
        EventRegistration.objects.filter(
            status=RegistrationStatus.REGISTERED,
            event__live=True,
            event__end__lte=now,
            event__start__gte=start,
        )
        .annotate(came=Q(checked_in_at__isnull=False) | Exists(in_room))
        .aggregate(total=Count("pk"), attended=Count("pk", filter=Q(came=True)))
    )
    attendance = round(100 * past["attended"] / past["total"]) if past["total"] else None
    top = max((s.events for s in series), default=0) or 1
    series = [
        MonthStat(
            month=s.month,
            events=s.events,
            registrations=s.registrations,
            bar_height=round(CHART_BAR_MAX * s.events / top),
        )
        for s in series
    ]
    return {
        "series": series,
        "chart_width": 100 * len(series),
        "registrations": sum(s.registrations for s in series),
        "events": sum(s.events for s in series),
        "attendance_rate": attendance,
        "attendance_total": past["total"],
    }

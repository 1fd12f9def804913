"""Reads of the seminar room: attendance summaries and the transcript."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from core.models import User
from lms.models import (
    EventPage,
    EventRegistration,
    RegistrationStatus,
    SeminarConnection,
    SeminarMessage,
    SeminarQuestion,
)


@dataclass(frozen=True)
class AttendanceRow:
    user: User
    registered: bool
    minutes: int
    percent: float
    first_join: dt.datetime | None
    last_leave: dt.datetime | None

    def meets(self, threshold: int) -> bool:
        return self.percent >= threshold


def merge_intervals(
    intervals: list[tuple[dt.datetime, dt.datetime]], *, gap: dt.timedelta
) -> list[tuple[dt.datetime, dt.datetime]]:
    """Union of the intervals; pauses up to ``gap`` (a reconnect) count as present."""
    merged: list[list[dt.datetime]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1] + gap:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def seminar_attendance(event: EventPage, *, now: dt.datetime | None = None) -> list[AttendanceRow]:
    """Minutes and share of the event's duration each person spent in the room.

    Connections are clipped to the event's time, several tabs are counted once
    (the union of intervals), and reconnects within ``PORTAL_SEMINAR_ATTENDANCE_GAP``
    seconds are merged. A connection still open counts until now (or the end).
    """
    now = now or timezone.now()
    gap = dt.timedelta(seconds=settings.PORTAL_SEMINAR_ATTENDANCE_GAP)
    duration = (event.end - event.start).total_seconds()
    per_user: dict[int, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    seen: dict[int, tuple[dt.datetime, dt.datetime]] = {}
    for connection in SeminarConnection.objects.filter(event=event).order_by("connected_at"):
        end = connection.disconnected_at or min(now, event.end)
        first, last = seen.get(connection.user_id, (connection.connected_at, end))
        seen[connection.user_id] = (min(first, connection.connected_at), max(last, end))
        start = max(connection.connected_at, event.start)
        end = min(end, event.end)
        if end > start:
            per_user[connection.user_id].append((start, end))
    registered = set(
        EventRegistration.objects.filter(
            event=event, status=RegistrationStatus.REGISTERED
        ).values_list("user_id", flat=True)
    )
    users = User.objects.filter(pk__in=registered | set(seen)).order_by(
        "last_name", "first_name", "pk"
    )
    rows = []
    for user in users:
        merged = merge_intervals(per_user.get(user.pk, []), gap=gap)
        # Merging may bridge past the event's edges only within it; clip again.
        seconds = sum(
            (min(end, event.end) - max(start, event.start)).total_seconds() for start, end in merged
        )
        first, last = seen.get(user.pk, (None, None))
        rows.append(
            AttendanceRow(
                user=user,
                registered=user.pk in registered,
                minutes=round(seconds / 60),
                percent=round(100 * seconds / duration, 1) if duration else 0.0,
                first_join=first,
                last_leave=last,
            )
        )
    return rows


def seminar_attendance_of(event: EventPage, user: User) -> AttendanceRow | None:
    """One person's row (the certificates use it for сертификат участника)."""
    return next((row for row in seminar_attendance(event) if row.user.pk == user.pk), None)


def seminar_transcript(event: EventPage) -> dict:
    messages = (
        SeminarMessage.objects.filter(event=event, deleted_at__isnull=True)
        .select_related("author")
        .order_by("seq")
    )
    questions = (
        SeminarQuestion.objects.filter(event=event, answered_at__isnull=False)
        .select_related("author")
        .order_by("answered_at")
    )
    return {"messages": list(messages), "questions": list(questions)}

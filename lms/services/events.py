"""Writes for events: registration, waiting list, check-in, schedule changes, reminders."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from core.models import ConsentPurpose, User
from core.services.audit import audit_log
from core.services.consent import ConsentUnavailable, consent_grant, consent_is_active
from core.services.notifications import notification_send
from lms.models import (
    EventCalendarState,
    EventPage,
    EventRegistration,
    EventReminder,
    RegistrationStatus,
    ReminderKind,
)

logger = logging.getLogger(__name__)

REMINDER_LEAD_TIMES: dict[str, tuple[dt.timedelta, dt.timedelta]] = {
    # kind: (send from this long before the start, until this long before the start)
    ReminderKind.DAY: (dt.timedelta(hours=24), dt.timedelta(hours=1)),
    ReminderKind.HOUR: (dt.timedelta(hours=1), dt.timedelta(0)),
}


class RegistrationRefused(Exception):
    """The registration cannot be made; ``message`` is shown to the user as is."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


def _local(value: dt.datetime) -> str:
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


def _lock_event(event_id: int) -> EventPage:
    """The event row is the lock that serialises its registrations (capacity, queue)."""
    return EventPage.objects.select_for_update(of=("self",)).get(pk=event_id)


def event_registration_refusal(
    event: EventPage, *, now: dt.datetime | None = None
) -> RegistrationRefused | None:
    """Why nobody can register for ``event`` right now, or ``None`` if they can."""
    now = now or timezone.now()
    if event.is_cancelled:
        return RegistrationRefused(_("The event has been cancelled."), code="cancelled")
    if event.is_past(now):
        return RegistrationRefused(_("The event has already taken place."), code="past")
    if event.registration_opens and now < event.registration_opens:
        return RegistrationRefused(
            _("Registration opens on %(date)s.") % {"date": _local(event.registration_opens)},
            code="not_open",
        )
    if now >= event.registration_deadline():
        return RegistrationRefused(_("Registration for this event is closed."), code="closed")
    return None


def _registered_count(event: EventPage) -> int:
    return EventRegistration.objects.filter(
        event=event, status=RegistrationStatus.REGISTERED
    ).count()


@transaction.atomic
def event_register(
    *, event_id: int, user: User, consent_given: bool = False, request=None
) -> EventRegistration:
    """Register ``user`` for the event, or put them on its waiting list when it is full.

    A repeated call (double click, second tab) returns the existing registration.
    """
    event = _lock_event(event_id)
    existing = EventRegistration.objects.filter(event=event, user=user).first()
    if existing is not None and existing.status != RegistrationStatus.CANCELLED:
        return existing
    refusal = event_registration_refusal(event)
    if refusal is not None:
        raise refusal
    if not consent_is_active(user=user, purpose=ConsentPurpose.PERSONAL_DATA):
        if not consent_given:
            raise RegistrationRefused(
                _("Please agree to the processing of your personal data to register."),
                code="consent",
            )
        try:
            consent_grant(user=user, purpose=ConsentPurpose.PERSONAL_DATA, request=request)
        except ConsentUnavailable as exc:
            raise RegistrationRefused(
                _("Registration is unavailable: the consent text has not been published yet."),
                code="consent",
            ) from exc

    if event.capacity is None or _registered_count(event) < event.capacity:
        status = RegistrationStatus.REGISTERED
    elif event.waitlist_enabled:
        status = RegistrationStatus.WAITLISTED
    else:
        raise RegistrationRefused(_("There are no places left."), code="full")

    now = timezone.now()
    if existing is not None:
        registration = existing
        registration.status = status
        registration.queued_at = now
        registration.status_changed_at = now
        registration.checked_in_at = None
        registration.confirmation_sent_at = None
        registration.save(
            update_fields=[
                "status",
                "queued_at",
                "status_changed_at",
                "checked_in_at",
                "confirmation_sent_at",
            ]
        )
    else:
        registration = EventRegistration.objects.create(
            event=event, user=user, status=status, queued_at=now, status_changed_at=now
        )
    audit_log(
        action="event.register",
        actor=user,
        target=registration,
        data={"event": event.pk, "status": status},
        request=request,
    )
    if status == RegistrationStatus.REGISTERED:
        _on_place_taken(registration, promoted=False)
    else:
        notification_send(
            recipient=user,
            kind="events.registration",
            title=_("You are on the waiting list: %(event)s") % {"event": event.title},
            body=_(
                "The event is full. You are number %(position)d in the queue; we will let you "
                "know as soon as a place becomes free."
            )
            % {"position": waitlist_position(registration)},
            url=event.url or "",
        )
    return registration


def waitlist_position(registration: EventRegistration) -> int:
    """1-based place in the event's queue (0 if not waiting)."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return 0
    ahead = EventRegistration.objects.filter(
        Q(queued_at__lt=registration.queued_at)
        | Q(queued_at=registration.queued_at, pk__lt=registration.pk),
        event_id=registration.event_id,
        status=RegistrationStatus.WAITLISTED,
    )
    return ahead.count() + 1


def _on_place_taken(registration: EventRegistration, *, promoted: bool) -> None:
    """Tell the participant they have a place; the confirmation email carries the .ics."""
    from lms.tasks import event_registration_confirm

    event = registration.event
    if promoted:
        title = _("A place became free — you are registered: %(event)s") % {"event": event.title}
    else:
        title = _("You are registered: %(event)s") % {"event": event.title}
    notification_send(
        recipient=registration.user,
        kind="events.registration",
        title=title,
        body=_("Starts on %(date)s.") % {"date": _local(event.start)},
        url=event.url or "",
        email=False,
    )
    registration_id = registration.pk
    transaction.on_commit(lambda: event_registration_confirm.enqueue(registration_id))


def _waitlist_promote(event: EventPage) -> list[EventRegistration]:
    """Fill free places from the queue, first come first served. Caller holds the event lock."""
    if event.capacity is None:
        free = None
    else:
        free = event.capacity - _registered_count(event)
        if free <= 0:
            return []
    queue = EventRegistration.objects.filter(
        event=event, status=RegistrationStatus.WAITLISTED
    ).select_related("user", "event")
    promoted = list(queue.order_by("queued_at", "pk")[:free] if free is not None else queue)
    now = timezone.now()
    for registration in promoted:
        registration.status = RegistrationStatus.REGISTERED
        registration.status_changed_at = now
        registration.save(update_fields=["status", "status_changed_at"])
        audit_log(action="event.promote", target=registration, data={"event": event.pk})
        _on_place_taken(registration, promoted=True)
    return promoted


@transaction.atomic
def event_registration_cancel(*, event_id: int, user: User, request=None) -> EventRegistration:
    """Give up a place (or leave the queue); the next person in line gets the place."""
    event = _lock_event(event_id)
    registration = (
        EventRegistration.objects.filter(event=event, user=user)
        .exclude(status=RegistrationStatus.CANCELLED)
        .first()
    )
    if registration is None:
        raise RegistrationRefused(
            _("You are not registered for this event."), code="not_registered"
        )
    if event.is_past():
        raise RegistrationRefused(_("The event has already taken place."), code="past")
    held_place = registration.status == RegistrationStatus.REGISTERED
    registration.status = RegistrationStatus.CANCELLED
    registration.status_changed_at = timezone.now()
    registration.checked_in_at = None
    registration.save(update_fields=["status", "status_changed_at", "checked_in_at"])
    audit_log(action="event.cancel", actor=user, target=registration, request=request)
    notification_send(
        recipient=user,
        kind="events.registration",
        title=_("Registration cancelled: %(event)s") % {"event": event.title},
        url=event.url or "",
        email=False,
    )
    if held_place:
        _waitlist_promote(event)
    return registration


@transaction.atomic
def event_checkin(
    *, event_id: int, registration_id: int, actor: User, undo: bool = False, request=None
) -> EventRegistration:
    """Mark that a registered participant came to an in-person event."""
    registration = (
        EventRegistration.objects.select_for_update()
        .filter(pk=registration_id, event_id=event_id, status=RegistrationStatus.REGISTERED)
        .first()
    )
    if registration is None:
        raise RegistrationRefused(_("No such registration."), code="not_found")
    registration.checked_in_at = None if undo else (registration.checked_in_at or timezone.now())
    registration.save(update_fields=["checked_in_at"])
    audit_log(
        action="event.checkin_undo" if undo else "event.checkin",
        actor=actor,
        target=registration,
        request=request,
    )
    return registration


def _schedule_snapshot(event: EventPage) -> dict:
    return {
        "start": event.start.isoformat(),
        "end": event.end.isoformat(),
        "location": event.location,
        "online_url": event.online_url,
        "cancelled": event.is_cancelled,
    }


@transaction.atomic
def event_schedule_sync(*, event: EventPage) -> EventCalendarState:
    """Called when an event is published: bump the calendar SEQUENCE when time, place or
    status changed, tell everyone registered, and give new places to the queue."""
    event = _lock_event(event.pk)
    snapshot = _schedule_snapshot(event)
    state, created = EventCalendarState.objects.select_for_update().get_or_create(
        event=event, defaults={"snapshot": snapshot}
    )
    if created:
        transaction.on_commit(lambda: event_reminders_schedule_for(event.pk))
    elif state.snapshot != snapshot:
        previous = state.snapshot
        state.sequence += 1
        state.snapshot = snapshot
        state.changed_at = timezone.now()
        state.save()
        _notify_schedule_change(event, previous, snapshot)
        transaction.on_commit(lambda: event_reminders_schedule_for(event.pk))
    if not event.is_cancelled and not event.is_past():
        _waitlist_promote(event)
    return state


def event_reminders_schedule_for(event_id: int) -> None:
    from lms.tasks import event_reminders_schedule

    event = EventPage.objects.filter(pk=event_id).first()
    if event is not None:
        event_reminders_schedule(event)


def _notify_schedule_change(event: EventPage, previous: dict, current: dict) -> None:
    if current["cancelled"] and not previous.get("cancelled"):
        title = _("Event cancelled: %(event)s") % {"event": event.title}
        body = event.cancellation_note
    elif (current["start"], current["end"]) != (previous.get("start"), previous.get("end")):
        title = _("New time: %(event)s") % {"event": event.title}
        body = _("The event now starts on %(date)s.") % {"date": _local(event.start)}
    elif current["cancelled"] == previous.get("cancelled"):
        title = _("Change of place: %(event)s") % {"event": event.title}
        body = event.location or _("The link to the online room has changed.")
    else:
        title = _("The event will take place after all: %(event)s") % {"event": event.title}
        body = _("Starts on %(date)s.") % {"date": _local(event.start)}
    recipients = (
        EventRegistration.objects.filter(event=event)
        .exclude(status=RegistrationStatus.CANCELLED)
        .select_related("user")
    )
    for registration in recipients:
        notification_send(
            recipient=registration.user,
            kind="events.change",
            title=title,
            body=body,
            url=event.url or "",
        )


def event_reminders_send(*, now: dt.datetime | None = None) -> int:
    """Send the 24-hour and 1-hour reminders that are due; returns how many were sent.

    Safe to run as often and as concurrently as you like: the unique row in
    ``EventReminder`` is claimed in the same transaction that queues the
    message, so each reminder goes out once.
    """
    now = now or timezone.now()
    sent = 0
    for kind, (send_from, send_until) in REMINDER_LEAD_TIMES.items():
        due = (
            EventRegistration.objects.filter(
                status=RegistrationStatus.REGISTERED,
                event__live=True,
                event__is_cancelled=False,
                event__start__gt=now + send_until,
                event__start__lte=now + send_from,
            )
            .exclude(reminders__kind=kind, reminders__event_start=F("event__start"))
            .select_related("event", "user")
            .order_by("pk")
        )
        for registration in due:
            try:
                with transaction.atomic():
                    EventReminder.objects.create(
                        registration=registration, kind=kind, event_start=registration.event.start
                    )
                    _reminder_notify(registration, kind)
            except IntegrityError:
                continue  # another run claimed it first
            sent += 1
    return sent


def _reminder_notify(registration: EventRegistration, kind: str) -> None:
    event = registration.event
    if kind == ReminderKind.DAY:
        title = _("Tomorrow: %(event)s") % {"event": event.title}
    else:
        title = _("In an hour: %(event)s") % {"event": event.title}
    where = event.location if not event.is_online else _("online, the link is on the event page")
    notification_send(
        recipient=registration.user,
        kind="events.reminder",
        title=title,
        body=_("Starts on %(date)s; %(where)s.") % {"date": _local(event.start), "where": where},
        url=event.url or "",
    )

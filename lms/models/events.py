"""Events and webinars: the programme page (content) and registrations (records).

The page is what editors write and revise; registrations, reminders and the
calendar state are records that must survive any edit of the page, so they
live in plain models and point at the page with PROTECT where losing them
would lose someone's history.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from cms.blocks import BodyBlock
from cms.models.base import BasePage
from cms.models.sections import SectionIndexPage
from lms.blocks import MaterialsBlock, ProgrammeBlock, SpeakerBlock


class EventKind(models.TextChoices):
    SEMINAR = "seminar", _("seminar")
    WEBINAR = "webinar", _("webinar")
    MASTER_CLASS = "master_class", _("master class")
    CONFERENCE = "conference", _("conference")
    ASSOCIATION_MEETING = "association_meeting", _("meeting of the methodological association")


class EventFormat(models.TextChoices):
    ONLINE = "online", _("online")
    IN_PERSON = "in_person", _("in person")
    MIXED = "mixed", _("mixed")


class EventAudience(models.TextChoices):
    ALL = "all", _("all library workers")
    SCHOOL = "school", _("school libraries")
    COLLEGE = "college", _("college libraries")


class EventIndexPage(SectionIndexPage):
    """Events and webinars (``/events/``); its feed is ``feed.ics`` below it (lms.urls)."""

    subpage_types = ["lms.EventPage"]

    class Meta:
        verbose_name = _("events and webinars")
        verbose_name_plural = _("events and webinars")

    def get_template(self, request, *args, **kwargs):
        return "lms/event_index_page.html"

    def get_context(self, request, *args, **kwargs):
        from lms.views.events import event_listing_context

        context = super().get_context(request, *args, **kwargs)
        context.update(event_listing_context(request, self))
        return context


class EventPage(RoutablePageMixin, BasePage):
    """One seminar, webinar, master class, conference or association meeting."""

    kind = models.CharField(
        _("kind"), max_length=32, choices=EventKind.choices, default=EventKind.SEMINAR
    )
    format = models.CharField(
        _("format"), max_length=16, choices=EventFormat.choices, default=EventFormat.ONLINE
    )
    audience = models.CharField(
        _("audience"), max_length=16, choices=EventAudience.choices, default=EventAudience.ALL
    )
    start = models.DateTimeField(_("starts at"), db_index=True)
    end = models.DateTimeField(_("ends at"))
    lead = models.TextField(_("annotation"), blank=True)
    location = models.CharField(
        _("place"), max_length=300, blank=True, help_text=_("Address for in-person events.")
    )
    online_url = models.URLField(
        _("online room link"),
        blank=True,
        help_text=_("Link to the video service; shown to registered participants only."),
    )
    speakers = StreamField([("speaker", SpeakerBlock())], verbose_name=_("speakers"), blank=True)
    programme = StreamField(ProgrammeBlock(), verbose_name=_("programme"), blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("description"), blank=True)
    materials = StreamField(MaterialsBlock(), verbose_name=_("materials"), blank=True)
    recording_url = models.URLField(_("recording link"), blank=True)
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Leave empty for no limit.")
    )
    waitlist_enabled = models.BooleanField(
        _("waiting list"), default=True, help_text=_("When full, new registrations join a queue.")
    )
    registration_opens = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes = models.DateTimeField(
        _("registration closes"),
        null=True,
        blank=True,
        help_text=_("Leave empty to accept registrations until the end of the event."),
    )
    issues_certificate = models.BooleanField(_("participation certificate"), default=False)
    attendance_threshold = models.PositiveSmallIntegerField(
        _("attendance threshold, %"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Share of the event's duration a participant must attend for a certificate."),
    )
    is_cancelled = models.BooleanField(_("cancelled"), default=False)
    cancellation_note = models.TextField(_("reason for cancellation"), blank=True)

    search_fields = [
        *Page.search_fields,
        index.SearchField("lead"),
        index.SearchField("body"),
        index.SearchField("programme"),
        index.SearchField("speakers"),
        index.FilterField("kind"),
        index.FilterField("format"),
        index.FilterField("audience"),
        index.FilterField("start"),
    ]
    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("kind"), FieldPanel("format"), FieldPanel("audience")]),
                FieldRowPanel([FieldPanel("start"), FieldPanel("end")]),
                FieldPanel("location"),
                FieldPanel("online_url"),
            ],
            heading=_("When and where"),
        ),
        FieldPanel("lead"),
        FieldPanel("speakers"),
        FieldPanel("programme"),
        FieldPanel("body"),
        FieldPanel("materials"),
        FieldPanel("recording_url"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("capacity"), FieldPanel("waitlist_enabled")]),
                FieldRowPanel(
                    [FieldPanel("registration_opens"), FieldPanel("registration_closes")]
                ),
                FieldRowPanel(
                    [FieldPanel("issues_certificate"), FieldPanel("attendance_threshold")]
                ),
            ],
            heading=_("Registration"),
        ),
        MultiFieldPanel(
            [FieldPanel("is_cancelled"), FieldPanel("cancellation_note")],
            heading=_("Cancellation"),
        ),
    ]
    parent_page_types = ["lms.EventIndexPage"]
    subpage_types = []
    template = "lms/event_page.html"

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="lms_event_ends_after_start"
            ),
            models.CheckConstraint(
                condition=models.Q(attendance_threshold__gte=1, attendance_threshold__lte=100),
                name="lms_event_threshold_percent",
            ),
        ]

    def clean(self):
        super().clean()
        errors = {}
        if self.start and self.end and self.end <= self.start:
            errors["end"] = _("The event must end after it starts.")
        if (
            self.registration_opens
            and self.registration_closes
            and self.registration_closes <= self.registration_opens
        ):
            errors["registration_closes"] = _("Registration must close after it opens.")
        if self.format == EventFormat.IN_PERSON and not self.location:
            errors["location"] = _("An in-person event needs a place.")
        if self.is_cancelled and not self.cancellation_note:
            errors["cancellation_note"] = _("Tell participants why the event is cancelled.")
        if errors:
            raise ValidationError(errors)

    # --- derived state -------------------------------------------------------

    @property
    def duration(self) -> dt.timedelta:
        return self.end - self.start

    @property
    def is_online(self) -> bool:
        return self.format in (EventFormat.ONLINE, EventFormat.MIXED)

    def is_past(self, now: dt.datetime | None = None) -> bool:
        return self.end <= (now or timezone.now())

    def is_live(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.start <= now < self.end

    def registration_deadline(self) -> dt.datetime:
        return self.registration_closes or self.end

    def registration_is_open(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        if self.is_cancelled or now >= self.registration_deadline():
            return False
        return self.registration_opens is None or now >= self.registration_opens

    # --- routes --------------------------------------------------------------

    @path("")
    def detail(self, request):
        from lms.views.events import event_detail

        return event_detail(request, self)

    @path("register/", name="register")
    def register(self, request):
        from lms.views.events import event_register_view

        return event_register_view(request, self)

    @path("cancel/", name="cancel")
    def cancel_registration(self, request):
        from lms.views.events import event_cancel_view

        return event_cancel_view(request, self)

    @path("registrations/", name="registrations")
    def registrations_route(self, request):
        from lms.views.events import event_registrations_view

        return event_registrations_view(request, self)

    @path("room/", name="room")
    def room_route(self, request):
        from lms.views.seminars import seminar_room_view

        return seminar_room_view(request, self)

    @path("attendance/", name="attendance")
    def attendance_route(self, request):
        from lms.views.attendance import attendance_sheet_view

        return attendance_sheet_view(request, self)

    @path("transcript/", name="transcript")
    def transcript_route(self, request):
        from lms.views.attendance import transcript_view

        return transcript_view(request, self)

    @path("registrations/<int:registration_id>/check-in/", name="checkin")
    def checkin(self, request, registration_id):
        from lms.views.events import event_checkin_view

        return event_checkin_view(request, self, registration_id)


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", _("registered")
    WAITLISTED = "waitlisted", _("on the waiting list")
    CANCELLED = "cancelled", _("cancelled")


class EventRegistration(models.Model):
    """A person's place at an event (or in its queue)."""

    event = models.ForeignKey(
        EventPage, verbose_name=_("event"), on_delete=models.PROTECT, related_name="registrations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="event_registrations",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=RegistrationStatus.choices, db_index=True
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    # When the person joined the current queue; the waiting list is served in this order.
    queued_at = models.DateTimeField(_("queued at"), default=timezone.now)
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(_("confirmation sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("event registration")
        verbose_name_plural = _("event registrations")
        ordering = ["event", "queued_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"], name="lms_registration_once_per_event"
            )
        ]
        indexes = [models.Index(fields=["event", "status", "queued_at"])]
        permissions = [("manage_registrations", _("Can see and export event registrations"))]

    def __str__(self):
        return f"{self.user} — {self.event} ({self.get_status_display()})"

    def get_absolute_url(self):
        return self.event.url


class ReminderKind(models.TextChoices):
    DAY = "24h", _("24 hours before")
    HOUR = "1h", _("1 hour before")


class EventReminder(models.Model):
    """A reminder that has been sent: the unique row is what makes sending exactly-once."""

    registration = models.ForeignKey(
        EventRegistration, on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=ReminderKind.choices)
    # The start time the reminder was about: a rescheduled event gets fresh reminders.
    event_start = models.DateTimeField(_("event start"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("event reminder")
        verbose_name_plural = _("event reminders")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "kind", "event_start"], name="lms_reminder_once"
            )
        ]

    def __str__(self):
        return f"{self.registration} — {self.kind}"


class EventCalendarState(models.Model):
    """What calendar clients last saw of an event: SEQUENCE grows on every change of
    time, place or status. Kept outside the page so that publishing an old
    revision can never roll the sequence back."""

    event = models.OneToOneField(
        EventPage, on_delete=models.CASCADE, primary_key=True, related_name="calendar_state"
    )
    sequence = models.PositiveIntegerField(_("sequence"), default=0)
    # Time, place and status as last published; a difference means a new SEQUENCE.
    snapshot = models.JSONField(_("published schedule"), default=dict)
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("event calendar state")
        verbose_name_plural = _("event calendar states")
        ordering = ["event"]

    def __str__(self):
        return f"{self.event_id}: {self.sequence}"


class CalendarFeedToken(models.Model):
    """The secret in a user's private calendar URL; only its SHA-256 is stored."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="calendar_feed_token",
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed token")
        verbose_name_plural = _("calendar feed tokens")
        ordering = ["-created_at"]

    def __str__(self):
        return str(self.user)

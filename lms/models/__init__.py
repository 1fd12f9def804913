from .events import (
    CalendarFeedToken,
    EventAudience,
    EventCalendarState,
    EventFormat,
    EventIndexPage,
    EventKind,
    EventPage,
    EventRegistration,
    EventReminder,
    RegistrationStatus,
    ReminderKind,
)
from .sections import CourseIndexPage

__all__ = [
    "CalendarFeedToken",
    "CourseIndexPage",
    "EventAudience",
    "EventCalendarState",
    "EventFormat",
    "EventIndexPage",
    "EventKind",
    "EventPage",
    "EventRegistration",
    "EventReminder",
    "RegistrationStatus",
    "ReminderKind",
]

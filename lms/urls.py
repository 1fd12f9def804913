from django.urls import include, path, re_path

from lms.views import calendar

app_name = "lms"

# Page paths as Wagtail serves them ("events/", "events/some-event/").
PAGE_PATH = r"(?P<path>(?:[\w\-]+/)+)"

urlpatterns = [
    path("", include("lms.courses.urls")),
    path("", include("lms.quizzes.urls")),
    path("", include("lms.assignments.urls")),
    path("", include("lms.certificates.urls")),
    path("cabinet/calendar/", calendar.calendar_settings, name="calendar_settings"),
    path("cabinet/calendar/<str:token>.ics", calendar.private_feed, name="private_feed"),
    re_path(rf"^{PAGE_PATH}feed\.ics$", calendar.public_feed, name="events_feed"),
    re_path(rf"^{PAGE_PATH}event\.ics$", calendar.event_ics, name="event_ics"),
]

"""The learner's «My courses» in the cabinet (progress, next lesson, next deadline, a
fixed number of queries) and course deadlines in the private calendar feed."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from icalendar import Calendar

from lms.courses.models import CohortDeadline, Enrollment, EnrollmentStatus
from lms.courses.views.learning import cabinet_courses_section
from tests.lms.courses.test_access import (
    build_course,
    enroll,
    in_english,  # noqa: F401 (an autouse fixture)
    pass_quiz,
    running_cohort,
    study,
)

pytestmark = pytest.mark.django_db

SITE_URL = "https://ibc.example.org"
FEED_URL_INPUT = re.compile(r'<input id="feed-url"[^>]*value="([^"]+)"')


@pytest.fixture
def learner(make_user):
    return make_user("participant", last_name="Соколова", email="sokolova@example.org")


def deadline(cohort, page, days: int) -> CohortDeadline:
    due = (timezone.now() + dt.timedelta(days=days)).replace(second=0, microsecond=0)
    return CohortDeadline.objects.create(cohort=cohort, page=page, due_at=due)


def render_section(user) -> str:
    request = RequestFactory().get("/cabinet/")
    request.user = user
    [section] = cabinet_courses_section(request)
    return render_to_string(
        section.template, {"data": section.context, "section": section, "request": request}
    )


def test_my_courses_show_progress_the_next_lesson_and_the_next_deadline(learner):
    course = build_course((("lesson", "lesson"), ("lesson", "quiz", "assignment")))
    cohort = running_cohort(course, title="Весенний поток")
    enrollment = enroll(cohort, learner)
    study(enrollment, course.item(0, 0))
    quiz, assignment = course.item(1, 1), course.item(1, 2)
    quiz_due = deadline(cohort, quiz, days=3)
    deadline(cohort, assignment, days=10)

    html = render_section(learner)

    assert course.page.title in html and "Весенний поток" in html
    assert '<progress max="100" value="20"' in html and "20 % done" in html
    assert f'href="{course.item(0, 1).url}">{course.item(0, 1).title}</a>' in html
    assert f'href="{quiz.url}">{quiz.title}</a>' in html
    assert timezone.localtime(quiz_due.due_at).strftime('datetime="%Y-%m-%dT%H:%M') in html

    # Once the quiz is passed, the next deadline is the assignment's.
    study(enrollment, course.item(0, 1), course.item(1, 0))
    pass_quiz(enrollment, quiz)
    html = render_section(learner)
    assert f'href="{assignment.url}">{assignment.title}</a>' in html


def test_waiting_and_completed_courses_are_listed_too(learner):
    waiting = build_course(title="Курс в очереди")
    Enrollment.objects.create(
        cohort=running_cohort(waiting), user=learner, status=EnrollmentStatus.WAITLISTED
    )
    done = build_course((("lesson",),), title="Пройденный курс")
    enrollment = enroll(running_cohort(done), learner)
    enrollment.status = EnrollmentStatus.COMPLETED
    enrollment.completed_at = timezone.now()
    enrollment.save()
    withdrawn = build_course(title="Курс, который я покинула")
    Enrollment.objects.create(
        cohort=running_cohort(withdrawn), user=learner, status=EnrollmentStatus.WITHDRAWN
    )

    html = render_section(learner)

    assert "Курс в очереди" in html and "on the waiting list" in html
    assert "Пройденный курс" in html and '<progress max="100" value="100"' in html
    assert "Курс, который я покинула" not in html


def test_no_courses_yet_points_to_the_catalogue(learner):
    build_course()
    html = render_section(learner)
    assert "You are not enrolled in any course yet." in html
    assert 'href="/courses/"' in html


def _section_queries(user) -> int:
    with CaptureQueriesContext(connection) as queries:
        render_section(user)
    return len(queries)


def test_my_courses_cost_the_same_queries_for_1_and_5_courses(learner):
    def add_course():
        course = build_course(tuple(("lesson", "lesson", "quiz", "assignment") for _ in range(3)))
        cohort = running_cohort(course)
        enrollment = enroll(cohort, learner)
        study(enrollment, course.item(0, 0))
        deadline(cohort, course.item(0, 2), days=5)
        deadline(cohort, course.item(2, 3), days=20)

    add_course()
    render_section(learner)  # warm caches
    one = _section_queries(learner)
    for _number in range(4):
        add_course()
    assert _section_queries(learner) == one
    assert one <= 15


def test_the_cabinet_shows_my_courses(learner):
    course = build_course()
    enroll(running_cohort(course), learner)
    browser = Client()
    browser.force_login(learner)

    html = browser.get("/cabinet/").content.decode()

    assert 'id="cabinet-courses"' in html
    assert course.page.title in html


# --- the private calendar feed ------------------------------------------------------------


@pytest.fixture
def site_url(settings):
    settings.SITE_URL = SITE_URL


def feed_events(user) -> dict:
    browser = Client()
    browser.force_login(user)
    response = browser.post("/cabinet/calendar/", {"action": "regenerate"})
    [url] = FEED_URL_INPUT.findall(response.content.decode())
    feed = Client().get(urlsplit(url).path)
    assert feed.status_code == 200
    calendar = Calendar.from_ical(feed.content)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_course_deadlines_go_to_the_private_feed(site_url, learner, make_user):
    course = build_course((("lesson", "quiz", "assignment"),), access_mode="free")
    cohort = running_cohort(course)
    enrollment = enroll(cohort, learner)
    lesson, quiz, assignment = course.items[0]
    quiz_due = deadline(cohort, quiz, days=3)
    assignment_due = deadline(cohort, assignment, days=12)
    # Somebody else's cohort of the same course, and a cohort the learner left.
    other_cohort = running_cohort(course)
    enroll(other_cohort, make_user("participant", email="other@example.org"))
    deadline(other_cohort, quiz, days=4)
    left = running_cohort(course)
    enroll(left, learner, status=EnrollmentStatus.WITHDRAWN)
    deadline(left, quiz, days=5)

    study(enrollment, lesson)
    pass_quiz(enrollment, quiz)
    events = feed_events(learner)

    quiz_uid = f"deadline-{cohort.pk}-{quiz.pk}@ibc.example.org"
    assignment_uid = f"deadline-{cohort.pk}-{assignment.pk}@ibc.example.org"
    assert set(events) == {quiz_uid, assignment_uid}
    assert str(events[assignment_uid]["SUMMARY"]) == f"Due: {assignment.title}"
    assert events[assignment_uid]["DTSTART"].dt == assignment_due.due_at
    assert str(events[assignment_uid]["URL"]) == SITE_URL + assignment.url
    assert course.page.title in str(events[assignment_uid]["DESCRIPTION"])
    # A passed quiz stays in the calendar, marked done.
    assert str(events[quiz_uid]["SUMMARY"]) == f"✓ Due: {quiz.title}"
    assert events[quiz_uid]["DTSTART"].dt == quiz_due.due_at

"""The head of department's course report (dashboard widget) and the teachers' cabinet card."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone

from lms.assignments.plugin import cabinet_sections, dashboard_widgets, notification_kinds
from lms.assignments.selectors.report import course_report, default_period, parse_period
from lms.assignments.services import submission_create
from lms.courses.models import Enrollment, EnrollmentStatus, LessonCompletion, LessonPage
from tests.lms.courses.test_assignment_setup import (
    build_world,
    enroll,
    make_course,
    make_quiz,
    publish,
    quiz_attempt,
)

pytestmark = pytest.mark.django_db


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))


def test_parse_period_ignores_what_it_cannot_read():
    default = default_period()
    assert parse_period("2026-02-01", "2026-03-31") == (dt.date(2026, 2, 1), dt.date(2026, 3, 31))
    assert parse_period("", "") == default
    assert parse_period("31.12.2026", "бред") == default
    assert parse_period("2026-02-30", "2026-03-01") == (default[0], dt.date(2026, 3, 1))
    assert parse_period("1066-10-14", "") == default
    # A period that ends before it starts is not a period.
    assert parse_period("2026-05-01", "2026-04-01") == default


def test_the_report_counts_enrolled_active_completed_and_the_average_score(make_user):
    world = build_world(make_user)
    quiz = make_quiz(world.module)
    lesson = LessonPage(title="Урок 1. Зоны ИБЦ", slug="urok-1")
    world.module.add_child(instance=lesson)
    publish(lesson)
    start, end = dt.date(2026, 3, 1), dt.date(2026, 3, 31)
    inside, before = at(dt.date(2026, 3, 10)), at(dt.date(2026, 2, 10))

    # Got a place in March; did a lesson in March.
    Enrollment.objects.filter(pk=world.enrollment.pk).update(enrolled_at=inside)
    completion = LessonCompletion.objects.create(enrollment=world.enrollment, page=lesson)
    LessonCompletion.objects.filter(pk=completion.pk).update(completed_at=inside)
    # Enrolled in February, completed in March, took the quiz in March (80 %).
    finished = enroll(world.cohort, make_user("participant"), status=EnrollmentStatus.COMPLETED)
    Enrollment.objects.filter(pk=finished.pk).update(enrolled_at=before, completed_at=inside)
    quiz_attempt(finished, quiz, 80, submitted_at=inside)
    # Enrolled in February, handed in work in March, a quiz in February (40 % — not counted).
    worker = enroll(world.cohort, make_user("participant"))
    Enrollment.objects.filter(pk=worker.pk).update(enrolled_at=before)
    submission_create(
        user=worker.user,
        assignment=world.assignment,
        client_token="w",
        text="Ответ",
        now=inside,
    )
    quiz_attempt(worker, quiz, 40, submitted_at=before)
    # Enrolled in February and did nothing since.
    idle = enroll(world.cohort, make_user("participant"))
    Enrollment.objects.filter(pk=idle.pk).update(enrolled_at=before)
    # Another course with nothing in March does not show up... unless a cohort runs then.
    make_course(title="Информационная грамотность обучающихся")

    report = course_report(start=start, end=end)
    [row] = report.rows
    assert row.title == world.course.title
    assert (row.enrolled, row.active, row.completed) == (1, 3, 1)
    assert row.average_score == Decimal("80.0")
    assert (report.enrolled, report.active, report.completed) == (1, 3, 1)
    assert report.average_score == Decimal("80.0")
    assert row.enrolled_bar == row.completed_bar == 260


def test_the_dashboard_widget_renders_a_chart_and_a_table_for_the_head(make_user):
    world = build_world(make_user)
    head = make_user("head")
    today = timezone.localdate()
    request = RequestFactory().get(
        "/cabinet/dashboard/", {"from": (today - dt.timedelta(days=30)).isoformat(), "to": "x"}
    )
    request.user = head
    [widget] = dashboard_widgets(request)
    report = widget.context["report"]
    assert report.start == today - dt.timedelta(days=30) and report.end == today
    html = render_to_string(widget.template, {"data": widget.context}, request=request)
    assert "<svg" in html and "<table" in html
    assert world.course.title in html

    participant = RequestFactory().get("/cabinet/dashboard/")
    participant.user = world.learner
    assert list(dashboard_widgets(participant)) == []


def test_the_teaching_card_counts_work_to_review_for_teachers_only(make_user):
    world = build_world(make_user)
    submission_create(
        user=world.learner, assignment=world.assignment, client_token="t", text="Ответ"
    )
    request = RequestFactory().get("/cabinet/")
    request.user = world.teacher
    [section] = cabinet_sections(request)
    assert section.context["pending_total"] == 1
    assert section.context["cohorts"] == [(world.cohort, 1)]
    html = render_to_string(section.template, {"data": section.context}, request=request)
    assert "/gradebook/" in html and "/message/" in html

    request.user = world.learner
    assert list(cabinet_sections(request)) == []
    assert {kind.code for kind in notification_kinds()} == {
        "courses.submission_reviewed",
        "courses.cohort_message",
    }

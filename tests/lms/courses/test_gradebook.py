"""The cohort gradebook: content, filters, exports, permissions, and a constant number of
queries from 3 learners × 2 items to 200 learners × 20 items."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from core.models import User
from lms.assignments.models import Submission, SubmissionStatus
from lms.assignments.selectors.gradebook import cohort_gradebook
from lms.assignments.services import submission_create, submission_review
from lms.courses.models import Enrollment, EnrollmentStatus
from lms.quizzes.models import AttemptStatus, QuizAttempt
from tests.lms.courses.test_assignment_setup import (
    build_world,
    enroll,
    grant_cohort_management,
    make_assignment,
    make_cohort,
    make_course,
    make_module,
    make_quiz,
    quiz_attempt,
    set_deadline,
)

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(make_user):
    """A course whose module holds a quiz, then the assignment (tree order)."""
    world = build_world(make_user)
    world.quiz = make_quiz(world.module, title="Тест по модулю 1", passing_percent=70)
    # Move the quiz before the assignment in the tree: the gradebook follows the tree.
    world.quiz.move(world.assignment, pos="left")
    world.quiz.refresh_from_db()
    return world


def test_cells_show_the_best_quiz_score_and_the_latest_hand_in(world, make_user):
    quiz_attempt(world.enrollment, world.quiz, 60, number=1)
    quiz_attempt(world.enrollment, world.quiz, 85, number=2)
    first = submission_create(
        user=world.learner, assignment=world.assignment, client_token="a", text="Версия 1"
    )
    submission_review(
        submission_id=first.pk, reviewer=world.teacher, decision="return", comment="Доработать"
    )
    second = submission_create(
        user=world.learner, assignment=world.assignment, client_token="b", text="Версия 2"
    )
    submission_review(submission_id=second.pk, reviewer=world.teacher, decision="accept", points=9)

    late = make_user("participant", last_name="Белова", first_name="Ольга")
    late_enrollment = enroll(world.cohort, late)
    quiz_attempt(late_enrollment, world.quiz, 40)
    set_deadline(world.cohort, world.assignment, timezone.now() - dt.timedelta(hours=2))
    submission_create(user=late, assignment=world.assignment, client_token="c", text="Поздно")

    nobody = make_user("participant", last_name="Яковлева")
    enroll(world.cohort, nobody)
    left = make_user("participant", last_name="Ушедшая")
    enroll(world.cohort, left, status=EnrollmentStatus.WITHDRAWN)

    book = cohort_gradebook(world.cohort)
    assert [item.title for item in book.items] == [world.quiz.title, world.assignment.title]
    assert book.quiz_results
    rows = {row.enrollment.user.last_name: row.cells for row in book.rows}
    assert list(rows) == ["Белова", "Соколова", "Яковлева"]  # by name; the withdrawn left out

    quiz, work = rows["Соколова"]
    assert (quiz.state, quiz.text, quiz.attempts) == ("passed", "85 %", 2)
    assert (work.state, work.text, work.attempts) == ("accepted", "9/10", 2)
    assert work.submission_id == second.pk

    quiz, work = rows["Белова"]
    assert (quiz.state, quiz.text) == ("failed", "40 %")
    assert work.state == SubmissionStatus.SUBMITTED and work.late

    assert [cell.state for cell in rows["Яковлева"]] == ["none", "none"]
    assert [cell.text for cell in rows["Яковлева"]] == ["—", "—"]

    withdrawn = cohort_gradebook(world.cohort, status="withdrawn")
    assert [row.enrollment.user for row in withdrawn.rows] == [left]
    # Names are matched whatever the case, on SQLite too.
    found = cohort_gradebook(world.cohort, query="белова")
    assert [row.enrollment.user for row in found.rows] == [late]


def test_the_page_and_both_exports_read_back(world):
    quiz_attempt(world.enrollment, world.quiz, Decimal("84.5"))
    submission = submission_create(
        user=world.learner, assignment=world.assignment, client_token="a", text="Ответ"
    )
    submission_review(
        submission_id=submission.pk, reviewer=world.teacher, decision="accept", points=8
    )
    client = client_for(world.teacher)
    url = reverse("lms:assignments:gradebook", args=[world.cohort.pk])

    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "85 %" in html and "8/10" in html
    assert reverse("lms:assignments:review", args=[submission.pk]) in html

    response = client.get(url, {"export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    header, row = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert header[4].startswith(world.quiz.title) and header[5].startswith(world.assignment.title)
    assert row[1:] == [
        world.learner.get_full_name(),
        world.learner.email,
        Enrollment.objects.get(pk=world.enrollment.pk).get_status_display(),
        "85",
        "8",
    ]

    response = client.get(url, {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == str(world.cohort)
    assert rows[2][1] == world.learner.get_full_name()
    assert rows[2][4:6] == (85, 8)


def test_only_the_cohorts_teachers_and_methodists_see_it(world, make_user):
    url = reverse("lms:assignments:gradebook", args=[world.cohort.pk])
    other_teacher = make_user("participant")
    make_cohort(world.course).teachers.add(other_teacher)
    for user in (world.learner, other_teacher):
        assert client_for(user).get(url).status_code == 404
        assert client_for(user).get(url, {"export": "csv"}).status_code == 404
    assert (
        client_for(world.teacher)
        .get(reverse("lms:assignments:gradebook", args=[999_999]))
        .status_code
        == 404
    )
    methodist = grant_cohort_management(make_user("methodist"))
    assert client_for(methodist).get(url).status_code == 200


# --- a constant number of queries ------------------------------------------------------------


def build_cohort(teacher, *, learners: int, quizzes: int, assignments: int, tag: str):
    """A course with ``quizzes`` + ``assignments`` items and a cohort of ``learners``, every
    learner with a closed attempt at every quiz and a hand-in for every assignment (half of
    them accepted) — written in bulk, as the services would leave them."""
    course = make_course()
    module = make_module(course)
    quiz_pages = [make_quiz(module) for _ in range(quizzes)]
    assignment_pages = [make_assignment(module) for _ in range(assignments)]
    cohort = make_cohort(course)
    cohort.teachers.add(teacher)
    users = User.objects.bulk_create(
        User(
            email=f"{tag}-{number}@example.org",
            last_name=f"Учащаяся {number:03d}",
            first_name="Мария",
            password="!",
        )
        for number in range(learners)
    )
    now = timezone.now()
    enrollments = Enrollment.objects.bulk_create(
        Enrollment(cohort=cohort, user=user, status=EnrollmentStatus.ENROLLED, enrolled_at=now)
        for user in users
    )
    QuizAttempt.objects.bulk_create(
        QuizAttempt(
            enrollment=enrollment,
            quiz=quiz,
            number=1,
            status=AttemptStatus.SUBMITTED,
            started_at=now,
            submitted_at=now,
            seed=1,
            max_score=Decimal(10),
            score=Decimal(8),
            percent=Decimal(80),
            passed=True,
        )
        for enrollment in enrollments
        for quiz in quiz_pages
    )
    Submission.objects.bulk_create(
        Submission(
            enrollment=enrollment,
            assignment=assignment,
            number=1,
            text="Ответ",
            submitted_at=now,
            status=SubmissionStatus.ACCEPTED if index % 2 else SubmissionStatus.SUBMITTED,
            points=7 if index % 2 else None,
            client_token=f"{tag}-{enrollment.pk}-{assignment.pk}",
        )
        for index, enrollment in enumerate(enrollments)
        for assignment in assignment_pages
    )
    return cohort


def queries_for(client, url) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


def test_the_gradebook_costs_the_same_queries_for_3x2_60x8_and_200x20(
    make_user, django_assert_max_num_queries
):
    teacher = make_user("participant", last_name="Петрова")
    client = client_for(teacher)
    small = build_cohort(teacher, learners=3, quizzes=1, assignments=1, tag="s")
    middle = build_cohort(teacher, learners=60, quizzes=4, assignments=4, tag="m")
    large = build_cohort(teacher, learners=200, quizzes=10, assignments=10, tag="l")

    def url(cohort):
        return reverse("lms:assignments:gradebook", args=[cohort.pk])

    queries_for(client, url(small))  # warms the per-process caches (content types, site)
    few, response = queries_for(client, url(small))
    assert len(response.context["book"].rows) == 3
    assert len(response.context["book"].items) == 2

    with django_assert_max_num_queries(few):
        response = client.get(url(middle))
    assert len(response.context["book"].rows) == 60
    assert len(response.context["book"].items) == 8

    with django_assert_max_num_queries(few):
        response = client.get(url(large))
    book = response.context["book"]
    assert (len(book.rows), len(book.items)) == (200, 20)
    assert {cell.text for cell in book.rows[1].cells} == {"80 %", "7/10"}

    with django_assert_max_num_queries(few):
        response = client.get(url(large), {"export": "xlsx"})
    assert response.status_code == 200

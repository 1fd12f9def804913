"""Progress and completion: lessons marked as studied, the course's completion rule,
completion recorded the moment its last condition is met (once), and the
``reconcile_completions`` command."""

from __future__ import annotations

import datetime as dt
import io
import threading

import pytest
from django.core.management import call_command
from django.db import connections
from django.test import Client
from django.utils import timezone

from core.models import Notification
from lms.courses.models import Enrollment, EnrollmentStatus, LessonCompletion
from lms.courses.selectors.progress import course_outline, course_progress
from lms.courses.services.progress import ProgressRefused, completion_check, lesson_complete
from lms.courses.signals import course_completed
from tests.conftest import STRICT, need, postgres_available
from tests.lms.courses.test_access import (
    accept_assignment,
    build_course,
    enroll,
    in_english,  # noqa: F401 (an autouse fixture)
    pass_quiz,
    running_cohort,
    study,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def learner(make_user):
    return make_user("participant", last_name="Соколова", email="sokolova@example.org")


@pytest.fixture
def teacher(make_user):
    return make_user("participant", last_name="Петрова")


@pytest.fixture
def completions():
    """Enrollments the ``course_completed`` signal was sent for."""
    sent = []

    def receiver(sender, enrollment, **kwargs):
        sent.append(enrollment.pk)

    course_completed.connect(receiver, dispatch_uid="test-progress-completions")
    yield sent
    course_completed.disconnect(dispatch_uid="test-progress-completions")


# --- lessons ------------------------------------------------------------------------------


def test_marking_a_lesson_twice_keeps_one_record(learner):
    course = build_course((("lesson", "lesson"),), access_mode="free")
    enrollment = enroll(running_cohort(course), learner)
    lesson = course.item(0, 0)

    first = lesson_complete(enrollment=enrollment, lesson=lesson)
    again = lesson_complete(enrollment=enrollment, lesson=lesson)

    assert first.pk == again.pk
    assert LessonCompletion.objects.filter(enrollment=enrollment).count() == 1


def test_a_locked_lesson_cannot_be_marked(learner):
    course = build_course((("lesson", "lesson"),), access_mode="sequential")
    enrollment = enroll(running_cohort(course), learner)

    with pytest.raises(ProgressRefused) as refusal:
        lesson_complete(enrollment=enrollment, lesson=course.item(0, 1))
    assert refusal.value.code == "locked"
    assert not LessonCompletion.objects.exists()


def test_after_the_cohort_ends_lessons_are_no_longer_marked(learner):
    course = build_course((("lesson",),), access_mode="free")
    today = timezone.localdate()
    cohort = running_cohort(
        course, starts_on=today - dt.timedelta(days=20), ends_on=today - dt.timedelta(days=1)
    )
    enrollment = enroll(cohort, learner)

    with pytest.raises(ProgressRefused):
        lesson_complete(enrollment=enrollment, lesson=course.item(0, 0))


def test_progress_counts_required_items_of_the_rule_per_module_and_course(learner):
    course = build_course(
        (("lesson", "optional", "lesson"), ("lesson", "quiz", "assignment")),
        access_mode="free",
        require_assignments=False,
    )
    enrollment = enroll(running_cohort(course), learner)
    study(enrollment, course.item(0, 0), course.item(0, 1))

    progress = course_progress(enrollment)
    # Module 1: two required lessons (the optional one does not count), one done.
    assert (progress.modules[0].done, progress.modules[0].total) == (1, 2)
    assert progress.modules[0].percent == 50
    # Module 2: a lesson and a quiz count; the assignment is not in the rule.
    assert (progress.modules[1].done, progress.modules[1].total) == (0, 2)
    assert (progress.done, progress.total, progress.percent) == (1, 4, 25)


def test_percent_is_rounded_down_so_100_means_done(learner):
    course = build_course((("lesson", "lesson", "lesson"),), access_mode="free")
    enrollment = enroll(running_cohort(course), learner)
    study(enrollment, course.item(0, 0), course.item(0, 1))
    assert course_progress(enrollment).percent == 66


# --- the completion rule ----------------------------------------------------------------


def test_lessons_rule_completes_on_the_last_lesson_once(
    learner, completions, mailoutbox, django_capture_on_commit_callbacks
):
    course = build_course(
        (("lesson", "optional", "lesson"),),
        access_mode="free",
        require_quizzes=False,
        require_assignments=False,
    )
    enrollment = enroll(running_cohort(course), learner)
    first, _optional, last = course.items[0]

    with django_capture_on_commit_callbacks(execute=True):
        lesson_complete(enrollment=enrollment, lesson=first)
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.ENROLLED and completions == []

    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        lesson_complete(enrollment=enrollment, lesson=last)
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.COMPLETED
    assert before <= enrollment.completed_at <= timezone.now()
    assert completions == [enrollment.pk]
    assert course_outline(enrollment).percent == 100

    # Checking again (another service, the reconcile command) changes nothing.
    with django_capture_on_commit_callbacks(execute=True):
        assert completion_check(enrollment=enrollment) is True
    assert completions == [enrollment.pk]
    notes = Notification.objects.filter(recipient=learner, kind="courses.completed")
    assert notes.count() == 1
    assert course.page.title in notes.get().title
    assert [m.to for m in mailoutbox] == [[learner.email]]


def test_quiz_rule_completes_when_the_quiz_is_passed(learner, completions):
    course = build_course(
        (("lesson", "quiz"),), access_mode="sequential", require_assignments=False
    )
    enrollment = enroll(running_cohort(course), learner)
    lesson, quiz = course.items[0]
    study(enrollment, lesson)
    assert completion_check(enrollment=enrollment) is False

    attempt = pass_quiz(enrollment, quiz)

    assert attempt.passed
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.COMPLETED
    assert enrollment.completed_at >= attempt.submitted_at


def test_assignment_rule_waits_for_acceptance(learner, teacher):
    from lms.assignments.services import submission_create, submission_review

    course = build_course((("lesson", "assignment"),), access_mode="free")
    enrollment = enroll(running_cohort(course), learner)
    lesson, assignment = course.items[0]
    study(enrollment, lesson)
    enrollment.cohort.teachers.add(teacher)

    submission = submission_create(
        user=learner, assignment=assignment, client_token="first", text="Черновик программы."
    )
    submission_review(
        submission_id=submission.pk,
        reviewer=teacher,
        decision="return",
        comment="Добавьте показатели эффективности.",
    )
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.ENROLLED

    accept_assignment(enrollment, assignment, teacher)
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.COMPLETED


def test_every_condition_of_the_rule_is_needed(learner, teacher):
    course = build_course((("lesson", "quiz", "assignment"),), access_mode="free")
    enrollment = enroll(running_cohort(course), learner)
    lesson, quiz, assignment = course.items[0]

    accept_assignment(enrollment, assignment, teacher)
    pass_quiz(enrollment, quiz)
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.ENROLLED  # the lesson is still missing

    lesson_complete(enrollment=enrollment, lesson=lesson)
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.COMPLETED


def test_a_course_with_nothing_to_do_is_not_completed_by_itself(learner):
    course = build_course((("optional",),), access_mode="free")
    enrollment = enroll(running_cohort(course), learner)
    assert completion_check(enrollment=enrollment) is False
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.ENROLLED


@pytest.mark.parametrize("status", [EnrollmentStatus.WAITLISTED, EnrollmentStatus.WITHDRAWN])
def test_only_a_studying_enrollment_is_completed(learner, status):
    course = build_course((("lesson",),), access_mode="free", require_quizzes=False)
    enrollment = enroll(running_cohort(course), learner)
    study(enrollment, course.item(0, 0))
    enrollment.status = status
    enrollment.save()
    assert completion_check(enrollment=enrollment) is False


# --- «mark as studied» in the browser -------------------------------------------------------


def test_mark_as_studied_is_a_post_with_csrf_and_a_repeat_changes_nothing(learner):
    course = build_course((("lesson", "lesson"),), access_mode="sequential")
    enrollment = enroll(running_cohort(course), learner)
    lesson = course.item(0, 0)
    url = lesson.url + "complete/"
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(learner)

    assert browser.get(url).status_code == 405
    assert browser.post(url).status_code == 403  # no CSRF token
    page = browser.get(lesson.url)
    token = page.context["csrf_token"]
    for _attempt in range(2):
        response = browser.post(url, {"csrfmiddlewaretoken": str(token)})
        assert response.status_code == 302 and response["Location"] == lesson.url
    assert LessonCompletion.objects.filter(enrollment=enrollment).count() == 1
    html = browser.get(lesson.url).content.decode()
    assert "Studied" in html
    # The next lesson is open now.
    assert course.item(0, 1).url in html


def test_mark_as_studied_of_a_locked_lesson_or_by_a_stranger_changes_nothing(
    learner, make_user, client
):
    course = build_course((("lesson", "lesson"),), access_mode="sequential")
    enroll(running_cohort(course), learner)
    locked_url = course.item(0, 1).url + "complete/"

    browser = Client()
    browser.force_login(learner)
    response = browser.post(locked_url, follow=True)
    assert "Complete «" in response.content.decode()

    stranger = Client()
    stranger.force_login(make_user("participant", email="stranger@example.org"))
    stranger.post(course.item(0, 0).url + "complete/")

    response = client.post(course.item(0, 0).url + "complete/")
    assert response.status_code == 302 and "?next=" in response["Location"]
    assert not LessonCompletion.objects.exists()


# --- reconcile --------------------------------------------------------------------------------


def test_reconcile_completes_what_a_rule_change_left_unrecorded(learner, make_user):
    course = build_course((("lesson", "quiz"),), access_mode="free", require_assignments=False)
    cohort = running_cohort(course)
    ready = enroll(cohort, learner)
    study(ready, course.item(0, 0))
    not_ready = enroll(cohort, make_user("participant", email="other@example.org"))
    # The methodists drop the quiz from the rule: nobody marks anything, nothing fires.
    course.page.require_quizzes = False
    course.page.save_revision().publish()

    out = io.StringIO()
    call_command("reconcile_completions", "--dry-run", stdout=out)
    assert out.getvalue().strip() == "Would complete 1 of 2 studying enrollments."
    ready.refresh_from_db()
    assert ready.status == EnrollmentStatus.ENROLLED

    out = io.StringIO()
    call_command("reconcile_completions", stdout=out)
    assert out.getvalue().strip() == "Completed 1 of 2 studying enrollments."
    ready.refresh_from_db()
    not_ready.refresh_from_db()
    assert ready.status == EnrollmentStatus.COMPLETED and ready.completed_at
    assert not_ready.status == EnrollmentStatus.ENROLLED

    out = io.StringIO()
    call_command("reconcile_completions", stdout=out)
    assert out.getvalue().strip() == "Completed 0 of 1 studying enrollments."


# --- at the same instant (PostgreSQL row locks) ---------------------------------------------


only_on_postgres = pytest.mark.skipif(
    not postgres_available() and not STRICT, reason="DATABASE_URL does not point at PostgreSQL"
)


@only_on_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_checks_racing_each_other_complete_the_course_once(learner, completions):
    need(postgres_available(), "DATABASE_URL does not point at PostgreSQL")
    course = build_course((("lesson",),), access_mode="free", require_quizzes=False)
    enrollment = enroll(running_cohort(course), learner)
    study(enrollment, course.item(0, 0))
    barrier = threading.Barrier(8)
    errors = []

    def check():
        try:
            barrier.wait()
            completion_check(enrollment=Enrollment.objects.get(pk=enrollment.pk))
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=check) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.COMPLETED
    assert completions == [enrollment.pk]
    assert Notification.objects.filter(recipient=learner, kind="courses.completed").count() == 1

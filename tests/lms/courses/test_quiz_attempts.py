"""Quiz attempts through the services: start, autosave, limits, time, submit, snapshots."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connections, transaction
from django.utils import timezone

from lms.courses.models import CohortDeadline, EnrollmentStatus
from lms.quizzes.forms import QuestionForm
from lms.quizzes.models import AttemptStatus, Question, QuizAttempt
from lms.quizzes.selectors import (
    attempt_form_rows,
    best_quiz_results,
    passed_quiz_ids,
    passed_quizzes_by_enrollment,
)
from lms.quizzes.services import (
    QuizRefused,
    quiz_answer_save,
    quiz_attempt_start,
    quiz_attempt_submit,
    quiz_attempts_close_expired,
)
from tests.conftest import STRICT, need, postgres_available
from tests.lms.courses.test_quiz_setup import (
    add_one_of_each,
    add_question,
    build_world,
    enroll,
    make_cohort,
    make_course,
    make_quiz,
    right_answers,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user):
    world = build_world(make_user, quiz_fields={"attempts_allowed": 3, "passing_percent": 70})
    add_one_of_each(world.course)
    return world


def start(world, **kwargs):
    return quiz_attempt_start(enrollment=world.enrollment, quiz=world.quiz, **kwargs)


def question_of(attempt, kind):
    return next(q for q in attempt.snapshot["questions"] if q["kind"] == kind)


# --- starting -----------------------------------------------------------------------------


def test_start_copies_the_questions_and_a_reload_returns_the_same_attempt(world):
    attempt = start(world)
    assert attempt.number == 1 and attempt.status == AttemptStatus.IN_PROGRESS
    kinds = sorted(q["kind"] for q in attempt.snapshot["questions"])
    assert kinds == sorted(
        ["single", "multiple", "true_false", "short_answer", "matching", "ordering"]
    )
    assert attempt.max_score == Decimal(6)
    assert attempt.snapshot["passing_percent"] == 70
    # Reload or double click: the same attempt, not a second one.
    assert start(world).pk == attempt.pk
    assert QuizAttempt.objects.count() == 1


def test_only_studying_learners_of_the_course_start(world, make_user):
    for status in (
        EnrollmentStatus.REQUESTED,
        EnrollmentStatus.WAITLISTED,
        EnrollmentStatus.WITHDRAWN,
    ):
        world.enrollment.status = status
        world.enrollment.save()
        with pytest.raises(QuizRefused) as refusal:
            start(world)
        assert refusal.value.code == "not_enrolled"
    # An enrollment in another course cannot be used for this quiz.
    other = make_cohort(make_course())
    stranger = enroll(other, make_user("participant"))
    with pytest.raises(QuizRefused) as refusal:
        quiz_attempt_start(enrollment=stranger, quiz=world.quiz)
    assert refusal.value.code == "not_found"
    assert not QuizAttempt.objects.exists()


def test_cohort_dates_are_respected(world):
    today = timezone.localdate()
    world.cohort.starts_on = today + dt.timedelta(days=2)
    world.cohort.save()
    with pytest.raises(QuizRefused) as refusal:
        start(world)
    assert refusal.value.code == "not_started"
    world.cohort.starts_on = today - dt.timedelta(days=30)
    world.cohort.ends_on = today - dt.timedelta(days=1)
    world.cohort.save()
    with pytest.raises(QuizRefused) as refusal:
        start(world)
    assert refusal.value.code == "ended"


def test_an_empty_bank_is_refused_clearly(make_user):
    world = build_world(make_user)
    with pytest.raises(QuizRefused) as refusal:
        start(world)
    assert refusal.value.code == "empty"


def test_attempts_limit(world):
    world.quiz.attempts_allowed = 2
    world.quiz.save()
    for number in (1, 2):
        attempt = start(world)
        assert attempt.number == number
        quiz_attempt_submit(attempt_id=attempt.pk, user=world.learner)
    with pytest.raises(QuizRefused) as refusal:
        start(world)
    assert refusal.value.code == "no_attempts"
    assert "2" in refusal.value.message


def test_one_open_attempt_per_learner_and_quiz_is_a_database_rule(world):
    attempt = start(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        QuizAttempt.objects.create(
            enrollment=attempt.enrollment,
            quiz=attempt.quiz,
            number=2,
            started_at=timezone.now(),
            seed=1,
            max_score=1,
        )


def test_pools_draw_the_requested_number_and_shuffling_keeps_ids(make_user):
    world = build_world(make_user, pools=[("Модуль 1", 3), ("Модуль 2", None)])
    first_pool = [add_question(world.course, "single", pool="Модуль 1") for _ in range(6)]
    second_pool = [add_question(world.course, "true_false", pool="модуль 2") for _ in range(2)]
    add_question(world.course, "single", pool="Другой")
    inactive = add_question(world.course, "single", pool="Модуль 1")
    inactive.is_active = False
    inactive.save()
    world.quiz.attempts_allowed = None
    world.quiz.save()

    orders, option_orders = set(), set()
    for _ in range(6):
        attempt = start(world)
        ids = [q["question_pk"] for q in attempt.snapshot["questions"]]
        assert len(ids) == 5 == len(set(ids))
        assert len(set(ids) & {q.pk for q in first_pool}) == 3
        assert set(ids) >= {q.pk for q in second_pool}  # pool labels match without case
        assert inactive.pk not in ids
        for entry in attempt.snapshot["questions"]:
            bank = Question.objects.get(pk=entry["question_pk"])
            assert entry["id"] == bank.uid
            if entry["kind"] == "single":
                assert {o["id"] for o in entry["options"]} == {
                    o["id"] for o in bank.data["options"]
                }
                option_orders.add(tuple(o["id"] for o in entry["options"]))
        orders.add(tuple(ids))
        quiz_attempt_submit(attempt_id=attempt.pk, user=world.learner)
    assert len(orders) > 1, "the questions are shuffled per attempt"
    assert len(option_orders) > 1, "the options are shuffled per attempt"


def test_without_shuffling_the_bank_order_is_kept(make_user):
    world = build_world(
        make_user, quiz_fields={"shuffle_questions": False, "shuffle_options": False}
    )
    questions = [add_question(world.course, "single") for _ in range(4)]
    attempt = start(world)
    assert [q["question_pk"] for q in attempt.snapshot["questions"]] == [q.pk for q in questions]
    assert attempt.snapshot["questions"][0]["options"] == questions[0].data["options"]


# --- answering ------------------------------------------------------------------------------


def test_autosave_then_reload_restores_the_answers(world):
    attempt = start(world)
    single = question_of(attempt, "single")
    matching = question_of(attempt, "matching")
    first_pair = matching["pairs"][0]["id"]
    quiz_answer_save(
        attempt_id=attempt.pk,
        user=world.learner,
        answers={single["id"]: single["options"][1]["id"]},
    )
    # A second autosave of another question keeps the first answer.
    quiz_answer_save(
        attempt_id=attempt.pk,
        user=world.learner,
        answers={matching["id"]: {first_pair: matching["choices"][0]["id"]}},
    )
    reloaded = start(world)
    assert reloaded.pk == attempt.pk
    rows = {row["id"]: row for row in attempt_form_rows(reloaded)}
    assert [o["checked"] for o in rows[single["id"]]["options"]] == [False, True, False]
    assert rows[matching["id"]]["pairs"][0]["selected"] == matching["choices"][0]["id"]
    assert (
        rows[single["id"]]["answered"]
        and not rows[question_of(attempt, "ordering")["id"]]["answered"]
    )
    # An empty value clears an answer.
    quiz_answer_save(attempt_id=attempt.pk, user=world.learner, answers={single["id"]: ""})
    attempt.refresh_from_db()
    assert single["id"] not in attempt.answers
    assert attempt.saved_at is not None


def test_forged_ids_change_nothing(world, make_user):
    attempt = start(world)
    single = question_of(attempt, "single")
    good = {single["id"]: single["options"][0]["id"]}
    quiz_answer_save(attempt_id=attempt.pk, user=world.learner, answers=good)
    for forged in (
        {"deadbeef": "x"},
        {single["id"]: "not-an-option"},
        {single["id"]: single["options"][1]["id"], "deadbeef": "x"},
    ):
        with pytest.raises(QuizRefused) as refusal:
            quiz_answer_save(attempt_id=attempt.pk, user=world.learner, answers=forged)
        assert refusal.value.code == "invalid"
    attempt.refresh_from_db()
    assert attempt.answers == good
    # Somebody else's attempt does not exist for them.
    with pytest.raises(QuizAttempt.DoesNotExist):
        quiz_answer_save(attempt_id=attempt.pk, user=make_user("participant"), answers={})
    with pytest.raises(QuizAttempt.DoesNotExist):
        quiz_attempt_submit(attempt_id=attempt.pk, user=make_user("participant"))


def test_a_closed_attempt_refuses_changes(world):
    attempt = start(world)
    attempt = quiz_attempt_submit(
        attempt_id=attempt.pk, user=world.learner, answers=right_answers(attempt)
    )
    assert attempt.passed
    single = question_of(attempt, "single")
    wrong = next(o["id"] for o in single["options"] if not o["correct"])
    with pytest.raises(QuizRefused) as refusal:
        quiz_answer_save(attempt_id=attempt.pk, user=world.learner, answers={single["id"]: wrong})
    assert refusal.value.code == "closed"
    # Submitting again with other answers is a no-op.
    again = quiz_attempt_submit(
        attempt_id=attempt.pk, user=world.learner, answers={single["id"]: wrong}
    )
    attempt.refresh_from_db()
    assert again.score == attempt.score == Decimal(6)
    assert attempt.answers[single["id"]] != wrong


# --- submitting and scoring ---------------------------------------------------------------


def test_submit_scores_each_question_and_a_double_submit_scores_once(world):
    attempt = start(world)
    answers = right_answers(attempt)
    multiple = question_of(attempt, "multiple")
    correct = [o["id"] for o in multiple["options"] if o["correct"]]
    answers[multiple["id"]] = correct[:1]  # half of the partial credit
    short = question_of(attempt, "short_answer")
    answers[short["id"]] = "  гост р 7.0.100-2018 "
    ordering = question_of(attempt, "ordering")
    items = [item["id"] for item in ordering["items"]]
    answers[ordering["id"]] = {items[0]: 2, items[1]: 1, items[2]: 3, items[3]: 4}
    answers.pop(question_of(attempt, "true_false")["id"])

    submitted = quiz_attempt_submit(attempt_id=attempt.pk, user=world.learner, answers=answers)
    assert submitted.status == AttemptStatus.SUBMITTED
    results = submitted.results
    assert results[multiple["id"]]["points"] == 0.5
    assert results[short["id"]]["points"] == 1
    assert results[ordering["id"]]["points"] == 0.5
    assert results[question_of(attempt, "true_false")["id"]]["points"] == 0
    assert submitted.score == Decimal("4.00")  # 1 + 0.5 + 0 + 1 + 1 + 0.5
    assert submitted.percent == Decimal("66.67")
    assert submitted.passed is False  # below 70 %
    closed_at = submitted.submitted_at

    again = quiz_attempt_submit(attempt_id=attempt.pk, user=world.learner, answers=answers)
    assert again.score == submitted.score and again.submitted_at == closed_at
    assert QuizAttempt.objects.get(pk=attempt.pk).submitted_at == closed_at


def test_best_results_for_the_gradebook_in_one_query(world, make_user, django_assert_num_queries):
    world.quiz.attempts_allowed = None
    world.quiz.save()
    # A second required quiz: passing the first must not complete the course (and close it).
    other_quiz = make_quiz(world.module)
    first = start(world)
    quiz_attempt_submit(attempt_id=first.pk, user=world.learner)  # 0 %
    second = start(world)
    quiz_attempt_submit(attempt_id=second.pk, user=world.learner, answers=right_answers(second))
    third = start(world)
    quiz_attempt_submit(attempt_id=third.pk, user=world.learner)  # 0 % again
    start(world)  # open attempts do not count
    classmate = enroll(world.cohort, make_user("participant"))

    with django_assert_num_queries(1):
        results = best_quiz_results(
            [world.enrollment.pk, classmate.pk], [world.quiz.pk, other_quiz.pk]
        )
    assert set(results) == {(world.enrollment.pk, world.quiz.pk)}
    best = results[(world.enrollment.pk, world.quiz.pk)]
    assert (best.number, best.percent, best.passed, best.attempts) == (2, Decimal(100), True, 3)
    with django_assert_num_queries(0):
        assert best_quiz_results([], [world.quiz.pk]) == {}
    with django_assert_num_queries(1):
        assert passed_quiz_ids(world.enrollment) == {world.quiz.pk}
    assert passed_quiz_ids(classmate) == set()
    with django_assert_num_queries(1):
        by_enrollment = passed_quizzes_by_enrollment([world.enrollment.pk, classmate.pk])
    assert by_enrollment[world.enrollment.pk] == {world.quiz.pk}
    assert by_enrollment[classmate.pk] == set()


# --- time ---------------------------------------------------------------------------------


def _time_travel(attempt, *, minutes_ago):
    """The attempt started ``minutes_ago`` with its time limit counted from then."""
    limit = attempt.quiz.time_limit_minutes
    started = timezone.now() - dt.timedelta(minutes=minutes_ago)
    QuizAttempt.objects.filter(pk=attempt.pk).update(
        started_at=started, deadline_at=started + dt.timedelta(minutes=limit)
    )


def test_time_limit_sets_the_deadline_capped_by_the_cohort_due_date(world):
    world.quiz.time_limit_minutes = 30
    world.quiz.save()
    attempt = start(world)
    assert attempt.deadline_at == attempt.started_at + dt.timedelta(minutes=30)
    quiz_attempt_submit(attempt_id=attempt.pk, user=world.learner)

    due = timezone.now() + dt.timedelta(minutes=10)
    CohortDeadline.objects.create(cohort=world.cohort, page=world.quiz, due_at=due)
    assert start(world).deadline_at == due


def test_after_the_cohort_due_date_no_attempt_starts(world):
    CohortDeadline.objects.create(
        cohort=world.cohort, page=world.quiz, due_at=timezone.now() - dt.timedelta(hours=1)
    )
    with pytest.raises(QuizRefused) as refusal:
        start(world)
    assert refusal.value.code == "deadline"


def test_saving_after_the_time_is_up_closes_the_attempt_with_the_saved_answers(world):
    world.quiz.time_limit_minutes = 20
    world.quiz.save()
    attempt = start(world)
    answers = right_answers(attempt)
    single = question_of(attempt, "single")
    quiz_answer_save(
        attempt_id=attempt.pk, user=world.learner, answers={single["id"]: answers[single["id"]]}
    )
    _time_travel(attempt, minutes_ago=25)

    with pytest.raises(QuizRefused) as refusal:
        quiz_answer_save(attempt_id=attempt.pk, user=world.learner, answers=answers)
    assert refusal.value.code == "expired"
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.EXPIRED
    assert attempt.answers == {single["id"]: answers[single["id"]]}
    assert attempt.score == Decimal(1)
    assert attempt.submitted_at == attempt.deadline_at


def test_a_late_submit_keeps_only_what_was_saved_in_time(world):
    world.quiz.time_limit_minutes = 20
    world.quiz.save()
    attempt = start(world)
    _time_travel(attempt, minutes_ago=21)
    closed = quiz_attempt_submit(
        attempt_id=attempt.pk, user=world.learner, answers=right_answers(attempt)
    )
    assert closed.status == AttemptStatus.EXPIRED
    assert closed.answers == {} and closed.score == 0 and not closed.passed


def test_the_command_and_the_next_start_close_expired_attempts(world):
    world.quiz.time_limit_minutes = 20
    world.quiz.attempts_allowed = None
    world.quiz.save()
    attempt = start(world)
    _time_travel(attempt, minutes_ago=30)
    call_command("close_expired_attempts", stdout=open("/dev/null", "w"))  # noqa: SIM115
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.EXPIRED
    assert quiz_attempts_close_expired() == 0  # twice is harmless

    second = start(world)
    _time_travel(second, minutes_ago=30)
    third = start(world)  # the next visit closes the expired one and starts afresh
    second.refresh_from_db()
    assert second.status == AttemptStatus.EXPIRED
    assert third.number == 3 and third.is_open


# --- snapshots outlive the bank ----------------------------------------------------------


def test_editing_or_deleting_questions_leaves_past_attempts_intact(world):
    attempt = start(world)
    answers = right_answers(attempt)
    attempt = quiz_attempt_submit(attempt_id=attempt.pk, user=world.learner, answers=answers)
    snapshot, score = attempt.snapshot, attempt.score
    assert score == Decimal(6)

    single = Question.objects.get(kind="single", course=world.course)
    form = QuestionForm(
        instance=single,
        data={
            "course": world.course.pk,
            "pool": "",
            "kind": "single",
            "text": "Совсем другой вопрос",
            "answers": "Новый верный?\n*Теперь верный этот",
            "points": 5,
            "feedback": "",
            "is_active": "on",
        },
    )
    assert form.is_valid(), form.errors
    form.save()
    single.refresh_from_db()
    assert single.version == 2 and single.points == 5
    Question.objects.filter(kind="short_answer").delete()

    attempt.refresh_from_db()
    assert attempt.snapshot == snapshot
    assert attempt.score == score and attempt.passed
    entry = question_of(attempt, "single")
    assert entry["version"] == 1 and entry["text"] != "Совсем другой вопрос"
    # Nothing recomputes it either: a repeated submit leaves the score as it was.
    assert quiz_attempt_submit(attempt_id=attempt.pk, user=world.learner).score == score


# --- concurrency -------------------------------------------------------------------------

only_on_postgres = pytest.mark.skipif(
    not postgres_available() and not STRICT, reason="DATABASE_URL does not point at PostgreSQL"
)


@only_on_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ten_clicks_on_start_at_once_make_one_attempt(make_user):
    need(postgres_available(), "DATABASE_URL does not point at PostgreSQL")
    world = build_world(make_user)
    add_one_of_each(world.course)
    barrier = threading.Barrier(10)
    started, errors = [], []

    def click():
        try:
            barrier.wait()
            started.append(start(world).pk)
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=click) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(started)) == 1
    assert QuizAttempt.objects.filter(enrollment=world.enrollment).count() == 1

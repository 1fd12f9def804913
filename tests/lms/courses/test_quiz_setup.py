"""Builders for the quiz tests: a published course with a module and a quiz, a running
cohort with an enrolled learner and a teacher, and bank questions of every kind.

The other ``test_quiz_*`` modules import these; the one test here checks the
builder itself."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

import pytest
from django.utils import timezone
from wagtail.models import Site

from lms.courses.models import (
    Cohort,
    CoursePage,
    Enrollment,
    EnrollmentStatus,
    ModulePage,
)
from lms.models import CourseIndexPage
from lms.quizzes.models import Question, QuizPage, QuizPool
from lms.quizzes.services import question_create

_numbers = itertools.count(1)

# kind → (answers text as editors type it, a fully right answer builder)
ANSWERS = {
    "single": "*Федеральный закон № 78-ФЗ\nФедеральный закон № 273-ФЗ\nФедеральный закон № 149-ФЗ",
    "multiple": "*Зона индивидуальной работы\n*Зона проектной работы\nСклад списанных учебников",
    "true_false": "верно",
    "short_answer": "ГОСТ Р 7.0.100-2018\n7.0.100-2018",
    "matching": "Инвентарная книга = Учёт экземпляров\nФормуляр = Учёт выдачи\nКаталог = Поиск",
    "ordering": "Постановка цели\nПоиск источников\nПроверка достоверности\nСоздание продукта",
}


@dataclass
class QuizWorld:
    course: CoursePage
    module: ModulePage
    quiz: QuizPage
    cohort: Cohort
    learner: object
    enrollment: Enrollment
    teacher: object


def _publish(page):
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def course_index() -> CourseIndexPage:
    index = CourseIndexPage.objects.first()
    if index is None:
        root = Site.objects.get(is_default_site=True).root_page
        index = CourseIndexPage(title="Курсы", slug="courses")
        root.add_child(instance=index)
        _publish(index)
    return index


def make_course(**fields) -> CoursePage:
    number = next(_numbers)
    course = CoursePage(
        title=fields.pop("title", f"Информационная грамотность обучающихся ({number})"),
        slug=f"quiz-course-{number}",
        annotation="Программа повышения квалификации для педагогов-библиотекарей.",
        hours=72,
        access_mode="free",
        **fields,
    )
    course_index().add_child(instance=course)
    return _publish(course)


def make_quiz(module: ModulePage, *, pools=(), **fields) -> QuizPage:
    number = next(_numbers)
    defaults = {"title": f"Тест {number}", "slug": f"test-{number}", "shuffle_questions": True}
    defaults.update(fields)
    quiz = QuizPage(**defaults)
    quiz.pools = [QuizPool(pool=label, draw=draw) for label, draw in pools]
    module.add_child(instance=quiz)
    return _publish(quiz)


def make_cohort(course: CoursePage, **fields) -> Cohort:
    today = timezone.localdate()
    defaults = {
        "title": f"Поток {next(_numbers)}",
        "starts_on": today - dt.timedelta(days=3),
        "ends_on": today + dt.timedelta(days=60),
    }
    defaults.update(fields)
    return Cohort.objects.create(course=course, **defaults)


def enroll(cohort: Cohort, user, status: str = EnrollmentStatus.ENROLLED) -> Enrollment:
    return Enrollment.objects.create(
        cohort=cohort, user=user, status=status, enrolled_at=timezone.now()
    )


def add_question(course: CoursePage, kind: str, *, pool: str = "", points: int = 1, text=None):
    return question_create(
        course=course,
        kind=kind,
        text=text or f"Вопрос {next(_numbers)} ({kind})",
        answers=ANSWERS[kind],
        pool=pool,
        points=points,
        feedback=f"Пояснение к вопросу типа {kind}.",
    )


def add_one_of_each(course: CoursePage, *, pool: str = "") -> dict[str, Question]:
    return {kind: add_question(course, kind, pool=pool) for kind in ANSWERS}


def build_world(make_user, *, quiz_fields=None, pools=()) -> QuizWorld:
    course = make_course()
    module = ModulePage(title="Модуль 1. Нормативная база", slug="modul-1")
    course.add_child(instance=module)
    _publish(module)
    quiz = make_quiz(module, pools=pools, **(quiz_fields or {}))
    cohort = make_cohort(course)
    learner = make_user("participant", last_name="Соколова")
    teacher = make_user("participant", last_name="Петрова")
    cohort.teachers.add(teacher)
    return QuizWorld(
        course=course,
        module=module,
        quiz=quiz,
        cohort=cohort,
        learner=learner,
        enrollment=enroll(cohort, learner),
        teacher=teacher,
    )


def right_answers(attempt) -> dict:
    """A fully right answer to every question of the attempt, from its snapshot."""
    answers = {}
    for question in attempt.snapshot["questions"]:
        kind = question["kind"]
        if kind == "single":
            answers[question["id"]] = next(o["id"] for o in question["options"] if o["correct"])
        elif kind == "multiple":
            answers[question["id"]] = [o["id"] for o in question["options"] if o["correct"]]
        elif kind == "true_false":
            answers[question["id"]] = "true" if question["correct"] else "false"
        elif kind == "short_answer":
            answers[question["id"]] = question["variants"][0]
        elif kind == "matching":
            by_text = {choice["text"]: choice["id"] for choice in question["choices"]}
            answers[question["id"]] = {
                pair["id"]: by_text[pair["right"]] for pair in question["pairs"]
            }
        elif kind == "ordering":
            answers[question["id"]] = {
                item["id"]: index for index, item in enumerate(question["items"], start=1)
            }
    return answers


@pytest.mark.django_db
def test_the_world_is_a_published_course_with_an_enrolled_learner(make_user):
    world = build_world(make_user)
    add_one_of_each(world.course)
    assert world.quiz.live and world.quiz.get_parent().specific == world.module
    assert world.enrollment.status == EnrollmentStatus.ENROLLED
    assert Question.objects.filter(course=world.course).count() == len(ANSWERS)

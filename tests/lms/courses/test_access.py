"""Access to course content: sequential lessons, module by module, prerequisites, the
cohort's dates, visitors and staff. The builders at the top are shared by the other
learning-path tests (``test_progress``, ``test_course_pages``, ``test_dashboard``)."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.models import Page

from lms.assignments.models import AssignmentPage
from lms.assignments.services import submission_create, submission_review
from lms.courses.models import (
    Cohort,
    CoursePage,
    Enrollment,
    EnrollmentStatus,
    LessonCompletion,
    LessonPage,
    ModulePage,
)
from lms.courses.selectors.progress import (
    AVAILABLE,
    DONE,
    LOCKED,
    course_outline,
    page_access,
)
from lms.quizzes.models import QuizPage
from lms.quizzes.services import question_create, quiz_attempt_start, quiz_attempt_submit
from tests.lms.courses.enrollment_helpers import course_index
from tests.lms.courses.test_quiz_setup import right_answers

pytestmark = pytest.mark.django_db

_numbers = itertools.count(1)
LESSON_TEXT = "Текст урока о работе информационно-библиотечного центра."


def publish_child(parent: Page, page: Page) -> Page:
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def item_page(kind: str, number: int) -> Page:
    """``kind``: lesson, optional (a lesson not required), quiz or assignment."""
    if kind in ("lesson", "optional"):
        return LessonPage(
            title=f"Урок {number}",
            slug=f"urok-{number}",
            required=kind == "lesson",
            body=[{"type": "paragraph", "value": f"<p>{LESSON_TEXT} №{number}</p>"}],
        )
    if kind == "quiz":
        return QuizPage(title=f"Тест {number}", slug=f"test-{number}", shuffle_options=False)
    return AssignmentPage(title=f"Задание {number}", slug=f"zadanie-{number}", is_final=True)


@dataclass
class Course:
    page: CoursePage
    modules: list[ModulePage]
    items: list[list[Page]]  # per module, specific pages

    def item(self, module: int, index: int) -> Page:
        return self.items[module][index]


def build_course(
    layout=(("lesson", "lesson"), ("lesson", "quiz", "assignment")), **fields
) -> Course:
    number = next(_numbers)
    defaults = {
        "title": f"Школьный ИБЦ: от концепции к практике ({number})",
        "slug": f"learning-course-{number}",
        "annotation": "Программа повышения квалификации для педагогов-библиотекарей.",
        "hours": 36,
    }
    defaults.update(fields)
    course = publish_child(course_index(), CoursePage(**defaults))
    modules, items = [], []
    for position, kinds in enumerate(layout, start=1):
        module = publish_child(
            course, ModulePage(title=f"Модуль {position}", slug=f"modul-{position}")
        )
        modules.append(module)
        items.append([publish_child(module, item_page(kind, next(_numbers))) for kind in kinds])
    return Course(page=course, modules=modules, items=items)


def running_cohort(course: Course, **fields) -> Cohort:
    today = timezone.localdate()
    defaults = {
        "title": f"Поток {next(_numbers)}",
        "starts_on": today - dt.timedelta(days=7),
        "ends_on": today + dt.timedelta(days=30),
    }
    defaults.update(fields)
    return Cohort.objects.create(course=course.page, **defaults)


def enroll(cohort: Cohort, user, status: str = EnrollmentStatus.ENROLLED) -> Enrollment:
    return Enrollment.objects.create(
        cohort=cohort, user=user, status=status, enrolled_at=timezone.now()
    )


def study(enrollment: Enrollment, *lessons: Page) -> None:
    for lesson in lessons:
        LessonCompletion.objects.create(enrollment=enrollment, page=lesson)


def bank_question(course: CoursePage):
    return question_create(
        course=course,
        kind="true_false",
        text=f"Вопрос {next(_numbers)}: ИБЦ поддерживает учебные проекты.",
        answers="верно",
    )


def pass_quiz(enrollment: Enrollment, quiz: QuizPage):
    """Pass the quiz through the quiz services, with one right-answered question."""
    bank_question(CoursePage.objects.ancestor_of(quiz).get())
    attempt = quiz_attempt_start(enrollment=enrollment, quiz=quiz)
    return quiz_attempt_submit(
        attempt_id=attempt.pk, user=enrollment.user, answers=right_answers(attempt)
    )


def accept_assignment(enrollment: Enrollment, assignment: AssignmentPage, teacher):
    """Hand in and accept a work through the assignment services."""
    enrollment.cohort.teachers.add(teacher)
    submission = submission_create(
        user=enrollment.user,
        assignment=assignment,
        client_token=f"token-{next(_numbers)}",
        text="Проект программы развития ИБЦ нашей школы.",
    )
    return submission_review(
        submission_id=submission.pk,
        reviewer=teacher,
        decision="accept",
        points=assignment.max_points,
    )


def states(outline) -> list[list[str]]:
    return [[item.state for item in module.items] for module in outline.modules]


@pytest.fixture(autouse=True)
def in_english(settings):
    """Messages are checked in the source language, whatever translations exist."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def learner(make_user):
    return make_user("participant", last_name="Соколова")


# --- sequential -------------------------------------------------------------------------


def test_sequential_course_opens_one_required_item_after_another(learner):
    course = build_course(
        (("lesson", "optional", "lesson"), ("quiz", "lesson")), access_mode="sequential"
    )
    enrollment = enroll(running_cohort(course), learner)
    first, _optional, second = course.items[0]
    quiz, last = course.items[1]

    outline = course_outline(enrollment)
    # The optional lesson opens with the first one's completion, like the next required one.
    assert states(outline) == [[AVAILABLE, LOCKED, LOCKED], [LOCKED, LOCKED]]
    assert page_access(enrollment, second).reason == f"Complete «{first.title}» first."

    study(enrollment, first)
    assert states(course_outline(enrollment)) == [
        [DONE, AVAILABLE, AVAILABLE],
        [LOCKED, LOCKED],
    ]
    # Skipping the optional lesson does not hold the course up.
    study(enrollment, second)
    assert states(course_outline(enrollment)) == [
        [DONE, AVAILABLE, DONE],
        [AVAILABLE, LOCKED],
    ]
    assert page_access(enrollment, last).reason == f"Complete «{quiz.title}» first."
    assert page_access(enrollment, quiz).open

    pass_quiz(enrollment, quiz)
    assert states(course_outline(enrollment))[1] == [DONE, AVAILABLE]


def test_sequential_quiz_start_is_refused_until_the_lesson_before_is_done(learner):
    """The quiz service asks this rule before it starts an attempt."""
    from lms.quizzes.services import QuizRefused

    course = build_course((("lesson", "quiz"),), access_mode="sequential")
    bank_question(course.page)
    enrollment = enroll(running_cohort(course), learner)
    lesson, quiz = course.items[0]

    with pytest.raises(QuizRefused) as refusal:
        quiz_attempt_start(enrollment=enrollment, quiz=quiz)
    assert refusal.value.message == f"Complete «{lesson.title}» first."
    study(enrollment, lesson)
    assert quiz_attempt_start(enrollment=enrollment, quiz=quiz).pk


def test_free_course_opens_everything_at_once(learner):
    course = build_course(access_mode="free")
    enrollment = enroll(running_cohort(course), learner)
    assert states(course_outline(enrollment)) == [[AVAILABLE] * 2, [AVAILABLE] * 3]


# --- module by module and prerequisites ------------------------------------------------


def test_by_module_opens_the_next_module_when_every_required_item_is_done(learner):
    course = build_course(
        (("lesson", "optional", "lesson"), ("lesson", "lesson"), ("lesson",)),
        access_mode="by_module",
    )
    enrollment = enroll(running_cohort(course), learner)
    first, _optional, second = course.items[0]

    outline = course_outline(enrollment)
    assert states(outline) == [[AVAILABLE] * 3, [LOCKED] * 2, [LOCKED]]
    assert outline.modules[1].access.reason == "Finish the module «Модуль 1» first."
    assert outline.modules[2].access.reason == "Finish the module «Модуль 2» first."

    study(enrollment, first, second)
    # Inside an open module any order goes; the module after waits for this one.
    assert states(course_outline(enrollment)) == [
        [DONE, AVAILABLE, DONE],
        [AVAILABLE, AVAILABLE],
        [LOCKED],
    ]


def test_prerequisites_lock_a_module_until_those_modules_are_finished(learner):
    course = build_course((("lesson",), ("lesson",), ("lesson", "lesson")), access_mode="free")
    final = course.modules[2]
    final.prerequisites = [course.modules[0], course.modules[1]]
    final.save_revision().publish()
    enrollment = enroll(running_cohort(course), learner)

    assert states(course_outline(enrollment)) == [[AVAILABLE], [AVAILABLE], [LOCKED, LOCKED]]
    assert page_access(enrollment, final).reason == "Finish the module «Модуль 1» first."

    study(enrollment, course.item(0, 0))
    assert page_access(enrollment, course.item(2, 1)).reason == (
        "Finish the module «Модуль 2» first."
    )
    study(enrollment, course.item(1, 0))
    assert states(course_outline(enrollment))[2] == [AVAILABLE, AVAILABLE]


def test_a_done_item_stays_open_when_a_new_prerequisite_is_added(learner):
    course = build_course((("lesson",), ("lesson", "lesson")), access_mode="free")
    enrollment = enroll(running_cohort(course), learner)
    study(enrollment, course.item(1, 0))
    course.modules[1].prerequisites = [course.modules[0]]
    course.modules[1].save_revision().publish()

    assert states(course_outline(enrollment))[1] == [DONE, LOCKED]


# --- the cohort's dates and the enrollment's status ---------------------------------------


def test_nothing_opens_before_the_cohort_starts(learner):
    course = build_course(access_mode="free")
    today = timezone.localdate()
    cohort = running_cohort(
        course, starts_on=today + dt.timedelta(days=3), ends_on=today + dt.timedelta(days=30)
    )
    enrollment = enroll(cohort, learner)

    outline = course_outline(enrollment)
    assert {state for module in states(outline) for state in module} == {LOCKED}
    assert outline.notice.startswith("Study in your cohort starts on ")
    assert not page_access(enrollment, course.item(0, 0)).allowed


def test_after_the_cohort_ends_materials_are_read_only(learner):
    course = build_course(access_mode="free")
    today = timezone.localdate()
    cohort = running_cohort(
        course, starts_on=today - dt.timedelta(days=30), ends_on=today - dt.timedelta(days=1)
    )
    enrollment = enroll(cohort, learner)

    access = page_access(enrollment, course.item(0, 0))
    assert access.allowed and not access.can_submit and not access.open
    assert "you can read the materials, but not hand anything in" in access.reason


@pytest.mark.parametrize(
    "status", [EnrollmentStatus.REQUESTED, EnrollmentStatus.WAITLISTED, EnrollmentStatus.WITHDRAWN]
)
def test_without_a_place_in_the_cohort_everything_is_locked(learner, status):
    course = build_course(access_mode="free")
    enrollment = Enrollment.objects.create(
        cohort=running_cohort(course), user=learner, status=status
    )
    access = page_access(enrollment, course.item(0, 0))
    assert not access.allowed
    assert access.reason == "Enroll in a cohort of this course to study its lessons."


def test_a_page_of_another_course_is_never_open(learner):
    course, other = build_course(access_mode="free"), build_course(access_mode="free")
    enrollment = enroll(running_cohort(course), learner)
    assert not page_access(enrollment, other.item(0, 0)).allowed


def test_a_whole_course_outline_costs_the_same_queries_however_long(
    learner, django_assert_max_num_queries
):
    short = build_course((("lesson",),), access_mode="sequential")
    long = build_course(
        tuple(("lesson", "lesson", "quiz", "assignment") for _ in range(6)),
        access_mode="sequential",
    )
    short_enrollment = enroll(running_cohort(short), learner)
    long_enrollment = enroll(running_cohort(long), learner)
    course_outline(short_enrollment)  # content types cached

    for enrollment in (short_enrollment, long_enrollment):
        enrollment = Enrollment.objects.select_related("cohort__course").get(pk=enrollment.pk)
        with django_assert_max_num_queries(8):
            course_outline(enrollment)


# --- the lesson page ----------------------------------------------------------------------


def test_lesson_page_shows_the_reason_instead_of_the_content_when_locked(learner):
    course = build_course((("lesson", "lesson"),), access_mode="sequential")
    first, second = course.items[0]
    enroll(running_cohort(course), learner)
    browser = Client()
    browser.force_login(learner)

    response = browser.get(second.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert LESSON_TEXT not in html
    assert f"Complete «{first.title}» first." in html
    assert 'action="' + second.url + 'complete/"' not in html

    response = browser.get(first.url)
    html = response.content.decode()
    assert LESSON_TEXT in html
    assert 'action="' + first.url + 'complete/"' in html


def test_visitors_see_lesson_titles_but_not_their_content(client):
    course = build_course((("lesson", "lesson"),), access_mode="free")
    lesson = course.item(0, 0)

    page = client.get(course.modules[0].url).content.decode()
    assert lesson.title in page and course.item(0, 1).title in page

    response = client.get(lesson.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert LESSON_TEXT not in html
    assert "Sign in and enroll in a cohort of this course to study its lessons." in html
    assert f'href="{reverse("core:login")}?next={quote(lesson.url)}"' in html


def test_teachers_staff_and_previews_see_every_lesson(make_user, learner):
    course = build_course((("lesson", "lesson"),), access_mode="sequential")
    cohort = running_cohort(course)
    locked = course.item(0, 1)
    teacher = make_user("participant", last_name="Петрова")
    cohort.teachers.add(teacher)
    methodist = make_user("methodist")

    for viewer in (teacher, methodist):
        browser = Client()
        browser.force_login(viewer)
        html = browser.get(locked.url).content.decode()
        assert LESSON_TEXT in html
        # Seeing is not studying: no «mark as studied» for someone without a place.
        assert "complete/" not in html

    # A learner of another course who teaches nothing here sees it locked.
    enroll(cohort, learner)
    browser = Client()
    browser.force_login(learner)
    assert LESSON_TEXT not in browser.get(locked.url).content.decode()


def test_editor_preview_of_a_draft_lesson_shows_its_content(make_user):
    from core.models import User

    course = build_course((("lesson",),), access_mode="sequential")
    draft = LessonPage(
        title="Черновик урока",
        slug="chernovik",
        body=[{"type": "paragraph", "value": "<p>Текст черновика урока.</p>"}],
        live=False,
    )
    course.modules[0].add_child(instance=draft)
    draft.save_revision()
    editor = User.objects.create_superuser(email="editor@example.org", password="x-2026-pass")
    browser = Client()
    browser.force_login(editor)

    response = browser.get(f"/admin/pages/{draft.pk}/view_draft/")
    assert response.status_code == 200
    assert "Текст черновика урока." in response.content.decode()

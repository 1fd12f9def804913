"""A ДПО course from enrollment to completion, in a real browser.

A new library worker enrolls (entering her ДПО data), studies a lesson, passes
the quiz and hands in the final assignment; the methodist returns it with a
comment, she hands in a new version, the methodist accepts it, and her cabinet
shows the course completed at 100 %.

The course is built through the models and services in the test (a small one, so
the quiz answers are known); everything the people do happens in the browser.
"""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PASSWORD = "Uchebny-Kurs-2026!"
METHODIST = ("methodist@demo.ibc-portal.ru", "demo-methodist-2026")


def _publish(page):
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def _build_course():
    from lms.assignments.models import AssignmentPage
    from lms.courses.models import Cohort, CoursePage, LessonPage, ModulePage
    from lms.models import CourseIndexPage
    from lms.quizzes.models import QuizPage
    from lms.quizzes.services.questions import question_create

    index = CourseIndexPage.objects.get()
    course = index.add_child(
        instance=CoursePage(
            title="Каталогизация в школьной библиотеке",
            slug="katalogizatsiya-e2e",
            annotation="Короткий курс для проверки всего пути слушателя.",
            hours=16,
            access_mode="sequential",
        )
    )
    _publish(course)
    module = course.add_child(instance=ModulePage(title="Модуль 1. Каталог", slug="modul-1"))
    _publish(module)
    lesson = module.add_child(
        instance=LessonPage(
            title="Урок 1. Зачем нужен электронный каталог",
            slug="urok-1",
            body=[{"type": "paragraph", "value": "<p>Каталог раскрывает фонд читателю.</p>"}],
        )
    )
    _publish(lesson)
    quiz = module.add_child(instance=QuizPage(title="Тест по модулю 1", slug="test-1"))
    _publish(quiz)
    question_create(
        course=course,
        kind="true_false",
        text="Электронный каталог раскрывает фонд библиотеки.",
        answers="верно",
    )
    assignment = module.add_child(
        instance=AssignmentPage(
            title="Итоговое задание. План каталогизации",
            slug="itogovoe-zadanie",
            is_final=True,
            text_allowed=True,
            files_allowed=False,
            max_points=10,
            pass_points=6,
        )
    )
    _publish(assignment)
    today = timezone.localdate()
    cohort = Cohort.objects.create(
        course=course,
        title="Поток декабря",
        starts_on=today - dt.timedelta(days=1),
        ends_on=today + dt.timedelta(days=30),
        enrollment_opens=timezone.now() - dt.timedelta(days=2),
        enrollment_closes=timezone.now() + dt.timedelta(days=10),
        capacity=20,
    )
    return course, lesson, quiz, assignment, cohort


def _sign_in(page, email, password) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.locator("main form.stack-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/cabinet/$"))


def _review(page, *, decision: str, points: str = "", comment: str = "") -> None:
    page.goto("/cabinet/reviews/")
    page.locator("main a[href*='/cabinet/reviews/']").first.click()
    page.check(f"input[name=decision][value={decision}]")
    if points:
        page.fill("#id_points", points)
    if comment:
        page.fill("#id_comment", comment)
    page.locator("main form.stack-form button[type=submit]").click()
    expect(page.locator(".messages")).to_be_visible()


def test_learner_enrolls_studies_passes_and_completes_the_course(browser, live_site):
    from core.roles import role_group_name
    from lms.assignments.models import Submission
    from lms.courses.models import Enrollment
    from lms.quizzes.models import QuizAttempt
    from tests.factories import UserFactory

    course, lesson, quiz, assignment, cohort = _build_course()
    learner = UserFactory(
        email="olga.vetrova@example.org",
        last_name="Ветрова",
        first_name="Ольга",
        password=PASSWORD,
        role="participant",
    )
    from django.contrib.auth.models import Group

    assert learner.groups.filter(name=role_group_name("participant")).exists()
    assert Group.objects.filter(name=role_group_name("methodist")).exists()

    context = browser.new_context(base_url=live_site.url, locale="ru-RU")
    page = context.new_page()
    _sign_in(page, learner.email, PASSWORD)

    # Enroll: the ДПО data once, the consent, and a place in the cohort.
    page.goto(course.url)
    page.locator(f"main a[href$='enroll/{cohort.pk}/']").click()
    page.select_option("#id_profile-education_level", "higher")
    page.fill("#id_profile-diploma_surname", "Ветрова")
    page.fill("#id_profile-diploma_series", "ВСГ")
    page.fill("#id_profile-diploma_number", "1234567")
    page.fill("#id_profile-snils", "11223344595")
    page.fill("#id_profile-birth_date", "1985-04-12")
    page.select_option("#id_profile-sex", "F")
    page.locator("main input[type=checkbox][name$=consent]").first.check()
    page.locator("main form.stack-form button[type=submit]").click()
    enrollment = Enrollment.objects.get(cohort=cohort, user=learner)
    assert enrollment.status == "enrolled"
    assert learner.learner_profile.snils == "112-233-445 95"

    # The quiz is locked until the lesson is studied (sequential access).
    page.goto(quiz.url)
    expect(page.locator(f"main form[action$='{quiz.url}start/']")).to_have_count(0)
    page.goto(lesson.url)
    expect(page.locator("main")).to_contain_text("Каталог раскрывает фонд читателю.")
    page.locator("main form[action$='complete/'] button").click()

    # The quiz: start, answer, finish, confirm.
    page.goto(quiz.url)
    page.locator("main form[action$='start/'] button").click()
    attempt = QuizAttempt.objects.get(enrollment=enrollment, quiz=quiz)
    question_id = attempt.snapshot["questions"][0]["id"]
    page.check(f"#q-{question_id}-true")
    page.locator("main button[name=action][value=finish]").click()
    page.locator("main input[name=action][value=submit] ~ button").click()
    attempt.refresh_from_db()
    assert attempt.passed, attempt.status

    # The final assignment, returned once and accepted the second time.
    page.goto(assignment.url)
    page.fill("#id_text", "План: инвентаризация, ретроввод, проверка записей.")
    page.locator("main form.stack-form button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("ретроввод")

    methodist = browser.new_context(base_url=live_site.url, locale="ru-RU").new_page()
    _sign_in(methodist, *METHODIST)
    _review(methodist, decision="return", comment="Добавьте сроки каждого этапа.")
    assert Submission.objects.get(enrollment=enrollment).status == "returned"

    page.goto(assignment.url)
    expect(page.locator("main")).to_contain_text("Добавьте сроки каждого этапа.")
    page.fill("#id_text", "План со сроками: январь — инвентаризация, февраль — ретроввод.")
    page.locator("main form.stack-form button[type=submit]").click()
    assert Submission.objects.filter(enrollment=enrollment).count() == 2

    _review(methodist, decision="accept", points="9")

    enrollment.refresh_from_db()
    assert enrollment.status == "completed"
    assert enrollment.completed_at is not None
    page.goto("/cabinet/")
    row = page.locator(".cabinet-courses li", has_text=course.title)
    expect(row.locator("progress")).to_have_attribute("value", "100")
    expect(row).to_contain_text("100")

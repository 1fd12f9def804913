"""Quiz pages in the browser's shoes: the page tree, the no-JavaScript attempt form,
autosave, results with feedback, and who may see which attempt."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from core.models import User
from lms.courses.models import CoursePage, LessonPage, ModulePage
from lms.quizzes.models import AttemptStatus, QuizAttempt, QuizPage
from lms.quizzes.services import quiz_attempt_start, quiz_attempt_submit
from tests.lms.courses.test_quiz_setup import (
    add_one_of_each,
    build_world,
    enroll,
    make_cohort,
    right_answers,
)

pytestmark = pytest.mark.django_db


class QuizPageTreeTests(WagtailPageTestCase):
    def setUp(self):
        from tests.lms.courses.test_quiz_setup import make_course

        self.course = make_course()
        self.module = ModulePage(title="Модуль 1", slug="modul-1")
        self.course.add_child(instance=self.module)
        self.module.save_revision().publish()

    def test_quizzes_live_in_course_modules_only(self):
        self.assertAllowedParentPageTypes(QuizPage, {ModulePage})
        self.assertAllowedSubpageTypes(QuizPage, set())
        self.assertCanCreateAt(ModulePage, QuizPage)
        self.assertCanNotCreateAt(CoursePage, QuizPage)
        self.assertCanNotCreateAt(LessonPage, QuizPage)
        self.assertCanNotCreateAt(QuizPage, QuizPage)

    def test_an_editor_creates_a_quiz_with_pools_and_it_renders(self):
        self.client.force_login(
            User.objects.create_superuser(email="editor@example.org", password="x-2026-pass")
        )
        self.assertCanCreate(
            self.module,
            QuizPage,
            nested_form_data(
                {
                    "title": "Итоговый тест",
                    "slug": "itogovyi-test",
                    "intro": "Ответьте на вопросы.",
                    "required": "on",
                    "time_limit_minutes": 20,
                    "attempts_allowed": 2,
                    "passing_percent": 80,
                    "shuffle_questions": "on",
                    "pools": inline_formset(
                        [{"pool": "Модуль 1", "draw": 3}, {"pool": "Модуль 2", "draw": ""}]
                    ),
                }
            ),
        )
        quiz = QuizPage.objects.get(slug="itogovyi-test")
        assert [(p.pool, p.draw) for p in quiz.pools.all()] == [("Модуль 1", 3), ("Модуль 2", None)]
        assert quiz.passing_percent == 80 and quiz.shuffle_options is False
        self.assertPageIsRenderable(quiz)

    def test_passing_score_outside_1_to_100_is_refused(self):
        quiz = QuizPage(title="Тест", slug="test", passing_percent=101)
        with pytest.raises(ValidationError) as error:
            quiz.full_clean()
        assert "passing_percent" in error.value.message_dict


@pytest.fixture
def world(make_user):
    world = build_world(make_user, quiz_fields={"attempts_allowed": 2, "passing_percent": 70})
    add_one_of_each(world.course)
    return world


def attempt_url(world, attempt):
    return f"{world.quiz.url}attempts/{attempt.pk}/"


def form_data(attempt, answers, **extra) -> dict:
    """What the browser posts for ``answers`` (question id → value, as services store them)."""
    data = {"with_answers": "1", **extra}
    for question in attempt.snapshot["questions"]:
        name = f"q-{question['id']}"
        value = answers.get(question["id"])
        if value is None:
            continue
        if question["kind"] in ("matching", "ordering"):
            for key, chosen in value.items():
                data[f"{name}-{key}"] = str(chosen)
        else:
            data[name] = value
    return data


def login(client, user):
    client.force_login(user)
    return client


# --- the learner's way through, without JavaScript ---------------------------------------


def test_learner_takes_the_quiz_with_plain_forms(client, world):
    login(client, world.learner)
    body = client.get(world.quiz.url).content.decode()
    assert "Start the quiz" in body or "Начать" in body
    assert f'action="{world.quiz.url}start/"' in body

    response = client.post(world.quiz.url + "start/")
    attempt = QuizAttempt.objects.get()
    assert response.status_code == 302 and response["Location"] == attempt_url(world, attempt)
    # A second press (another tab) leads to the same attempt.
    assert client.post(world.quiz.url + "start/")["Location"] == attempt_url(world, attempt)

    page = client.get(attempt_url(world, attempt)).content.decode()
    for question in attempt.snapshot["questions"]:
        assert f"q-{question['id']}" in page
    # Nothing gives the answers away before the attempt is closed: no feedback, no
    # accepted answers, and the matching choices do not carry the ids of their pairs.
    assert "Пояснение к вопросу" not in page
    assert "7.0.100-2018" not in page
    matching = next(q for q in attempt.snapshot["questions"] if q["kind"] == "matching")
    for pair in matching["pairs"]:
        assert f'value="{pair["id"]}"' not in page
    assert "autosave/" in page and "quiz-autosave.js" in page

    answers = right_answers(attempt)
    single = next(q for q in attempt.snapshot["questions"] if q["kind"] == "single")
    response = client.post(attempt_url(world, attempt), form_data(attempt, answers, action="save"))
    assert response.status_code == 302
    page = client.get(attempt_url(world, attempt)).content.decode()
    right_option = answers[single["id"]]
    assert f'id="q-{single["id"]}-{right_option}" value="{right_option}" checked' in page

    response = client.post(
        attempt_url(world, attempt), form_data(attempt, answers, action="finish")
    )
    assert response["Location"] == attempt_url(world, attempt) + "?confirm=1"
    confirm = client.get(response["Location"]).content.decode()
    assert 'name="action" value="submit"' in confirm

    # The confirmation posts no answers and must not wipe the saved ones.
    response = client.post(attempt_url(world, attempt), {"action": "submit"})
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED and attempt.passed
    result = client.get(attempt_url(world, attempt)).content.decode()
    assert "Пояснение к вопросу типа single" in result
    assert "7.0.100-2018" in result

    # After the close, the form is gone and posting changes nothing.
    client.post(attempt_url(world, attempt), form_data(attempt, {}, action="save"))
    attempt.refresh_from_db()
    assert attempt.answers == answers | {
        k: v for k, v in attempt.answers.items() if k not in answers
    }
    assert attempt.score == attempt.max_score


def test_clearing_a_checkbox_in_the_form_clears_the_answer(client, world):
    attempt = quiz_attempt_start(enrollment=world.enrollment, quiz=world.quiz)
    multiple = next(q for q in attempt.snapshot["questions"] if q["kind"] == "multiple")
    login(client, world.learner)
    first = multiple["options"][0]["id"]
    client.post(
        attempt_url(world, attempt), form_data(attempt, {multiple["id"]: [first]}, action="save")
    )
    attempt.refresh_from_db()
    assert attempt.answers == {multiple["id"]: [first]}
    client.post(attempt_url(world, attempt), form_data(attempt, {}, action="save"))
    attempt.refresh_from_db()
    assert attempt.answers == {}


def test_feedback_stays_hidden_when_the_quiz_does_not_show_it(client, world):
    world.quiz.show_feedback = False
    world.quiz.save()
    attempt = quiz_attempt_start(enrollment=world.enrollment, quiz=world.quiz)
    quiz_attempt_submit(attempt_id=attempt.pk, user=world.learner, answers=right_answers(attempt))
    body = login(client, world.learner).get(attempt_url(world, attempt)).content.decode()
    assert "Пояснение к вопросу" not in body
    assert "100" in body  # the score is still shown


def test_an_attempt_whose_time_is_up_shows_the_result(client, world):
    world.quiz.time_limit_minutes = 10
    world.quiz.save()
    attempt = quiz_attempt_start(enrollment=world.enrollment, quiz=world.quiz)
    QuizAttempt.objects.filter(pk=attempt.pk).update(
        deadline_at=timezone.now() - dt.timedelta(minutes=1)
    )
    login(client, world.learner)
    body = client.get(attempt_url(world, attempt)).content.decode()
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.EXPIRED
    assert 'name="with_answers"' not in body
    # The quiz page offers a new attempt (one of two is left).
    body = client.get(world.quiz.url).content.decode()
    assert f'action="{world.quiz.url}start/"' in body


def test_refusals_are_explained_on_the_quiz_page(client, world, make_user):
    stranger = make_user("participant")
    body = login(client, stranger).get(world.quiz.url).content.decode()
    assert f'action="{world.quiz.url}start/"' not in body
    response = client.post(world.quiz.url + "start/", follow=True)
    assert response.status_code == 200
    assert not QuizAttempt.objects.exists()
    assert list(response.context["messages"])


# --- autosave -------------------------------------------------------------------------------


def test_autosave_stores_the_posted_form_and_answers_json(client, world):
    attempt = quiz_attempt_start(enrollment=world.enrollment, quiz=world.quiz)
    url = attempt_url(world, attempt) + "autosave/"
    login(client, world.learner)
    assert client.get(url).status_code == 405
    answers = right_answers(attempt)
    response = client.post(url, form_data(attempt, answers))
    assert response.status_code == 200
    payload = response.json()
    assert payload["saved"] is True and payload["answered"] == 6
    attempt.refresh_from_db()
    assert attempt.answers == answers

    forged = form_data(attempt, answers)
    single = next(q for q in attempt.snapshot["questions"] if q["kind"] == "single")
    forged[f"q-{single['id']}"] = "forged-option"
    response = client.post(url, forged)
    assert response.status_code == 400 and response.json()["code"] == "invalid"

    quiz_attempt_submit(attempt_id=attempt.pk, user=world.learner)
    response = client.post(url, form_data(attempt, {}))
    assert response.status_code == 409
    assert response.json()["url"] == attempt_url(world, attempt)
    attempt.refresh_from_db()
    assert attempt.answers == answers


def test_autosave_needs_the_csrf_token(world):
    attempt = quiz_attempt_start(enrollment=world.enrollment, quiz=world.quiz)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.learner)
    response = client.post(attempt_url(world, attempt) + "autosave/", form_data(attempt, {}))
    assert response.status_code == 403


# --- who sees what --------------------------------------------------------------------------


def test_other_people_cannot_see_or_change_an_attempt(client, world, make_user):
    attempt = quiz_attempt_start(enrollment=world.enrollment, quiz=world.quiz)
    url = attempt_url(world, attempt)
    classmate = make_user("participant")
    enroll(world.cohort, classmate)
    login(client, classmate)
    assert client.get(url).status_code == 404
    assert client.post(url, form_data(attempt, right_answers(attempt))).status_code == 404
    assert client.post(url + "autosave/", form_data(attempt, {})).status_code == 404
    assert client.get(world.quiz.url + "results/").status_code == 404
    # An id of a real attempt under another quiz's address is not found either.
    from tests.lms.courses.test_quiz_setup import make_quiz

    other_quiz = make_quiz(world.module)
    login(client, world.learner)
    assert client.get(f"{other_quiz.url}attempts/{attempt.pk}/").status_code == 404
    assert client.get(f"{world.quiz.url}attempts/999999/").status_code == 404
    attempt.refresh_from_db()
    assert attempt.answers == {}

    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and "login" in response["Location"]


def test_teachers_see_their_cohorts_attempts_only(client, world, make_user):
    attempt = quiz_attempt_start(enrollment=world.enrollment, quiz=world.quiz)
    quiz_attempt_submit(attempt_id=attempt.pk, user=world.learner, answers=right_answers(attempt))
    url = attempt_url(world, attempt)

    login(client, world.teacher)
    body = client.get(url).content.decode()
    assert "Соколова" in body and "Пояснение к вопросу" in body
    assert client.post(url, {"action": "submit"}).status_code == 403
    results = client.get(world.quiz.url + "results/").content.decode()
    assert "Соколова" in results
    assert 'href="' + world.quiz.url + "results/" in client.get(world.quiz.url).content.decode()

    other_teacher = make_user("participant")
    make_cohort(world.course).teachers.add(other_teacher)
    login(client, other_teacher)
    assert client.get(url).status_code == 404
    assert "Соколова" not in client.get(world.quiz.url + "results/").content.decode()

    methodist = make_user("methodist")
    from django.contrib.auth.models import Permission

    methodist.user_permissions.add(Permission.objects.get(codename="view_quizattempt"))
    methodist = User.objects.get(pk=methodist.pk)
    login(client, methodist)
    assert client.get(url).status_code == 200


def test_results_list_queries_do_not_grow_with_learners(
    client, world, make_user, django_assert_max_num_queries
):
    def learners(count):
        for _ in range(count):
            enrollment = enroll(world.cohort, make_user("participant"))
            attempt = quiz_attempt_start(enrollment=enrollment, quiz=world.quiz)
            quiz_attempt_submit(attempt_id=attempt.pk, user=enrollment.user)

    login(client, world.teacher)
    learners(2)
    client.get(world.quiz.url + "results/")  # warm the site and session caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(world.quiz.url + "results/").status_code == 200
    learners(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get(world.quiz.url + "results/").content.decode()
    assert body.count("/attempts/") == 12


def test_anonymous_visitors_see_the_quiz_but_must_sign_in(client, world):
    body = client.get(world.quiz.url).content.decode()
    assert world.quiz.title in body and "login" in body
    response = client.post(world.quiz.url + "start/")
    assert response.status_code == 302 and "login" in response["Location"]
    assert not QuizAttempt.objects.exists()


def test_the_quiz_page_shows_my_attempts(client, world):
    attempt = quiz_attempt_start(enrollment=world.enrollment, quiz=world.quiz)
    quiz_attempt_submit(attempt_id=attempt.pk, user=world.learner)
    body = login(client, world.learner).get(world.quiz.url).content.decode()
    assert f"attempts/{attempt.pk}/" in body
    assert Page.objects.filter(pk=world.quiz.pk).exists()

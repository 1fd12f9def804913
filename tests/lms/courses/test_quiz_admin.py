"""The question bank in the Wagtail admin, deleting pages that quiz records refer to,
and the demo quiz."""

import os

import pytest
from django.contrib.auth.models import Permission
from django.utils import translation

from core.models import User
from lms.quizzes.demo import seed_quiz
from lms.quizzes.models import Question, QuizPage
from lms.quizzes.services import quiz_attempt_start, quiz_attempt_submit
from tests.lms.courses.test_quiz_setup import (
    add_one_of_each,
    add_question,
    build_world,
    make_course,
    right_answers,
)


@pytest.fixture(autouse=True)
def _english(settings):
    """The assertions quote the English messages; the site's default is Russian."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db

BANK = "/admin/quiz_questions/"


@pytest.fixture
def editor(client):
    user = User.objects.create_superuser(email="editor@example.org", password="x-2026-pass")
    client.force_login(user)
    return user


def post_data(course, **fields):
    data = {
        "course": course.pk,
        "pool": "Модуль 1",
        "kind": "single",
        "text": "Какой закон регулирует библиотечное дело?",
        "answers": "*№ 78-ФЗ\n№ 273-ФЗ\n№ 149-ФЗ",
        "points": 2,
        "feedback": "Закон «О библиотечном деле».",
        "is_active": "on",
    }
    data.update(fields)
    return data


def test_an_editor_adds_and_edits_a_question(client, editor):
    course = make_course()
    response = client.post(BANK + "new/", post_data(course))
    assert response.status_code == 302, response.content.decode()[:2000]
    question = Question.objects.get()
    assert question.version == 1 and question.pool == "Модуль 1" and question.points == 2
    ids = {o["text"]: o["id"] for o in question.data["options"]}
    assert [o["correct"] for o in question.data["options"]] == [True, False, False]

    edit = client.get(f"{BANK}edit/{question.pk}/").content.decode()
    assert "*№ 78-ФЗ" in edit  # the answers come back as the editors typed them

    response = client.post(
        f"{BANK}edit/{question.pk}/",
        post_data(course, answers="№ 273-ФЗ\n*№ 78-ФЗ\n№ 44-ФЗ"),
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.version == 2
    edited = {o["text"]: o["id"] for o in question.data["options"]}
    assert edited["№ 78-ФЗ"] == ids["№ 78-ФЗ"] and edited["№ 273-ФЗ"] == ids["№ 273-ФЗ"]
    assert edited["№ 44-ФЗ"] not in ids.values()

    listing = client.get(BANK, {"q": "библиотечное"}).content.decode()
    assert "Какой закон регулирует" in listing


@pytest.mark.parametrize(
    ("kind", "answers", "message"),
    [
        ("single", "*А\n*Б", "exactly one correct option"),
        ("multiple", "А\nБ", "at least one correct option"),
        ("matching", "Каталог — поиск\nФормуляр — выдача", "«left = right»"),
    ],
)
def test_bad_answers_are_explained_and_the_typed_text_kept(client, editor, kind, answers, message):
    course = make_course()
    response = client.post(BANK + "new/", post_data(course, kind=kind, answers=answers))
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert answers.split("\n")[0] in body
    assert not Question.objects.exists()


def test_the_bank_needs_permission(client, make_user):
    participant = make_user("participant")
    client.force_login(participant)
    assert client.get(BANK).status_code in (302, 403)
    methodist = make_user("methodist")
    methodist.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_question", "add_question", "change_question"]
        )
    )
    client.force_login(User.objects.get(pk=methodist.pk))
    assert client.get(BANK).status_code == 200


def test_pages_that_quiz_records_refer_to_are_not_deleted(client, editor, make_user):
    world = build_world(make_user)
    add_one_of_each(world.course)
    attempt = quiz_attempt_start(enrollment=world.enrollment, quiz=world.quiz)
    quiz_attempt_submit(attempt_id=attempt.pk, user=world.learner, answers=right_answers(attempt))

    response = client.post(f"/admin/pages/{world.quiz.pk}/delete/")
    assert response.status_code == 302
    assert QuizPage.objects.filter(pk=world.quiz.pk).exists()

    # A course nobody has studied yet, but with a question bank: kept as well.
    course = make_course()
    add_question(course, "true_false")
    response = client.post(f"/admin/pages/{course.pk}/delete/", follow=True)
    assert response.redirect_chain == [(f"/admin/pages/{course.pk}/edit/", 302)]
    assert {m.level_tag for m in response.context["messages"]} == {"error"}
    assert Question.objects.filter(course=course).exists()
    assert type(course).objects.filter(pk=course.pk).exists()


def test_demo_quiz_has_every_kind_and_seeding_twice_changes_nothing(make_user):
    world = build_world(make_user)
    log_lines = []
    quiz = seed_quiz(world.course, world.module, log_lines.append)
    again = seed_quiz(world.course, world.module, log_lines.append)
    assert again.pk == quiz.pk
    bank = Question.objects.filter(course=world.course)
    assert bank.count() >= 8
    assert set(bank.values_list("kind", flat=True)) == {
        "single",
        "multiple",
        "true_false",
        "short_answer",
        "matching",
        "ordering",
    }
    assert quiz.live and quiz.time_limit_minutes == 20
    assert QuizPage.objects.child_of(world.module).filter(slug=quiz.slug).count() == 1
    # The demo quiz is playable end to end.
    attempt = quiz_attempt_start(enrollment=world.enrollment, quiz=quiz)
    assert len(attempt.snapshot["questions"]) == 8
    closed = quiz_attempt_submit(
        attempt_id=attempt.pk, user=world.learner, answers=right_answers(attempt)
    )
    assert closed.passed and closed.percent == 100
    assert os.linesep not in "".join(log_lines)

"""Consultation desk, the methodists' side: the queue, assigning, closing, cabinet and dashboard."""

import datetime as dt
import uuid

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone
from wagtail.models import Site

from cms.consultations.models import Question, QuestionStatus
from cms.consultations.selectors import dashboard_stats, queue_summary
from cms.consultations.services import (
    QuestionRefused,
    question_answer,
    question_ask,
    question_assign,
    question_close,
)
from cms.models import ConsultationIndexPage, Topic
from core.models import ConsentDocument

pytestmark = pytest.mark.django_db


@pytest.fixture
def index(db):
    root = Site.objects.get(is_default_site=True).root_page
    page = ConsultationIndexPage(title="Консультации", slug="consultations")
    root.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


@pytest.fixture
def topic(db):
    return Topic.objects.create(name="Нормативная база", slug="normativnaya-baza")


@pytest.fixture
def asker(make_user):
    ConsentDocument.objects.create(
        purpose="personal_data",
        version="1.0",
        title="Согласие",
        text="Текст согласия.",
        published_at=timezone.now() - dt.timedelta(days=1),
    )
    return make_user("participant", email="asker@example.org", last_name="Орлова")


@pytest.fixture
def methodist(make_user):
    return make_user("methodist", email="m1@example.org", last_name="Кузнецова")


@pytest.fixture
def colleague(make_user):
    return make_user("methodist", email="m2@example.org", last_name="Петрова")


def ask(asker, topic, *, text="Как часто сверять фонд с Федеральным списком?", days_ago=0):
    question, _created = question_ask(
        asker=asker, topic=topic, text=text, client_token=uuid.uuid4(), consent_given=True
    )
    if days_ago:
        Question.objects.filter(pk=question.pk).update(
            created=timezone.now() - dt.timedelta(days=days_ago, hours=1)
        )
        question.refresh_from_db()
    return question


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- permissions ----------------------------------------------------------------


@pytest.mark.parametrize("role", ["participant", "expert", "moderator"])
def test_queue_is_closed_to_other_roles(index, topic, asker, make_user, role):
    question = ask(asker, topic)
    client = login(make_user(role))
    assert client.get(index.url + "queue/").status_code == 403
    assert client.get(f"{index.url}queue/{question.pk}/").status_code == 403
    response = client.post(f"{index.url}queue/{question.pk}/answer/", {"answer": "Ответ"})
    assert response.status_code == 403
    question.refresh_from_db()
    assert question.status == QuestionStatus.NEW


@pytest.mark.parametrize("role", ["methodist", "head", "administrator"])
def test_queue_is_open_to_the_department(index, make_user, role):
    assert login(make_user(role)).get(index.url + "queue/").status_code == 200


def test_forged_question_ids_give_404(index, methodist):
    client = login(methodist)
    assert client.get(f"{index.url}queue/999999/").status_code == 404
    for action in ("assign", "answer", "publish", "close"):
        response = client.post(f"{index.url}queue/999999/{action}/", {"answer": "x"})
        assert response.status_code == 404, action


def test_actions_need_post(index, topic, asker, methodist):
    question = ask(asker, topic)
    client = login(methodist)
    for action in ("assign", "answer", "publish", "close"):
        assert client.get(f"{index.url}queue/{question.pk}/{action}/").status_code == 405


def test_services_refuse_people_outside_the_queue(topic, asker, make_user):
    question = ask(asker, topic)
    with pytest.raises(QuestionRefused):
        question_answer(question_id=question.pk, actor=asker, answer="Сам себе отвечу")


# --- the queue ------------------------------------------------------------------


def test_queue_is_oldest_first_with_sla_and_filters(index, topic, asker, methodist, settings):
    settings.PORTAL_CONSULTATION_SLA_DAYS = 5
    other_topic = Topic.objects.create(name="Работа с фондом", slug="rabota-s-fondom")
    overdue = ask(asker, topic, text="Старый вопрос о сверке", days_ago=8)
    fresh = ask(asker, other_topic, text="Свежий вопрос о фонде", days_ago=1)
    answered = ask(asker, topic, text="Отвеченный вопрос")
    question_answer(question_id=answered.pk, actor=methodist, answer="Ответ дан.")
    client = login(methodist)

    response = client.get(index.url + "queue/")
    body = response.content.decode()
    assert body.index(overdue.text) < body.index(fresh.text)
    assert answered.text not in body
    rows = {question.pk: (days, late) for question, days, late in response.context["rows"]}
    assert rows[overdue.pk] == (8, True)
    assert rows[fresh.pk] == (1, False)
    assert "queue-row--overdue" in body

    body = client.get(index.url + "queue/", {"topic": other_topic.pk}).content.decode()
    assert fresh.text in body and overdue.text not in body
    body = client.get(index.url + "queue/", {"status": "answered"}).content.decode()
    assert answered.text in body and fresh.text not in body
    question_assign(
        question_id=fresh.pk, actor=methodist, assignee=methodist, expected_assignee_id=None
    )
    body = client.get(index.url + "queue/", {"mine": "1"}).content.decode()
    assert fresh.text in body and overdue.text not in body
    assert client.get(index.url + "queue/", {"status": "bogus", "topic": "x"}).status_code == 200


def test_queue_queries_do_not_grow_with_the_number_of_questions(
    index, topic, asker, methodist, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(methodist)
    for _ in range(3):
        question = ask(asker, topic)
        question_assign(
            question_id=question.pk, actor=methodist, assignee=methodist, expected_assignee_id=None
        )
    with CaptureQueriesContext(connection) as few:
        client.get(index.url + "queue/")
    for _ in range(27):
        ask(asker, topic)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(index.url + "queue/")
    assert len(response.context["rows"]) == 30


# --- assigning -------------------------------------------------------------------


def test_two_methodists_taking_a_question_at_once(index, topic, asker, methodist, colleague):
    question = ask(asker, topic)
    seen = {"assignee": "", "expected_assignee": ""}
    first = login(methodist).post(
        f"{index.url}queue/{question.pk}/assign/", {**seen, "assignee": methodist.pk}
    )
    assert first.status_code == 302
    # The colleague's page still showed the question as free.
    second_client = login(colleague)
    second = second_client.post(
        f"{index.url}queue/{question.pk}/assign/",
        {**seen, "assignee": colleague.pk},
        follow=True,
    )
    question.refresh_from_db()
    assert question.assignee == methodist and question.status == QuestionStatus.ASSIGNED
    messages = [str(message) for message in second.context["messages"]]
    assert any("Кузнецова" in message for message in messages)

    # Taking over deliberately (knowing who had it) works, and repeating it changes nothing.
    for _ in range(2):
        second_client.post(
            f"{index.url}queue/{question.pk}/assign/",
            {"assignee": colleague.pk, "expected_assignee": methodist.pk},
        )
    question.refresh_from_db()
    assert question.assignee == colleague


def test_only_the_assignee_answers(topic, asker, methodist, colleague):
    question = ask(asker, topic)
    question_assign(
        question_id=question.pk, actor=methodist, assignee=methodist, expected_assignee_id=None
    )
    with pytest.raises(QuestionRefused) as refusal:
        question_answer(question_id=question.pk, actor=colleague, answer="Мой ответ")
    assert refusal.value.code == "conflict"
    question_answer(question_id=question.pk, actor=methodist, answer="Ответ")


def test_answering_twice_notifies_once(topic, asker, methodist):
    from core.models import Notification

    question = ask(asker, topic)
    for _ in range(2):
        question_answer(question_id=question.pk, actor=methodist, answer="Ответ")
    assert Notification.objects.filter(recipient=asker, kind="consultations.answered").count() == 1
    question.refresh_from_db()
    assert question.assignee == methodist
    with pytest.raises(QuestionRefused):
        question_answer(question_id=question.pk, actor=methodist, answer="Другой ответ")


def test_assigning_to_someone_outside_the_queue_is_refused(topic, asker, methodist):
    question = ask(asker, topic)
    with pytest.raises(QuestionRefused):
        question_assign(
            question_id=question.pk, actor=methodist, assignee=asker, expected_assignee_id=None
        )


def test_an_invalid_answer_keeps_what_was_typed(index, topic, asker, methodist, colleague):
    question = ask(asker, topic)
    question_assign(
        question_id=question.pk, actor=colleague, assignee=colleague, expected_assignee_id=None
    )
    response = login(methodist).post(
        f"{index.url}queue/{question.pk}/answer/", {"answer": "Черновик ответа коллеге"}
    )
    assert response.status_code == 200
    assert "Черновик ответа коллеге" in response.content.decode()
    assert "Петрова" in response.content.decode()


def test_closing_takes_the_question_out_of_the_queue(index, topic, asker, methodist):
    question = ask(asker, topic, text="Вопрос-дубликат")
    client = login(methodist)
    for _ in range(2):
        assert client.post(f"{index.url}queue/{question.pk}/close/").status_code == 302
    question.refresh_from_db()
    assert question.status == QuestionStatus.CLOSED and question.closed_at
    assert "Вопрос-дубликат" not in client.get(index.url + "queue/").content.decode()
    assert question_close(question_id=question.pk, actor=methodist).status == "closed"


# --- invariants --------------------------------------------------------------------


def test_database_refuses_an_answered_question_without_answer(topic, asker, methodist):
    question = ask(asker, topic)
    with pytest.raises(IntegrityError), transaction.atomic():
        Question.objects.filter(pk=question.pk).update(status=QuestionStatus.ANSWERED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Question.objects.filter(pk=question.pk).update(status=QuestionStatus.ASSIGNED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Question.objects.create(
            asker=asker,
            topic=topic,
            text="x",
            status=QuestionStatus.ANSWERED,
            answer="Ответ",
            answered_by=methodist,
        )


# --- cabinet and dashboard -----------------------------------------------------------


def test_cabinet_shows_my_questions_and_the_queue(index, topic, asker, methodist, make_user):
    ask(asker, topic, days_ago=3)
    body = login(asker).get("/cabinet/").content.decode()
    assert index.url + "my/" in body
    assert index.url + "queue/" not in body

    body = login(methodist).get("/cabinet/").content.decode()
    assert index.url + "queue/" in body
    summary = queue_summary(methodist)
    assert summary.waiting == 1 and summary.oldest_days == 3

    # Someone who never asked sees no "My questions" block.
    assert (
        index.url + "my/" not in login(make_user("participant")).get("/cabinet/").content.decode()
    )


def test_dashboard_counts_and_median(topic, asker, methodist, make_user):
    now = timezone.now()
    for days in (2, 4, 10):
        question = ask(asker, topic)
        question_answer(question_id=question.pk, actor=methodist, answer="Ответ")
        Question.objects.filter(pk=question.pk).update(
            created=now - dt.timedelta(days=days), answered_at=now
        )
    ask(asker, topic, days_ago=20)
    stats = dashboard_stats(now=now)
    assert stats.median_days_to_answer == 4.0
    assert stats.waiting == 1 and stats.overdue == 1
    assert stats.answered_this_month == 3

    head = login(make_user("head"))
    response = head.get("/cabinet/dashboard/")
    assert response.status_code == 200
    assert any(widget.key == "consultations" for widget in response.context["widgets"])


# --- real concurrency (PostgreSQL row locks) ---------------------------------------------


def _in_parallel(calls) -> tuple[list, list]:
    """Run the calls in threads released at the same instant: (results, unexpected errors)."""
    import threading

    from django.db import connections

    barrier = threading.Barrier(len(calls))
    results, errors = [], []

    def run(call):
        try:
            barrier.wait()
            results.append(call())
        except QuestionRefused as refusal:
            results.append(refusal)
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_methodists_racing_for_one_question_and_one_faq_entry(index, topic, asker, make_user):
    from tests.conftest import need, postgres_available

    need(postgres_available(), "DATABASE_URL does not point at PostgreSQL")
    from cms.consultations.models import ConsultationAnswerPage
    from cms.consultations.services import question_publish_faq

    question = ask(asker, topic)
    staff = [make_user("methodist") for _ in range(6)]
    results, errors = _in_parallel(
        [
            (
                lambda user=user: question_assign(
                    question_id=question.pk, actor=user, assignee=user, expected_assignee_id=None
                )
            )
            for user in staff
        ]
    )
    assert errors == []
    winners = [result for result in results if isinstance(result, Question)]
    refusals = [result for result in results if isinstance(result, QuestionRefused)]
    assert len(winners) == 1 and len(refusals) == 5
    assert {refusal.code for refusal in refusals} == {"conflict"}
    question.refresh_from_db()
    assert question.assignee == winners[0].assignee

    question_answer(question_id=question.pk, actor=question.assignee, answer="Ответ.")
    results, errors = _in_parallel(
        [
            (
                lambda user=user: question_publish_faq(
                    question_id=question.pk,
                    actor=user,
                    index=index,
                    title="Как часто сверять фонд?",
                    question_text="Как часто сверять фонд с Федеральным списком?",
                    answer="Ответ.",
                    topic=topic,
                )
            )
            for user in staff[:3]
        ]
    )
    assert errors == []
    assert ConsultationAnswerPage.objects.count() == 1

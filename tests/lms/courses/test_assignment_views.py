"""The assignment page, file downloads, the review queue and review page, cohort messages.

Other users' submissions and files, other teachers' cohorts and forged ids are 404s.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.models import Notification
from lms.assignments.models import CohortMessage, Submission, SubmissionStatus
from lms.assignments.services import submission_create, submission_review
from lms.courses.models import EnrollmentStatus
from tests.lms.courses.test_assignment_setup import (
    build_world,
    enroll,
    grant_cohort_management,
    make_cohort,
    pdf_file,
    png_file,
    set_deadline,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user):
    return build_world(make_user)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def hand_in(world, key="t-1", **kwargs):
    return submission_create(
        user=world.learner,
        assignment=world.assignment,
        client_token=key,
        text=kwargs.pop("text", "Схема зонирования во вложении."),
        files=kwargs.pop("files", [pdf_file()]),
    )


# --- the assignment page ------------------------------------------------------------------


def test_the_learner_hands_in_text_and_files_through_the_page(world):
    set_deadline(world.cohort, world.assignment, timezone.now() + dt.timedelta(days=5))
    client = client_for(world.learner)
    page = client.get(world.assignment.url)
    assert page.status_code == 200
    assert page.context["can_submit"]
    token = page.context["form"].initial["client_token"]
    assert 'enctype="multipart/form-data"' in page.content.decode()

    response = client.post(
        world.assignment.url,
        {"text": "Пять зон ИБЦ", "client_token": token, "files": [pdf_file(), png_file()]},
    )
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert submission.text == "Пять зон ИБЦ" and submission.files.count() == 2
    assert not submission.is_late

    # The double click: the same form again changes nothing.
    again = client.post(
        world.assignment.url, {"text": "Пять зон ИБЦ", "client_token": token}, follow=True
    )
    # The first post's message was never shown (not followed), so two success messages.
    assert {m.level_tag for m in again.context["messages"]} == {"success"}
    assert Submission.objects.count() == 1
    # A second tab with a form of its own is told the work awaits review.
    other_tab = client.post(
        world.assignment.url, {"text": "Ещё раз", "client_token": "other-tab"}, follow=True
    )
    assert [m.level_tag for m in other_tab.context["messages"]] == ["error"]
    assert Submission.objects.count() == 1

    history = client.get(world.assignment.url)
    assert history.context["history"] == [submission]
    assert not history.context["can_submit"]
    assert "Пять зон ИБЦ" in history.content.decode()


def test_a_bad_file_keeps_what_the_learner_typed(world):
    client = client_for(world.learner)
    token = client.get(world.assignment.url).context["form"].initial["client_token"]
    fake = pdf_file("отчёт.pdf")
    fake.file.seek(0)
    fake.file.write(b"not a pdf")
    fake.file.seek(0)
    response = client.post(
        world.assignment.url,
        {"text": "Длинный ответ, набранный с любовью", "client_token": token, "files": [fake]},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["files"]
    assert "Длинный ответ, набранный с любовью" in response.content.decode()
    assert not Submission.objects.exists()


def test_the_page_tells_outsiders_and_visitors_what_to_do(world, make_user):
    anonymous = Client().get(world.assignment.url)
    assert anonymous.status_code == 200
    assert anonymous.context["form"] is None
    assert not anonymous.context["can_read"]

    outsider = client_for(make_user("participant")).get(world.assignment.url)
    assert outsider.context["enrollment"] is None and outsider.context["form"] is None

    # A POST from someone who may not hand in creates nothing.
    response = client_for(make_user("participant")).post(
        world.assignment.url, {"text": "x", "client_token": "forged"}
    )
    assert response.status_code == 302
    assert not Submission.objects.exists()
    assert Client().post(world.assignment.url, {"text": "x"}).status_code == 302


def test_the_history_shows_the_teachers_comment_and_the_resubmit_form(world):
    submission = hand_in(world)
    submission_review(
        submission_id=submission.pk,
        reviewer=world.teacher,
        decision="return",
        comment="Добавьте зону для работы с ЭОР.",
    )
    page = client_for(world.learner).get(world.assignment.url)
    assert page.context["can_submit"]
    html = page.content.decode()
    assert "Добавьте зону для работы с ЭОР." in html
    assert reverse("lms:assignments:file", args=[submission.files.get().pk]) in html


# --- files ----------------------------------------------------------------------------------


def test_files_go_to_their_learner_and_the_cohorts_teachers_only(world, make_user):
    stored = hand_in(world).files.get()
    url = reverse("lms:assignments:file", args=[stored.pk])

    for user in (world.learner, world.teacher, grant_cohort_management(make_user("methodist"))):
        response = client_for(user).get(url)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content).startswith(b"%PDF")

    other_learner = make_user("participant")
    enroll(world.cohort, other_learner)
    other_teacher = make_user("participant")
    make_cohort(world.course).teachers.add(other_teacher)
    for user in (other_learner, other_teacher):
        assert client_for(user).get(url).status_code == 404
    assert client_for(world.learner).get(url.replace(str(stored.pk), "999999")).status_code == 404
    assert Client().get(url).status_code == 302  # to the sign-in page
    # There is no public URL for it either.
    assert "/media/" not in stored.file.name and not stored.file.name.startswith("/")
    with pytest.raises(ValueError):
        stored.file.url  # noqa: B018


# --- the review queue and the review page -----------------------------------------------


def test_the_queue_shows_only_my_cohorts_oldest_first_with_filters(world, make_user):
    other_cohort = make_cohort(world.course)
    stranger = make_user("participant", last_name="Чужая")
    enroll(other_cohort, stranger)
    submission_create(
        user=stranger, assignment=world.assignment, client_token="s-1", text="Чужой поток"
    )
    late_learner = make_user("participant", last_name="Опоздавшая")
    enroll(world.cohort, late_learner)
    first = hand_in(world)
    set_deadline(world.cohort, world.assignment, timezone.now() - dt.timedelta(minutes=1))
    late = submission_create(
        user=late_learner, assignment=world.assignment, client_token="l-1", text="Поздно"
    )

    client = client_for(world.teacher)
    url = reverse("lms:assignments:review_queue")
    response = client.get(url)
    assert list(response.context["page_obj"]) == [first, late]
    assert "Чужая" not in response.content.decode()

    assert list(client.get(url, {"late": "1"}).context["page_obj"]) == [late]
    # A cohort the teacher does not teach is ignored, not obeyed.
    forged = client.get(url, {"cohort": other_cohort.pk})
    assert list(forged.context["page_obj"]) == [first, late]

    methodist = client_for(grant_cohort_management(make_user("methodist")))
    everything = methodist.get(url, {"cohort": other_cohort.pk})
    assert [s.enrollment.user for s in everything.context["page_obj"]] == [stranger]

    assert client_for(world.learner).get(url).status_code == 403


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def add_hand_ins(world, make_user, count: int, prefix: str) -> None:
    for number in range(count):
        learner = make_user("participant")
        enroll(world.cohort, learner)
        submission_create(
            user=learner,
            assignment=world.assignment,
            client_token=f"{prefix}-{number}",
            text="Ответ",
            files=[pdf_file()],
        )


def test_the_review_queue_has_a_constant_number_of_queries(
    world, make_user, django_assert_max_num_queries
):
    client = client_for(world.teacher)
    url = reverse("lms:assignments:review_queue")
    add_hand_ins(world, make_user, 2, "a")
    queries_for(client, url)  # warms the per-process caches (content types, site root)
    few = queries_for(client, url)
    add_hand_ins(world, make_user, 25, "b")
    with django_assert_max_num_queries(few):
        response = client.get(url)
    assert len(response.context["page_obj"]) == 27


def test_the_teacher_returns_and_accepts_through_the_review_page(world, mailoutbox):
    submission = hand_in(world)
    client = client_for(world.teacher)
    url = reverse("lms:assignments:review", args=[submission.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Схема зонирования во вложении." in page.content.decode()

    missing_comment = client.post(url, {"decision": "return", "points": ""})
    assert missing_comment.status_code == 200
    assert missing_comment.context["form"].errors["comment"]

    response = client.post(url, {"decision": "return", "comment": "Доработайте вывод."})
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.RETURNED
    # The replayed form is refused with a message, not a second decision.
    replay = client.post(url, {"decision": "accept", "points": "9"}, follow=True)
    assert replay.status_code == 200
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.RETURNED

    second = hand_in(world, key="t-2")
    response = client.post(
        reverse("lms:assignments:review", args=[second.pk]),
        {"decision": "accept", "points": "9", "comment": "Отлично."},
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert (second.status, second.points) == (SubmissionStatus.ACCEPTED, 9)


def test_review_pages_of_other_cohorts_and_forged_ids_are_404(world, make_user):
    submission = hand_in(world)
    url = reverse("lms:assignments:review", args=[submission.pk])
    other_teacher = make_user("participant")
    make_cohort(world.course).teachers.add(other_teacher)
    for user in (other_teacher, world.learner):
        client = client_for(user)
        assert client.get(url).status_code == 404
        assert client.post(url, {"decision": "accept", "points": "10"}).status_code == 404
    assert (
        client_for(world.teacher).get(reverse("lms:assignments:review", args=[999_999])).status_code
        == 404
    )
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.SUBMITTED


# --- messages to a cohort --------------------------------------------------------------------


def test_a_cohort_message_reaches_every_learner_of_the_cohort_and_nobody_else(
    world, make_user, mailoutbox, django_capture_on_commit_callbacks
):
    second = make_user("participant")
    enroll(world.cohort, second)
    finished = make_user("participant")
    enroll(world.cohort, finished, status=EnrollmentStatus.COMPLETED)
    waiting = make_user("participant")
    enroll(world.cohort, waiting, status=EnrollmentStatus.WAITLISTED)
    withdrawn = make_user("participant")
    enroll(world.cohort, withdrawn, status=EnrollmentStatus.WITHDRAWN)
    elsewhere = make_user("participant")
    enroll(make_cohort(world.course), elsewhere)

    client = client_for(world.teacher)
    url = reverse("lms:assignments:cohort_message", args=[world.cohort.pk])
    token = client.get(url).context["form"].initial["client_token"]
    data = {
        "subject": "Вебинар по модулю 2 переносится",
        "body": "Встречаемся в четверг в 16:00.",
        "client_token": token,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302
    expected = {world.learner.email, second.email, finished.email}
    assert {message.to[0] for message in mailoutbox} == expected
    assert len(mailoutbox) == 3
    assert (
        set(
            Notification.objects.filter(kind="courses.cohort_message").values_list(
                "recipient__email", flat=True
            )
        )
        == expected
    )
    message = CohortMessage.objects.get()
    assert (message.author, message.recipients) == (world.teacher, 3)

    # The same form sent again (a double click) sends nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, data)
    assert CohortMessage.objects.count() == 1 and len(mailoutbox) == 3


def test_only_the_cohorts_teachers_and_methodists_message_it(world, make_user):
    url = reverse("lms:assignments:cohort_message", args=[world.cohort.pk])
    other_teacher = make_user("participant")
    make_cohort(world.course).teachers.add(other_teacher)
    for user in (world.learner, other_teacher):
        client = client_for(user)
        assert client.get(url).status_code == 404
        response = client.post(url, {"subject": "Спам", "body": "Спам", "client_token": "x"})
        assert response.status_code == 404
    assert not CohortMessage.objects.exists()
    methodist = client_for(grant_cohort_management(make_user("methodist")))
    assert methodist.get(url).status_code == 200
    missing = client_for(world.teacher).post(url, {"subject": "", "body": "", "client_token": "y"})
    assert missing.status_code == 200 and missing.context["form"].errors
    assert not CohortMessage.objects.exists()


def test_a_locked_assignment_says_why_and_offers_no_form(world):
    from lms.courses.models import CoursePage, LessonPage

    CoursePage.objects.filter(pk=world.course.pk).update(access_mode="sequential")
    lesson = LessonPage(title="Урок 1. Концепция ИБЦ", slug="urok-1")
    world.module.add_child(instance=lesson)
    lesson.save_revision().publish()
    lesson.move(world.assignment, pos="left")

    page = client_for(world.learner).get(world.assignment.url)
    assert page.context["form"] is None
    assert not page.context["can_read"]
    assert "Урок 1. Концепция ИБЦ" in page.context["locked_reason"]
    assert page.context["locked_reason"] in page.content.decode()
    # The teacher reads the instructions whatever the learner's rules.
    assert client_for(world.teacher).get(world.assignment.url).context["can_read"]

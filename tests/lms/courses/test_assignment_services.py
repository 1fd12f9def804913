"""Hand-ins and the review loop: submit → return with a comment → resubmit → accept."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from core.models import Notification
from core.storage import private_root
from lms.assignments.models import (
    Review,
    Submission,
    SubmissionFile,
    SubmissionStatus,
)
from lms.assignments.services import (
    SubmissionRefused,
    submission_create,
    submission_review,
)
from lms.courses.models import EnrollmentStatus
from tests.lms.courses.test_assignment_setup import (
    build_world,
    docx_file,
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


def submit(world, key="t-1", text="Предлагаю выделить пять зон ИБЦ.", files=(), **kwargs):
    return submission_create(
        user=world.learner,
        assignment=world.assignment,
        client_token=key,
        text=text,
        files=list(files),
        **kwargs,
    )


def test_the_review_loop_keeps_every_version_and_tells_the_learner(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    first = submit(world, files=[pdf_file()])
    assert (first.number, first.status, first.is_late) == (1, SubmissionStatus.SUBMITTED, False)
    [stored] = first.files.all()
    assert stored.name == "анализ-фонда.pdf" and stored.kind == "pdf"
    # The file lies in the private storage, under a safe unique name, not in public media.
    path = stored.file.path
    assert path.startswith(str(private_root()))
    assert stored.file.read().startswith(b"%PDF")

    with django_capture_on_commit_callbacks(execute=True):
        submission_review(
            submission_id=first.pk,
            reviewer=world.teacher,
            decision="return",
            points=4,
            comment="Не хватает зоны для работы с ЭОР. Доработайте схему.",
        )
    first.refresh_from_db()
    assert first.status == SubmissionStatus.RETURNED and first.points == 4
    [returned_mail] = mailoutbox
    assert returned_mail.to == [world.learner.email]
    assert "Доработайте схему" in returned_mail.body
    notification = Notification.objects.get(recipient=world.learner, kind__startswith="courses.")
    assert notification.kind == "courses.submission_reviewed"
    assert notification.url == world.assignment.url

    second = submit(world, key="t-2", text="Добавила зону работы с ЭОР.", files=[png_file()])
    assert second.number == 2

    with django_capture_on_commit_callbacks(execute=True):
        submission_review(
            submission_id=second.pk, reviewer=world.teacher, decision="accept", points=9
        )
    second.refresh_from_db()
    assert (second.status, second.points) == (SubmissionStatus.ACCEPTED, 9)
    reviewed = Notification.objects.filter(kind="courses.submission_reviewed").order_by("pk")
    assert reviewed.count() == 2
    accepted_mail = [m for m in mailoutbox if reviewed[1].title in m.subject]
    assert len(accepted_mail) == 1 and "9" in accepted_mail[0].body

    history = list(
        Submission.objects.filter(enrollment=world.enrollment, assignment=world.assignment)
    )
    assert [(s.number, s.status) for s in history] == [(1, "returned"), (2, "accepted")]
    assert [r.decision for r in Review.objects.order_by("pk")] == ["return", "accept"]

    # Nothing more to hand in once the work is accepted.
    with pytest.raises(SubmissionRefused) as refused:
        submit(world, key="t-3")
    assert refused.value.code == "accepted"


def test_a_new_version_waits_for_the_review_of_the_open_one(world):
    submit(world)
    with pytest.raises(SubmissionRefused) as refused:
        submit(world, key="t-2")
    assert refused.value.code == "submitted"
    # The database holds the rule too, for a writer that would skip the service.
    with pytest.raises(IntegrityError), transaction.atomic():
        Submission.objects.create(
            enrollment=world.enrollment,
            assignment=world.assignment,
            number=2,
            submitted_at=timezone.now(),
            client_token="raw",
        )


def test_a_rejection_is_final(world):
    first = submit(world)
    submission_review(
        submission_id=first.pk,
        reviewer=world.teacher,
        decision="reject",
        comment="Работа выполнена не по заданию курса.",
    )
    with pytest.raises(SubmissionRefused) as refused:
        submit(world, key="t-2")
    assert refused.value.code == "rejected"


def test_a_double_submit_makes_one_submission_and_stores_the_files_once(world):
    first = submit(world, key="same", files=[pdf_file()])
    again = submit(world, key="same", files=[pdf_file()])
    assert again.pk == first.pk
    assert Submission.objects.count() == 1
    assert SubmissionFile.objects.count() == 1


def test_a_token_of_someone_else_changes_nothing(world, make_user):
    other = make_user("participant")
    enroll(world.cohort, other)
    mine = submit(world, key="shared")
    with pytest.raises(SubmissionRefused) as refused:
        submission_create(
            user=other, assignment=world.assignment, client_token="shared", text="Чужое"
        )
    assert refused.value.code == "token"
    assert Submission.objects.get().pk == mine.pk


def test_late_work_is_marked_against_the_cohorts_own_deadline(world, make_user):
    due = timezone.now() - dt.timedelta(hours=1)
    set_deadline(world.cohort, world.assignment, due)
    late = submit(world)
    assert late.is_late and late.due_at == due

    # Another cohort of the same course has its own, later deadline.
    other_cohort = make_cohort(world.course)
    set_deadline(other_cohort, world.assignment, timezone.now() + dt.timedelta(days=3))
    other = make_user("participant")
    enroll(other_cohort, other)
    on_time = submission_create(
        user=other, assignment=world.assignment, client_token="o-1", text="Вовремя"
    )
    assert not on_time.is_late


def test_files_are_checked_by_content_type_list_and_size(world):
    fake = pdf_file("отчёт.pdf")
    fake.file.seek(0)
    fake.file.write(b"MZ this is not a pdf at all")
    fake.file.seek(0)
    with pytest.raises(ValidationError) as error:
        submit(world, files=[fake])
    assert error.value.message_dict["files"][0].startswith("отчёт.pdf: ")
    assert not Submission.objects.exists()

    # An Office file is recognised by the members of its ZIP container.
    assert submit(world, key="d", files=[docx_file()]).files.get().kind == "docx"


def test_a_type_outside_the_assignments_list_and_a_too_big_file_are_refused(make_user):
    world = build_world(make_user, file_kinds="pdf", max_file_size_mb=1)
    with translation.override("en"):
        with pytest.raises(ValidationError) as error:
            submit(world, files=[png_file()])
        assert "not accepted. Allowed: PDF" in error.value.message_dict["files"][0]

        with pytest.raises(ValidationError) as error:
            submit(world, key="big", files=[pdf_file(size=1024 * 1024 + 1)])
        assert "too large" in error.value.message_dict["files"][0]
    assert not Submission.objects.exists()
    # Exactly at the limit is fine.
    assert submit(world, key="ok", files=[pdf_file(size=1024 * 1024)]).files.count() == 1


def test_an_empty_answer_or_text_where_only_files_are_asked_is_refused(make_user):
    world = build_world(make_user, text_allowed=False)
    with pytest.raises(ValidationError):
        submit(world, text="Только текст, без файла")
    assert not Submission.objects.exists()
    submission = submit(world, key="f", text="текст пропадёт", files=[pdf_file()])
    assert submission.text == ""


def test_only_studying_learners_hand_in(world, make_user):
    outsider = make_user("participant")
    with pytest.raises(SubmissionRefused) as refused:
        submission_create(user=outsider, assignment=world.assignment, client_token="x", text="?")
    assert refused.value.code == "not_enrolled"

    waiting = make_user("participant")
    enroll(world.cohort, waiting, status=EnrollmentStatus.WAITLISTED)
    with pytest.raises(SubmissionRefused):
        submission_create(user=waiting, assignment=world.assignment, client_token="y", text="?")


def test_nothing_is_handed_in_before_the_cohort_starts(make_user):
    world = build_world(make_user)
    world.cohort.starts_on = timezone.localdate() + dt.timedelta(days=2)
    world.cohort.save()
    with pytest.raises(SubmissionRefused) as refused:
        submit(world)
    assert refused.value.code == "locked"


def test_review_input_rules(world):
    submission = submit(world)
    with pytest.raises(ValidationError) as error:
        submission_review(submission_id=submission.pk, reviewer=world.teacher, decision="return")
    assert "comment" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        submission_review(
            submission_id=submission.pk, reviewer=world.teacher, decision="accept", points=5
        )
    assert "points" in error.value.message_dict  # below the pass mark of 6
    with pytest.raises(ValidationError):
        submission_review(
            submission_id=submission.pk, reviewer=world.teacher, decision="accept", points=11
        )
    with pytest.raises(ValidationError):
        submission_review(submission_id=submission.pk, reviewer=world.teacher, decision="accept")
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.SUBMITTED
    assert not Review.objects.exists()


def test_the_second_decision_is_refused_with_the_name_of_who_decided(world, make_user):
    colleague = make_user("participant", last_name="Кузнецова")
    world.cohort.teachers.add(colleague)
    submission = submit(world)
    submission_review(
        submission_id=submission.pk, reviewer=world.teacher, decision="accept", points=8
    )
    with pytest.raises(SubmissionRefused) as refused:
        submission_review(
            submission_id=submission.pk,
            reviewer=colleague,
            decision="return",
            comment="Переделать",
        )
    assert "Петрова" in refused.value.message
    assert Review.objects.get().reviewer == world.teacher


def test_teachers_of_other_cohorts_cannot_review_but_methodists_can(world, make_user):
    submission = submit(world)
    other_teacher = make_user("participant")
    make_cohort(world.course).teachers.add(other_teacher)
    with pytest.raises(Submission.DoesNotExist):
        submission_review(
            submission_id=submission.pk, reviewer=other_teacher, decision="accept", points=10
        )
    with pytest.raises(Submission.DoesNotExist):
        submission_review(
            submission_id=submission.pk, reviewer=world.learner, decision="accept", points=10
        )
    methodist = grant_cohort_management(make_user("methodist"))
    submission_review(submission_id=submission.pk, reviewer=methodist, decision="accept", points=10)
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.ACCEPTED


def test_acceptance_records_completion_when_it_was_the_last_condition(make_user):
    pytest.importorskip("lms.courses.services.progress")
    world = build_world(make_user, is_final=True)
    submission = submit(world)
    submission_review(
        submission_id=submission.pk, reviewer=world.teacher, decision="accept", points=10
    )
    world.enrollment.refresh_from_db()
    assert world.enrollment.status == EnrollmentStatus.COMPLETED
    assert world.enrollment.completed_at is not None


def test_pages_with_hand_ins_cannot_be_deleted(world):
    from django.db.models import ProtectedError

    submit(world)
    with pytest.raises(ProtectedError):
        world.assignment.delete()
    with pytest.raises(ProtectedError):
        world.course.delete()
    assert Submission.objects.count() == 1


def test_a_locked_assignment_opens_when_the_lesson_before_it_is_studied(make_user):
    from lms.courses.models import CoursePage, LessonCompletion, LessonPage

    world = build_world(make_user)
    CoursePage.objects.filter(pk=world.course.pk).update(access_mode="sequential")
    lesson = LessonPage(title="Урок 1. Концепция ИБЦ", slug="urok-1")
    world.module.add_child(instance=lesson)
    lesson.save_revision().publish()
    lesson.move(world.assignment, pos="left")

    with pytest.raises(SubmissionRefused) as refused:
        submit(world)
    assert refused.value.code == "locked"
    assert lesson.title in refused.value.message

    LessonCompletion.objects.create(enrollment=world.enrollment, page=lesson)
    assert submit(world).number == 1

"""Wagtail admin of cohorts (capacity changes fill the queue, deadlines inside the course)
and the guard that keeps course pages holding learners' records."""

import datetime as dt

import pytest
from django.utils import timezone

from core.models import Notification
from lms.courses.models import (
    Cohort,
    CohortDeadline,
    Enrollment,
    LessonCompletion,
    LessonPage,
    ModulePage,
)
from lms.courses.services.enrollment import enrollment_request
from tests.lms.courses.enrollment_helpers import make_cohort, make_course, make_profile

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, make_user):
    admin = make_user("administrator", is_superuser=True, is_staff=True)
    client.force_login(admin)
    return client


def _module_with_lesson(course):
    module = ModulePage(title="Модуль 1. Нормативная база", slug="module-1")
    course.add_child(instance=module)
    module.save_revision().publish()
    lesson = LessonPage(title="Урок 1. Концепция ИБЦ", slug="lesson-1")
    module.add_child(instance=lesson)
    lesson.save_revision().publish()
    return module, lesson


def _cohort_form_data(cohort, **overrides):
    data = {
        "course": str(cohort.course_id),
        "title": cohort.title,
        "starts_on": cohort.starts_on.isoformat(),
        "ends_on": cohort.ends_on.isoformat(),
        "enrollment_opens": "",
        "enrollment_closes": "",
        "capacity": "" if cohort.capacity is None else str(cohort.capacity),
        "waitlist_enabled": "on",
        "mode": cohort.mode,
        "invitation_code": cohort.invitation_code,
        "deadlines-TOTAL_FORMS": "0",
        "deadlines-INITIAL_FORMS": "0",
        "deadlines-MIN_NUM_FORMS": "0",
        "deadlines-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_more_places_in_the_admin_promote_the_queue(admin_client, make_user, consent_text):
    cohort = make_cohort(capacity=1)
    people = [make_user("participant") for _ in range(3)]
    for user in people:
        make_profile(user)
        enrollment_request(cohort_id=cohort.pk, user=user, consent_given=True)

    response = admin_client.post(
        f"/admin/courses/cohorts/edit/{cohort.pk}/", _cohort_form_data(cohort, capacity="2")
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Cohort.objects.get(pk=cohort.pk).capacity == 2
    statuses = [Enrollment.objects.get(user=user).status for user in people]
    assert statuses == ["enrolled", "enrolled", "waitlisted"]
    assert Notification.objects.filter(recipient=people[1], kind="courses.waitlist_promoted")


def test_capacity_below_the_places_taken_is_refused(admin_client, make_user, consent_text):
    cohort = make_cohort(capacity=3)
    for _ in range(2):
        user = make_user("participant")
        make_profile(user)
        enrollment_request(cohort_id=cohort.pk, user=user, consent_given=True)
    response = admin_client.post(
        f"/admin/courses/cohorts/edit/{cohort.pk}/", _cohort_form_data(cohort, capacity="1")
    )
    assert response.status_code == 200
    assert Cohort.objects.get(pk=cohort.pk).capacity == 3


def test_deadlines_must_be_items_of_the_course_within_the_dates(admin_client):
    course = make_course()
    _, lesson = _module_with_lesson(course)
    _, foreign_lesson = _module_with_lesson(make_course())
    cohort = make_cohort(course)
    due = timezone.localtime(timezone.now() + dt.timedelta(days=20)).strftime("%Y-%m-%d %H:%M")

    def post(page, due_at):
        data = _cohort_form_data(
            cohort,
            **{
                "deadlines-TOTAL_FORMS": "1",
                "deadlines-0-page": str(page.pk),
                "deadlines-0-due_at": due_at,
                "deadlines-0-id": "",
                "deadlines-0-ORDER": "",
                "deadlines-0-DELETE": "",
            },
        )
        return admin_client.post(f"/admin/courses/cohorts/edit/{cohort.pk}/", data)

    assert post(foreign_lesson, due).status_code == 200
    late = (cohort.ends_on + dt.timedelta(days=5)).strftime("%Y-%m-%d 12:00")
    assert post(lesson, late).status_code == 200
    assert not CohortDeadline.objects.exists()
    assert post(lesson, due).status_code == 302
    assert CohortDeadline.objects.get(cohort=cohort).page_id == lesson.pk


def test_course_with_a_cohort_cannot_be_deleted(admin_client):
    cohort = make_cohort()
    course = cohort.course
    response = admin_client.post(f"/admin/pages/{course.pk}/delete/")
    assert response.status_code == 302
    assert f"/admin/pages/{course.pk}/edit/" in response["Location"]
    assert type(course).objects.filter(pk=course.pk).exists()
    # Nor the catalogue above it.
    index = course.get_parent()
    admin_client.post(f"/admin/pages/{index.pk}/delete/")
    assert type(course).objects.filter(pk=course.pk).exists()


def test_module_with_a_completed_lesson_cannot_be_deleted(admin_client, make_user, consent_text):
    course = make_course()
    module, lesson = _module_with_lesson(course)
    cohort = make_cohort(course)
    user = make_user("participant")
    make_profile(user)
    enrollment = enrollment_request(cohort_id=cohort.pk, user=user, consent_given=True)
    LessonCompletion.objects.create(enrollment=enrollment, page=lesson)

    response = admin_client.post(f"/admin/pages/{module.pk}/delete/")
    assert response.status_code == 302
    assert ModulePage.objects.filter(pk=module.pk).exists()
    assert LessonPage.objects.filter(pk=lesson.pk).exists()

    # The bulk action is guarded too.
    parent = course.pk
    url = f"/admin/bulk/wagtailcore/page/delete/?next=/admin/pages/{parent}/&id={module.pk}"
    response = admin_client.post(url)
    assert response.status_code == 302
    assert response["Location"] == f"/admin/pages/{parent}/"
    assert ModulePage.objects.filter(pk=module.pk).exists()


def test_course_without_records_can_be_deleted(admin_client):
    course = make_course()
    _module_with_lesson(course)
    assert admin_client.get(f"/admin/pages/{course.pk}/delete/").status_code == 200
    response = admin_client.post(f"/admin/pages/{course.pk}/delete/")
    assert response.status_code == 302
    assert not type(course).objects.filter(pk=course.pk).exists()


def test_cohort_admin_lists_and_creates_with_deadlines(admin_client, make_user):
    course = make_course(title="Информационная грамотность обучающихся", hours=72)
    _, lesson = _module_with_lesson(course)
    make_cohort(course, title="Осенний поток")
    index = admin_client.get("/admin/courses/cohorts/")
    assert index.status_code == 200
    assert "Осенний поток" in index.content.decode()
    assert admin_client.get("/admin/courses/cohorts/new/").status_code == 200

    teacher = make_user("methodist", last_name="Орлова")
    today = timezone.localdate()
    data = {
        "course": str(course.pk),
        "title": "Весенний поток",
        "starts_on": (today + dt.timedelta(days=10)).isoformat(),
        "ends_on": (today + dt.timedelta(days=70)).isoformat(),
        "enrollment_opens": "",
        "enrollment_closes": "",
        "capacity": "25",
        "waitlist_enabled": "on",
        "mode": "code",
        "invitation_code": "",
        "teachers": [str(teacher.pk)],
        "deadlines-TOTAL_FORMS": "1",
        "deadlines-INITIAL_FORMS": "0",
        "deadlines-MIN_NUM_FORMS": "0",
        "deadlines-MAX_NUM_FORMS": "1000",
        "deadlines-0-page": str(lesson.pk),
        "deadlines-0-due_at": (today + dt.timedelta(days=30)).strftime("%Y-%m-%d 18:00"),
        "deadlines-0-id": "",
        "deadlines-0-ORDER": "",
        "deadlines-0-DELETE": "",
    }
    # Enrollment by code without a code is refused on the form.
    assert admin_client.post("/admin/courses/cohorts/new/", data).status_code == 200
    data["invitation_code"] = "ВЕСНА-2027"
    response = admin_client.post("/admin/courses/cohorts/new/", data)
    assert response.status_code == 302
    cohort = Cohort.objects.get(title="Весенний поток")
    assert list(cohort.teachers.all()) == [teacher]
    assert cohort.deadlines.get().page_id == lesson.pk


def test_admin_refuses_to_delete_referenced_records(admin_client, make_user, consent_text):
    from lms.courses.models import LabourFunction, ProfessionalStandard

    cohort = make_cohort()
    user = make_user("participant")
    make_profile(user)
    enrollment_request(cohort_id=cohort.pk, user=user, consent_given=True)
    response = admin_client.post(f"/admin/courses/cohorts/delete/{cohort.pk}/")
    assert response.status_code == 302
    assert Cohort.objects.filter(pk=cohort.pk).exists()

    standard = ProfessionalStandard.objects.create(
        code="01.005", title="Специалист в области воспитания"
    )
    LabourFunction.objects.create(standard=standard, level="tf", code="A/01.6", title="Функция")
    response = admin_client.post(f"/admin/courses/standards/delete/{standard.pk}/")
    assert response.status_code == 302
    assert ProfessionalStandard.objects.filter(pk=standard.pk).exists()

    empty = make_cohort()
    admin_client.post(f"/admin/courses/cohorts/delete/{empty.pk}/")
    assert not Cohort.objects.filter(pk=empty.pk).exists()

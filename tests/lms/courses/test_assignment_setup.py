"""Builders for the assignment and gradebook tests: a published course with a module, an
assignment and a quiz, a running cohort with an enrolled learner and its teacher, and
real files (a PDF, a PNG, a DOCX) to hand in.

The other ``test_assignment_*`` and ``test_gradebook*`` modules import these; the tests
here check the builder and the page type's place in the tree."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import zipfile
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from wagtail.models import Page, Site
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import nested_form_data, streamfield

from lms.assignments.models import AssignmentPage
from lms.courses.models import (
    Cohort,
    CohortDeadline,
    CoursePage,
    Enrollment,
    EnrollmentStatus,
    LessonPage,
    ModulePage,
)
from lms.models import CourseIndexPage
from lms.quizzes.models import AttemptStatus, QuizAttempt, QuizPage

_numbers = itertools.count(1)

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7"
    b"5\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)


def pdf_file(name: str = "анализ-фонда.pdf", *, size: int | None = None) -> SimpleUploadedFile:
    content = PDF_BYTES if size is None else PDF_BYTES + b"0" * (size - len(PDF_BYTES))
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def png_file(name: str = "схема-зонирования.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG_BYTES, content_type="image/png")


def docx_file(name: str = "план-работы.docx") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return SimpleUploadedFile(name, buffer.getvalue())


def publish(page):
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def course_index() -> CourseIndexPage:
    index = CourseIndexPage.objects.first()
    if index is None:
        root = Site.objects.get(is_default_site=True).root_page
        index = CourseIndexPage(title="Курсы", slug="courses")
        root.add_child(instance=index)
        publish(index)
    return index


def make_course(**fields) -> CoursePage:
    number = next(_numbers)
    defaults = {
        "title": f"Школьный ИБЦ: от концепции к практике ({number})",
        "slug": f"assignment-course-{number}",
        "annotation": "Программа повышения квалификации для педагогов-библиотекарей.",
        "hours": 36,
        "access_mode": "free",
    }
    defaults.update(fields)
    course = CoursePage(**defaults)
    course_index().add_child(instance=course)
    return publish(course)


def make_module(course: CoursePage, **fields) -> ModulePage:
    number = next(_numbers)
    module = ModulePage(
        title=fields.pop("title", f"Модуль {number}. Пространство ИБЦ"),
        slug=f"modul-{number}",
        **fields,
    )
    course.add_child(instance=module)
    return publish(module)


def make_assignment(module: ModulePage, **fields) -> AssignmentPage:
    number = next(_numbers)
    defaults = {
        "title": f"Практическая работа {number}. Зонирование ИБЦ",
        "slug": f"praktika-{number}",
        "file_kinds": "pdf,docx,png",
        "max_file_size_mb": 1,
        "max_points": 10,
        "pass_points": 6,
    }
    defaults.update(fields)
    assignment = AssignmentPage(**defaults)
    module.add_child(instance=assignment)
    return publish(assignment)


def make_quiz(module: ModulePage, **fields) -> QuizPage:
    number = next(_numbers)
    quiz = QuizPage(title=fields.pop("title", f"Тест {number}"), slug=f"test-{number}", **fields)
    module.add_child(instance=quiz)
    return publish(quiz)


def make_cohort(course: CoursePage, **fields) -> Cohort:
    today = timezone.localdate()
    defaults = {
        "title": f"Поток {next(_numbers)}",
        "starts_on": today - dt.timedelta(days=7),
        "ends_on": today + dt.timedelta(days=60),
    }
    defaults.update(fields)
    return Cohort.objects.create(course=course, **defaults)


def enroll(cohort: Cohort, user, status: str = EnrollmentStatus.ENROLLED) -> Enrollment:
    holds_place = status in (EnrollmentStatus.ENROLLED, EnrollmentStatus.COMPLETED)
    return Enrollment.objects.create(
        cohort=cohort,
        user=user,
        status=status,
        enrolled_at=timezone.now() if holds_place else None,
        completed_at=timezone.now() if status == EnrollmentStatus.COMPLETED else None,
    )


def set_deadline(cohort: Cohort, page, due_at: dt.datetime) -> CohortDeadline:
    return CohortDeadline.objects.create(cohort=cohort, page=page, due_at=due_at)


def quiz_attempt(enrollment: Enrollment, quiz: QuizPage, percent, *, number: int = 1, **fields):
    """A closed attempt as the quiz services leave it (the gradebook only reads these)."""
    now = fields.pop("submitted_at", timezone.now())
    percent = Decimal(percent)
    return QuizAttempt.objects.create(
        enrollment=enrollment,
        quiz=quiz,
        number=number,
        status=AttemptStatus.SUBMITTED,
        started_at=now - dt.timedelta(minutes=20),
        submitted_at=now,
        seed=number,
        max_score=Decimal(10),
        score=percent / 10,
        percent=percent,
        passed=percent >= quiz.passing_percent,
        **fields,
    )


def grant_cohort_management(user):
    """What the methodist role gives: every cohort's tools (``courses.manage_cohort``)."""
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="courses", codename="manage_cohort")
    )
    for cache in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(cache, None)
    return user


@dataclass
class AssignmentWorld:
    course: CoursePage
    module: ModulePage
    assignment: AssignmentPage
    cohort: Cohort
    learner: object
    enrollment: Enrollment
    teacher: object


def build_world(make_user, **assignment_fields) -> AssignmentWorld:
    course = make_course()
    module = make_module(course)
    assignment = make_assignment(module, **assignment_fields)
    cohort = make_cohort(course)
    learner = make_user("participant", last_name="Соколова", first_name="Анна")
    teacher = make_user("participant", last_name="Петрова", first_name="Ирина")
    cohort.teachers.add(teacher)
    return AssignmentWorld(
        course=course,
        module=module,
        assignment=assignment,
        cohort=cohort,
        learner=learner,
        enrollment=enroll(cohort, learner),
        teacher=teacher,
    )


@pytest.mark.django_db
def test_the_world_is_a_published_assignment_with_an_enrolled_learner(make_user):
    world = build_world(make_user)
    assert world.assignment.live
    assert world.assignment.get_parent().specific == world.module
    assert world.enrollment.status == EnrollmentStatus.ENROLLED
    assert world.assignment.accepted_kinds == {"pdf", "docx", "png"}
    assert world.assignment.accepted_labels == ["PDF", "DOCX", "PNG"]


@pytest.mark.django_db
def test_the_database_refuses_an_assignment_that_accepts_nothing_or_a_pass_mark_above_max(
    make_user,
):
    from django.db import IntegrityError, transaction

    assignment = make_assignment(make_module(make_course()))
    pages = AssignmentPage.objects.filter(pk=assignment.pk)
    for fields in (
        {"text_allowed": False, "files_allowed": False},
        {"max_points": 5, "pass_points": 6},
        {"max_file_size_mb": 0},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            pages.update(**fields)


class AssignmentPageTreeTests(WagtailPageTestCase):
    def test_assignments_live_only_in_course_modules(self):
        self.assertAllowedParentPageTypes(AssignmentPage, {ModulePage})
        self.assertAllowedSubpageTypes(AssignmentPage, set())
        self.assertCanCreateAt(ModulePage, AssignmentPage)
        self.assertCanNotCreateAt(CoursePage, AssignmentPage)
        self.assertCanNotCreateAt(LessonPage, AssignmentPage)
        self.assertCanNotCreateAt(CourseIndexPage, AssignmentPage)

    def test_an_editor_creates_an_assignment_choosing_file_types_as_checkboxes(self):
        from core.models import User

        module = make_module(make_course())
        self.client.force_login(
            User.objects.create_superuser(email="editor@example.org", password="x-2026-pass")
        )
        data = nested_form_data(
            {
                "title": "Итоговая работа. Программа развития ИБЦ",
                "slug": "itogovaya-rabota",
                "instructions": streamfield([]),
                "required": "on",
                "is_final": "on",
                "text_allowed": "on",
                "files_allowed": "on",
                "max_file_size_mb": 5,
                "max_points": 20,
                "pass_points": 12,
            }
        )
        # Checkboxes post one value each (nested_form_data would number a list).
        data["file_kinds"] = ["pdf", "docx"]
        self.assertCanCreate(module, AssignmentPage, data)
        page = AssignmentPage.objects.get(slug="itogovaya-rabota")
        assert page.file_kinds == "pdf,docx"
        assert page.is_final and page.max_points == 20

        edit_url = f"/admin/pages/{page.pk}/edit/"
        response = self.client.get(edit_url)
        # The stored kinds come back checked.
        assert b'value="pdf"' in response.content
        assert response.context["form"].initial["file_kinds"] == ["pdf", "docx"]

    def test_the_admin_form_explains_bad_combinations(self):
        from lms.assignments.forms import AssignmentPageForm

        module = make_module(make_course())
        form_class = AssignmentPage.get_edit_handler().get_form_class()
        assert issubclass(form_class, AssignmentPageForm)
        form = form_class(
            nested_form_data(
                {
                    "title": "Работа",
                    "slug": "rabota",
                    "instructions": streamfield([]),
                    "files_allowed": "on",
                    "max_file_size_mb": 5,
                    "max_points": 5,
                    "pass_points": 8,
                }
            ),
            instance=AssignmentPage(),
            parent_page=module,
            for_user=None,
        )
        assert not form.is_valid()
        assert "file_kinds" in form.errors
        assert "pass_points" in form.errors

    def test_the_page_renders(self):
        world_course = make_course()
        assignment = make_assignment(make_module(world_course))
        self.assertPageIsRenderable(assignment)
        assert Page.objects.filter(pk=assignment.pk).exists()

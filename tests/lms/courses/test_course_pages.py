"""Course content as pages: the page tree, an editor creating a course, the hours rule,
and what the course, module and lesson pages show to visitors and learners."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from cms.models import HomePage, Topic
from core.models import User
from lms.assignments.models import AssignmentPage
from lms.courses.models import (
    CoursePage,
    LabourFunction,
    LessonPage,
    ModulePage,
    ProfessionalStandard,
)
from lms.models import CourseIndexPage
from lms.quizzes.models import QuizPage
from tests.lms.courses.enrollment_helpers import course_index
from tests.lms.courses.test_access import (
    LESSON_TEXT,
    build_course,
    enroll,
    in_english,  # noqa: F401 (an autouse fixture)
    running_cohort,
    study,
)

pytestmark = pytest.mark.django_db


def _standard_functions():
    education = ProfessionalStandard.objects.create(
        code="01.005",
        title="Специалист в области воспитания",
        act="Приказ Минтруда России от 30.01.2023 № 53н",
    )
    library = ProfessionalStandard.objects.create(
        code="527н",
        title="Специалист по библиотечно-информационной деятельности",
        act="Приказ Минтруда России от 14.09.2022 № 527н",
    )
    return [
        LabourFunction.objects.create(
            standard=education,
            level="tf",
            code="D/01.6",
            title="Организация деятельности информационно-библиотечного центра",
        ),
        LabourFunction.objects.create(
            standard=library,
            level="tf",
            code="C/01.6",
            title="Справочно-библиографическое обслуживание пользователей",
        ),
    ]


def _course_form(**overrides) -> dict:
    data = {
        "title": "Школьный ИБЦ: от концепции к практике",
        "slug": "shkolnyj-ibc",
        "annotation": "Программа повышения квалификации для педагогов-библиотекарей.",
        "programme_kind": "upgrade",
        "format": "distance",
        "audience": "school",
        "hours": 36,
        "outcomes": rich_text("<p>Разработать программу развития ИБЦ.</p>"),
        "teachers": "Кузнецова И. В.",
        "body": streamfield([]),
        "access_mode": "sequential",
        "require_lessons": "on",
        "require_quizzes": "on",
        "require_assignments": "on",
    }
    data.update(overrides)
    return nested_form_data(data)


class CoursePageTreeTests(WagtailPageTestCase):
    def setUp(self):
        self.index = course_index()
        self.editor = User.objects.create_superuser(
            email="editor@example.org", password="x-2026-pass"
        )

    def test_the_course_tree_is_catalogue_course_module_items(self):
        self.assertAllowedParentPageTypes(CoursePage, {CourseIndexPage})
        self.assertAllowedSubpageTypes(CoursePage, {ModulePage})
        self.assertAllowedSubpageTypes(ModulePage, {LessonPage, QuizPage, AssignmentPage})
        self.assertCanCreateAt(CourseIndexPage, CoursePage)
        self.assertCanNotCreateAt(HomePage, CoursePage)
        self.assertCanNotCreateAt(ModulePage, CoursePage)
        self.assertCanCreateAt(CoursePage, ModulePage)
        self.assertCanNotCreateAt(CourseIndexPage, ModulePage)
        self.assertCanNotCreateAt(ModulePage, ModulePage)
        for item in (LessonPage, QuizPage, AssignmentPage):
            self.assertCanCreateAt(ModulePage, item)
            self.assertCanNotCreateAt(CoursePage, item)
            self.assertCanNotCreateAt(LessonPage, item)
        self.assertAllowedSubpageTypes(LessonPage, set())

    def test_an_editor_creates_a_course_with_topics_and_labour_functions(self):
        functions = _standard_functions()
        topic = Topic.objects.create(name="ИБЦ", slug="ibc")
        self.client.force_login(self.editor)
        data = _course_form()
        # Multiple choices post one value each (nested_form_data would number a list).
        data["topics"] = [str(topic.pk)]
        data["labour_functions"] = [str(f.pk) for f in functions]

        self.assertCanCreate(self.index, CoursePage, data)

        course = CoursePage.objects.get(slug="shkolnyj-ibc")
        assert course.hours == 36 and course.access_mode == "sequential"
        assert list(course.topics.all()) == [topic]
        assert set(course.labour_functions.all()) == set(functions)
        self.assertPageIsRenderable(course)

    def test_fewer_than_16_hours_are_refused_by_the_form_and_the_database(self):
        self.client.force_login(self.editor)
        response = self.client.post(
            reverse("wagtailadmin_pages:add", args=("courses", "coursepage", self.index.pk)),
            _course_form(hours=12),
        )
        assert response.status_code == 200
        assert "hours" in response.context["form"].errors
        assert not CoursePage.objects.exists()

        course = CoursePage(title="Короткий курс", slug="short", annotation="…", hours=16)
        self.index.add_child(instance=course)
        with pytest.raises(IntegrityError), transaction.atomic():
            CoursePage.objects.filter(pk=course.pk).update(hours=15)

    def test_module_and_lesson_pages_render(self):
        course = build_course((("lesson",),), access_mode="free")
        self.assertPageIsRenderable(course.page)
        self.assertPageIsRenderable(course.modules[0])
        self.assertPageIsRenderable(course.item(0, 0))


# --- what the course page shows ----------------------------------------------------------------


def test_course_page_shows_the_programme_functions_and_contents_to_visitors(client):
    functions = _standard_functions()
    course = build_course(
        (("lesson", "optional"), ("quiz", "assignment")),
        access_mode="by_module",
        teachers="Кузнецова И. В., методист отдела",
        outcomes="<p>Разработать программу развития ИБЦ.</p>",
        format="blended",
        audience="college",
    )
    course.page.labour_functions = functions
    course.page.save_revision().publish()
    cohort = running_cohort(course, title="Весенний поток")

    html = client.get(course.page.url).content.decode()

    for text in (
        "36 academic hours",
        "advanced training",
        "part-time with distance learning",
        "college libraries",
        "Кузнецова И. В., методист отдела",
        "Разработать программу развития ИБЦ.",
        "01.005 Специалист в области воспитания",
        "Приказ Минтруда России от 30.01.2023 № 53н",
        "D/01.6",
        "527н Специалист по библиотечно-информационной деятельности",
        "C/01.6",
        "Модуль 1",
        "Модуль 2",
        course.item(0, 0).title,
        course.item(1, 1).title,
        "optional",
        cohort.title,
        "Enroll in a cohort of this course to study its lessons.",
    ):
        assert text in html, text
    # Visitors get titles, not links into the lessons.
    assert f'href="{course.item(0, 0).url}"' not in html
    assert LESSON_TEXT not in html


def test_course_page_shows_a_learner_progress_locks_and_the_next_lesson(make_user):
    course = build_course((("lesson", "lesson"), ("lesson",)), access_mode="by_module")
    learner = make_user("participant")
    enrollment = enroll(running_cohort(course), learner)
    study(enrollment, course.item(0, 0))
    browser = Client()
    browser.force_login(learner)

    html = browser.get(course.page.url).content.decode()

    assert 'aria-label="Progress in the course"' in html
    assert '<progress max="100" value="33"' in html
    assert "33 % done" in html
    assert f'href="{course.item(0, 1).url}"' in html  # the next lesson, to continue
    assert "Continue" in html
    assert "Finish the module «Модуль 1» first." in html
    assert f'href="{course.item(1, 0).url}"' not in html


def _queries(browser, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert browser.get(url).status_code == 200
    return len(queries)


def test_course_module_and_lesson_pages_cost_the_same_queries_however_long_the_course(
    make_user,
):
    learner = make_user("participant")
    browser = Client()
    browser.force_login(learner)
    counts = []
    for modules in (1, 6):
        course = build_course(
            tuple(("lesson", "lesson", "quiz") for _ in range(modules)), access_mode="sequential"
        )
        enrollment = enroll(running_cohort(course), learner)
        study(enrollment, course.item(0, 0))
        browser.get(course.page.url)  # warm caches (content types, site root paths)
        counts.append(
            [
                _queries(browser, url)
                for url in (course.page.url, course.modules[0].url, course.item(0, 1).url)
            ]
        )
    assert counts[0] == counts[1]


def test_module_page_explains_a_prerequisite_lock(make_user):
    course = build_course((("lesson",), ("lesson",)), access_mode="free")
    second = course.modules[1]
    second.prerequisites = [course.modules[0]]
    second.save_revision().publish()
    learner = make_user("participant")
    enroll(running_cohort(course), learner)
    browser = Client()
    browser.force_login(learner)

    html = browser.get(second.url).content.decode()
    assert "Finish the module «Модуль 1» first." in html
    assert course.item(1, 0).title in html
    assert f'href="{course.item(1, 0).url}"' not in html


# --- demo content ----------------------------------------------------------------------------


def test_demo_courses_are_complete_and_seeding_twice_changes_nothing(demo_site):
    from core.demo import DEMO_ACCOUNTS
    from lms.courses import demo
    from lms.courses.models import Cohort, CohortDeadline, Enrollment, LessonCompletion
    from lms.courses.selectors.catalogue import cohorts_open_for_enrollment
    from lms.courses.selectors.progress import course_outline

    demo.seed(lambda line: None)  # lms.demo may have run it already: both are fine
    counted = (Page.objects.count(), Cohort.objects.count(), LessonCompletion.objects.count())
    demo.seed(lambda line: None)
    assert (
        Page.objects.count(),
        Cohort.objects.count(),
        LessonCompletion.objects.count(),
    ) == counted

    ibc = CoursePage.objects.get(slug="shkolnyj-ibc")
    literacy = CoursePage.objects.get(slug="informacionnaya-gramotnost")
    assert (ibc.title, ibc.hours) == ("Школьный ИБЦ: от концепции к практике", 36)
    assert (literacy.title, literacy.hours) == ("Информационная грамотность обучающихся", 72)
    for course in (ibc, literacy):
        modules = ModulePage.objects.child_of(course)
        assert 2 <= modules.count() <= 3
        for module in modules:
            assert LessonPage.objects.child_of(module).count() >= 1
        assert QuizPage.objects.live().descendant_of(course).count() == 1
        assert AssignmentPage.objects.live().descendant_of(course).filter(is_final=True).exists()
        assert course.labour_functions.exists() and course.topics.exists()
        [cohort] = Cohort.objects.filter(course=course)
        assert cohort in cohorts_open_for_enrollment()
        assert CohortDeadline.objects.filter(cohort=cohort).count() == 2

    participant_email = next(email for role, email, _ in DEMO_ACCOUNTS if role == "participant")
    enrollment = Enrollment.objects.get(user__email=participant_email, cohort__course=ibc)
    assert enrollment.user.learner_profile.is_complete()
    outline = course_outline(enrollment)
    assert 0 < outline.percent < 100 and outline.next_item is not None

    browser = Client()
    browser.force_login(enrollment.user)
    for page in (ibc, outline.next_item.page, literacy):
        assert browser.get(page.url).status_code == 200

"""The learning path in the browser: the catalogue, course, module and lesson pages,
marking a lesson as studied, and the learner's blocks in the cabinet and on the home page.

The page classes call these (``get_context`` or RoutablePageMixin routes); the
functions only parse input, call selectors and services, and render.

Lessons are marked as studied by the learner's explicit «Mark as studied» (a POST):
opening a page is not studying it, and a GET must not change records.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from core.plugins import CabinetSection, HomeSection
from lms.courses.models import (
    CourseAudience,
    CourseFormat,
    CoursePage,
    EnrollmentStatus,
    LessonPage,
    ModulePage,
)
from lms.courses.selectors.catalogue import (
    CourseFilters,
    catalogue_topics,
    course_labour_functions,
    course_listing,
    courses_open_now,
    with_card_details,
)
from lms.courses.selectors.progress import (
    Access,
    CourseOutline,
    course_of_page,
    course_outline,
    learner_dashboard,
    learner_enrollment,
    sees_whole_course,
)
from lms.courses.services.progress import ProgressRefused, lesson_complete

PAGE_SIZE = 12
QUERY_MAX = 200


def _choice(value: str, choices) -> str:
    return value if value in choices.values else ""


def _outline(request, course: CoursePage) -> CourseOutline:
    """The course as the person making the request may study it."""
    enrollment = learner_enrollment(request.user, course)
    sees_all = getattr(request, "is_preview", False) or sees_whole_course(request.user, course)
    return course_outline(enrollment, course=course, sees_all=sees_all)


# --- the catalogue and the course page -----------------------------------------------


def catalogue_context(request, index) -> dict:
    """Context of ``CourseIndexPage``: filtered, paginated course cards."""
    filters = CourseFilters(
        topic=request.GET.get("topic", "").strip()[:120],
        format=_choice(request.GET.get("format", ""), CourseFormat),
        audience=_choice(request.GET.get("audience", ""), CourseAudience),
        open_only=request.GET.get("open") == "1",
        query=request.GET.get("q", "").strip()[:QUERY_MAX],
    )
    page_obj = Paginator(course_listing(index=index, filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page_obj.object_list = with_card_details(page_obj.object_list)
    return {
        "filters": filters,
        "page_obj": page_obj,
        "topics": catalogue_topics(),
        "formats": CourseFormat.choices,
        "audiences": CourseAudience.choices,
    }


def course_learning_context(request, course: CoursePage) -> dict:
    """What the course page adds to the cohorts: the outline with the viewer's progress,
    and the labour functions grouped by professional standard."""
    outline = _outline(request, course)
    return {
        "outline": outline,
        "enrollment": outline.enrollment,
        "labour_function_groups": course_labour_functions(course),
    }


# --- module and lesson pages --------------------------------------------------------


def module_learning_context(request, module: ModulePage) -> dict:
    course = course_of_page(module)
    if course is None:
        return {}
    outline = _outline(request, course)
    entry = outline.find(module.pk)
    if entry is not None:
        access = entry.access
    elif getattr(request, "is_preview", False):
        access = Access(allowed=True)  # a draft module in the editor's preview
    else:
        access = Access(allowed=False, reason=_("This module is not published yet."))
    return {"course": course, "outline": outline, "module": entry, "access": access}


def lesson_detail(request, lesson: LessonPage):
    """The lesson, or the reason it is closed to the viewer instead of its content."""
    course = course_of_page(lesson)
    if course is None:
        raise Http404
    outline = _outline(request, course)
    item = outline.find(lesson.pk)
    if item is not None:
        access = item.access
    elif getattr(request, "is_preview", False):
        access = Access(allowed=True)  # a draft lesson in the editor's preview
    else:
        access = Access(allowed=False, reason=_("This lesson is not published in the course yet."))
    if not access.allowed and not request.user.is_authenticated:
        access = Access(
            allowed=False,
            reason=_("Sign in and enroll in a cohort of this course to study its lessons."),
        )
    previous, following = outline.neighbours(lesson.pk)
    context = lesson.get_context(request)
    context.update(
        course=course,
        outline=outline,
        module=outline.module_of(lesson.pk),
        item=item,
        access=access,
        previous_item=previous,
        next_item=following,
        can_mark=outline.enrollment is not None
        and item is not None
        and not item.done
        and access.open,
    )
    return TemplateResponse(request, lesson.get_template(request), context)


def lesson_complete_view(request, lesson: LessonPage):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    lesson_url = lesson.get_url(request)
    if not request.user.is_authenticated:
        return redirect_to_login(lesson_url)
    course = course_of_page(lesson)
    enrollment = learner_enrollment(request.user, course) if course is not None else None
    if enrollment is None:
        messages.error(request, _("Enroll in a cohort of this course to study its lessons."))
        return redirect(lesson_url)
    try:
        lesson_complete(enrollment=enrollment, lesson=lesson)
    except ProgressRefused as refusal:
        messages.error(request, refusal.message)
        return redirect(lesson_url)
    if enrollment.status == EnrollmentStatus.COMPLETED:
        messages.success(
            request,
            _("The lesson is marked as studied. You have completed the course «%(course)s»!")
            % {"course": course.title},
        )
    else:
        messages.success(request, _("The lesson is marked as studied."))
    return redirect(lesson_url)


# --- registry contributions (LmsConfig) ----------------------------------------------


def _catalogue_url(request) -> str:
    from lms.models import CourseIndexPage

    index = CourseIndexPage.objects.live().first()
    return index.get_url(request) if index is not None else ""


def cabinet_courses_section(request) -> list[CabinetSection]:
    """«My courses» in the personal cabinet: progress, the next item, the next deadline."""
    return [
        CabinetSection(
            key="courses",
            title=_("My courses"),
            template="courses/includes/cabinet_courses.html",
            context={
                "courses": learner_dashboard(request.user),
                "catalogue_url": _catalogue_url(request),
            },
            order=20,
        )
    ]


def home_courses_section(request) -> list[HomeSection]:
    """The courses open for enrollment, on the home page (nothing when there are none)."""
    catalogue_url = _catalogue_url(request)
    courses = courses_open_now(limit=3)
    if not catalogue_url or not courses:
        return []
    return [
        HomeSection(
            key="courses",
            title=_("Courses open for enrollment"),
            template="courses/includes/home_courses.html",
            context={"courses": courses},
            order=15,
            more_url=catalogue_url,
        )
    ]

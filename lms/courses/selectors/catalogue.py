"""Reads for the course catalogue (``/courses/``) and the home page's open courses."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from cms.models import Topic
from lms.courses.models import Cohort, CoursePage, EnrollmentWindow, LabourFunction
from lms.courses.selectors.enrollment import with_enrollment_counts


@dataclass(frozen=True)
class CourseFilters:
    topic: str = ""  # a Topic slug
    format: str = ""
    audience: str = ""
    open_only: bool = False
    query: str = ""


def courses_published() -> QuerySet[CoursePage]:
    return CoursePage.objects.live().public()


def cohorts_open_for_enrollment(now: dt.datetime | None = None) -> QuerySet[Cohort]:
    """Cohorts one can ask to join now: the enrollment window is open and there is a
    place, or a waiting list to stand in."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    return with_enrollment_counts(
        Cohort.objects.filter(ends_on__gte=today)
        .filter(Q(enrollment_opens__isnull=True) | Q(enrollment_opens__lte=now))
        .filter(Q(enrollment_closes__isnull=True) | Q(enrollment_closes__gt=now))
    ).filter(Q(capacity__isnull=True) | Q(waitlist_enabled=True) | Q(taken_count__lt=F("capacity")))


def course_listing(
    *, index=None, filters: CourseFilters, now: dt.datetime | None = None
) -> QuerySet[CoursePage]:
    courses = courses_published()
    if index is not None:
        courses = courses.child_of(index)
    if filters.topic:
        courses = courses.filter(topics__slug=filters.topic)
    if filters.format:
        courses = courses.filter(format=filters.format)
    if filters.audience:
        courses = courses.filter(audience=filters.audience)
    if filters.open_only:
        courses = courses.filter(pk__in=cohorts_open_for_enrollment(now).values("course_id"))
    if filters.query:
        matches = CoursePage.objects.live().search(filters.query, operator="and")
        courses = courses.filter(pk__in=[page.pk for page in matches])
    return courses.order_by("path")


def catalogue_topics() -> QuerySet[Topic]:
    """Topics that published courses have (for the topic filter)."""
    return Topic.objects.filter(
        pk__in=CoursePage.topics.through.objects.filter(coursepage__in=courses_published()).values(
            "topic_id"
        )
    )


def _nearest_cohort(cohorts: list[Cohort], now: dt.datetime) -> Cohort | None:
    """The cohort to show on a card: the earliest one open for enrollment with a place or
    a queue, else the earliest one whose enrollment has not opened yet."""
    open_ones = [
        c
        for c in cohorts
        if c.enrollment_window(now) == EnrollmentWindow.OPEN
        and (c.places_left is None or c.places_left > 0 or c.waitlist_enabled)
    ]
    if open_ones:
        return open_ones[0]
    return next((c for c in cohorts if c.enrollment_window(now) == EnrollmentWindow.NOT_OPEN), None)


def with_card_details(
    courses: Iterable[CoursePage], *, now: dt.datetime | None = None
) -> list[CoursePage]:
    """Give each course its ``card_topics`` and the ``nearest_cohort`` for its card: two
    queries however many courses."""
    courses = list(courses)
    if not courses:
        return courses
    now = now or timezone.now()
    ids = [course.pk for course in courses]
    through = CoursePage.topics.through
    topics: dict[int, list[Topic]] = defaultdict(list)
    for link in (
        through.objects.filter(coursepage_id__in=ids)
        .select_related("topic")
        .order_by("topic__sort_order", "topic__name")
    ):
        topics[link.coursepage_id].append(link.topic)
    cohorts: dict[int, list[Cohort]] = defaultdict(list)
    for cohort in with_enrollment_counts(
        Cohort.objects.filter(course_id__in=ids, ends_on__gte=timezone.localdate(now))
    ).order_by("starts_on", "pk"):
        cohorts[cohort.course_id].append(cohort)
    for course in courses:
        course.card_topics = topics[course.pk]
        course.nearest_cohort = _nearest_cohort(cohorts[course.pk], now)
        if course.nearest_cohort is not None:
            course.nearest_cohort.course = course
    return courses


def courses_open_now(*, limit: int = 3, now: dt.datetime | None = None) -> list[CoursePage]:
    """The latest published courses open for enrollment (the home page block)."""
    courses = courses_published().filter(
        pk__in=cohorts_open_for_enrollment(now).values("course_id")
    )
    return with_card_details(courses.order_by("-first_published_at", "-pk")[:limit], now=now)


@dataclass(frozen=True)
class StandardFunctions:
    standard_title: str
    standard_act: str
    functions: list[LabourFunction]


def course_labour_functions(course: CoursePage) -> list[StandardFunctions]:
    """The labour functions the course develops, grouped by professional standard."""
    groups: dict[int, StandardFunctions] = {}
    functions = (
        LabourFunction.objects.filter(
            pk__in=CoursePage.labour_functions.through.objects.filter(
                coursepage_id=course.pk
            ).values("labourfunction_id")
        )
        .select_related("standard")
        .order_by("standard__code", "code")
    )
    for function in functions:
        group = groups.get(function.standard_id)
        if group is None:
            group = groups[function.standard_id] = StandardFunctions(
                standard_title=str(function.standard),
                standard_act=function.standard.act,
                functions=[],
            )
        group.functions.append(function)
    return list(groups.values())

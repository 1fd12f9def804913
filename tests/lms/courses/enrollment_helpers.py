"""Builders shared by the enrollment tests: a published course, cohorts, ДПО data."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone
from wagtail.models import Site

from lms.courses.models import Cohort, CoursePage, LearnerProfile
from lms.models import CourseIndexPage

VALID_SNILS = "112-233-445 95"
_numbers = itertools.count(1)


def course_index() -> CourseIndexPage:
    index = CourseIndexPage.objects.first()
    if index is not None:
        return index
    root = Site.objects.get(is_default_site=True).root_page
    index = CourseIndexPage(title="Курсы", slug="courses")
    root.add_child(instance=index)
    index.save_revision().publish()
    return index


def make_course(**fields) -> CoursePage:
    number = next(_numbers)
    defaults = {
        "title": f"Школьный ИБЦ: от концепции к практике ({number})",
        "slug": f"course-{number}",
        "annotation": "Программа повышения квалификации для педагогов-библиотекарей.",
        "hours": 36,
    }
    defaults.update(fields)
    course = CoursePage(**defaults)
    course_index().add_child(instance=course)
    course.save_revision().publish()
    course.refresh_from_db()
    return course


def make_cohort(course: CoursePage | None = None, **fields) -> Cohort:
    course = course or make_course()
    today = timezone.localdate()
    defaults = {
        "title": f"Поток {next(_numbers)}",
        "starts_on": today + dt.timedelta(days=7),
        "ends_on": today + dt.timedelta(days=60),
        "enrollment_opens": timezone.now() - dt.timedelta(days=1),
        "enrollment_closes": timezone.now() + dt.timedelta(days=6),
    }
    defaults.update(fields)
    return Cohort.objects.create(course=course, **defaults)


def make_profile(user, **fields) -> LearnerProfile:
    defaults = {
        "education_level": "higher",
        "diploma_surname": user.last_name or "Иванова",
        "diploma_series": "107718",
        "diploma_number": "0123456",
        "snils": VALID_SNILS,
        "birth_date": dt.date(1985, 4, 12),
        "sex": "F",
        "citizenship": "643",
    }
    defaults.update(fields)
    return LearnerProfile.objects.create(user=user, **defaults)


def profile_post_data(prefix: str = "", **overrides) -> dict[str, str]:
    data = {
        "education_level": "higher",
        "diploma_surname": "Соколова",
        "diploma_series": "107718",
        "diploma_number": "0123456",
        "snils": "11223344595",
        "birth_date": "1985-04-12",
        "sex": "F",
        "citizenship": "643",
    }
    data.update(overrides)
    if prefix:
        return {f"{prefix}-{key}": value for key, value in data.items()}
    return data


def grant_cohort_management(user):
    """What the methodist, head and administrator roles give (LmsConfig.get_role_permissions)."""
    from django.contrib.auth.models import Permission

    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="courses", codename="manage_cohort")
    )
    # Drop the cached permissions so has_perm sees the new one.
    for cache in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(cache, None)
    return user

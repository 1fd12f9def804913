"""Reads for cohorts and enrollment: who may manage a cohort, rosters, offers on a course page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import Permission
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from core.models import User
from lms.courses.models import (
    ACTIVE_STATUSES,
    HOLDS_PLACE,
    Cohort,
    CoursePage,
    Enrollment,
    EnrollmentStatus,
    LearnerProfile,
)

MANAGE_PERMISSION = "courses.manage_cohort"


def _status_count(status) -> Count:
    if isinstance(status, tuple | list):
        return Count("enrollments", filter=Q(enrollments__status__in=status), distinct=True)
    return Count("enrollments", filter=Q(enrollments__status=status), distinct=True)


def with_enrollment_counts(cohorts: QuerySet[Cohort]) -> QuerySet[Cohort]:
    """Annotate ``taken_count`` (read by ``Cohort.places_taken``), ``waiting_count``,
    ``requested_count``."""
    return cohorts.annotate(
        taken_count=_status_count(HOLDS_PLACE),
        waiting_count=_status_count(EnrollmentStatus.WAITLISTED),
        requested_count=_status_count(EnrollmentStatus.REQUESTED),
    )


# --- who manages what ----------------------------------------------------------


def can_manage_all_cohorts(user) -> bool:
    return user.is_authenticated and user.has_perm(MANAGE_PERMISSION)


def managed_cohorts(user) -> QuerySet[Cohort]:
    """Cohorts whose roster ``user`` may see: all for methodists and the head, else the
    ones they teach. Other apps use it for their cohort tools:
    ``get_object_or_404(managed_cohorts(request.user), pk=cohort_id)``."""
    if not user.is_authenticated or not user.is_active:
        return Cohort.objects.none()
    if can_manage_all_cohorts(user):
        return Cohort.objects.all()
    return Cohort.objects.filter(teachers=user)


def can_manage_cohort(user, cohort: Cohort) -> bool:
    if can_manage_all_cohorts(user):
        return True
    return user.is_authenticated and cohort.teachers.filter(pk=user.pk).exists()


def manages_any_cohort(user) -> bool:
    return can_manage_all_cohorts(user) or (
        user.is_authenticated and Cohort.objects.filter(teachers=user).exists()
    )


def cohort_staff_to_notify(cohort: Cohort) -> list[User]:
    """Who hears about a new request: the cohort's teachers, or the methodists if it has none."""
    teachers = list(cohort.teachers.filter(is_active=True))
    if teachers:
        return teachers
    permission = Permission.objects.filter(
        content_type__app_label="courses", codename="manage_cohort"
    )
    return list(
        User.objects.filter(
            Q(groups__permissions__in=permission) | Q(user_permissions__in=permission),
            is_active=True,
        )
        .distinct()
        .order_by("pk")
    )


# --- lists for staff -------------------------------------------------------------


@dataclass(frozen=True)
class CohortFilters:
    when: str = "current"  # "current" (not finished), "past" or "all"
    course: int | None = None


def cohort_list(user, *, filters: CohortFilters, today: dt.date | None = None) -> QuerySet[Cohort]:
    today = today or timezone.localdate()
    cohorts = with_enrollment_counts(managed_cohorts(user)).select_related("course")
    if filters.when == "current":
        cohorts = cohorts.filter(ends_on__gte=today).order_by("starts_on", "pk")
    elif filters.when == "past":
        cohorts = cohorts.filter(ends_on__lt=today).order_by("-ends_on", "pk")
    else:
        cohorts = cohorts.order_by("-starts_on", "pk")
    if filters.course:
        cohorts = cohorts.filter(course_id=filters.course)
    return cohorts


def cohort_courses(user) -> QuerySet[CoursePage]:
    """Courses of the cohorts ``user`` manages (for the course filter)."""
    return CoursePage.objects.filter(pk__in=managed_cohorts(user).values("course_id")).order_by(
        "title"
    )


@dataclass(frozen=True)
class RosterFilters:
    status: str = ""
    query: str = ""


def cohort_roster(cohort: Cohort, *, filters: RosterFilters) -> QuerySet[Enrollment]:
    """The cohort's enrollments with their users, in queue order within each status."""
    enrollments = Enrollment.objects.filter(cohort=cohort).select_related(
        "user", "decided_by", "user__learner_profile"
    )
    if filters.status:
        enrollments = enrollments.filter(status=filters.status)
    if filters.query:
        for word in filters.query.split()[:5]:
            enrollments = enrollments.filter(
                Q(user__last_name__icontains=word)
                | Q(user__first_name__icontains=word)
                | Q(user__patronymic__icontains=word)
                | Q(user__email__icontains=word)
            )
    return enrollments.order_by("status", "queued_at", "pk")


def cohort_waitlist_positions(cohort: Cohort) -> dict[int, int]:
    """Enrollment id → 1-based place in the queue, for the whole queue in one query."""
    queue = (
        Enrollment.objects.filter(cohort=cohort, status=EnrollmentStatus.WAITLISTED)
        .order_by("queued_at", "pk")
        .values_list("pk", flat=True)
    )
    return {pk: position for position, pk in enumerate(queue, start=1)}


def cohort_counts(cohort: Cohort) -> dict[str, int]:
    rows = Enrollment.objects.filter(cohort=cohort).values("status").annotate(n=Count("pk"))
    counts = dict.fromkeys(EnrollmentStatus.values, 0)
    counts.update({row["status"]: row["n"] for row in rows})
    counts["taken"] = sum(counts[status] for status in HOLDS_PLACE)
    return counts


# --- what a learner sees ---------------------------------------------------------


@dataclass(frozen=True)
class CohortOffer:
    """A cohort on the course page with the viewer's enrollment in it (or None)."""

    cohort: Cohort
    enrollment: Enrollment | None


def course_cohort_offers(
    course: CoursePage, *, user, today: dt.date | None = None
) -> list[CohortOffer]:
    """Cohorts not yet finished, plus finished ones the user took part in; two queries."""
    today = today or timezone.localdate()
    mine: dict[int, Enrollment] = {}
    if user.is_authenticated:
        mine = {
            enrollment.cohort_id: enrollment
            for enrollment in Enrollment.objects.filter(
                user=user, cohort__course=course, status__in=ACTIVE_STATUSES
            )
        }
    cohorts = with_enrollment_counts(
        Cohort.objects.filter(Q(ends_on__gte=today) | Q(pk__in=list(mine)), course=course)
    ).order_by("starts_on", "pk")
    offers = []
    for cohort in cohorts:
        cohort.course = course
        enrollment = mine.get(cohort.pk)
        if enrollment is not None:
            enrollment.cohort = cohort
        offers.append(CohortOffer(cohort=cohort, enrollment=enrollment))
    return offers


def user_enrollment(cohort: Cohort, user) -> Enrollment | None:
    """The user's enrollment in the cohort, whatever its status."""
    if not user.is_authenticated:
        return None
    return Enrollment.objects.filter(cohort=cohort, user=user).first()


def learner_profile_for(user) -> LearnerProfile | None:
    if not user.is_authenticated:
        return None
    return LearnerProfile.objects.filter(user=user).first()


def has_any_enrollment(user) -> bool:
    return user.is_authenticated and Enrollment.objects.filter(user=user).exists()

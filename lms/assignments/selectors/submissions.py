"""Reads for hand-ins: the learner's history, the review queue, who may see a file."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from core.models import User
from lms.assignments.models import AssignmentPage, Submission, SubmissionFile, SubmissionStatus
from lms.courses.models import Cohort, CohortDeadline, CoursePage, Enrollment
from lms.courses.selectors.enrollment import can_manage_all_cohorts, managed_cohorts


def assignment_course(assignment: AssignmentPage) -> CoursePage | None:
    return CoursePage.objects.ancestor_of(assignment).first()


def assignment_deadline(enrollment: Enrollment, assignment: AssignmentPage) -> dt.datetime | None:
    return (
        CohortDeadline.objects.filter(cohort_id=enrollment.cohort_id, page_id=assignment.pk)
        .values_list("due_at", flat=True)
        .first()
    )


def _with_details(submissions: QuerySet[Submission]) -> QuerySet[Submission]:
    return submissions.select_related("review", "review__reviewer").prefetch_related(
        Prefetch("files", queryset=SubmissionFile.objects.order_by("pk"))
    )


def submission_history(enrollment: Enrollment, assignment: AssignmentPage) -> list[Submission]:
    """Every hand-in of the learner for the assignment, newest first, with files and review."""
    return list(
        _with_details(
            Submission.objects.filter(enrollment=enrollment, assignment=assignment)
        ).order_by("-number")
    )


def can_submit_again(history: list[Submission]) -> bool:
    """A first hand-in, or a revision after the teacher returned the latest one."""
    return not history or history[0].status == SubmissionStatus.RETURNED


def accepted_assignments_by_enrollment(enrollment_ids) -> dict[int, set[int]]:
    """Enrollment id → ids of the assignments whose work was accepted, in one query
    (what ``lms.courses.selectors.progress`` counts as done)."""
    accepted: dict[int, set[int]] = {}
    enrollment_ids = list(enrollment_ids)
    if not enrollment_ids:
        return accepted
    for enrollment_id, assignment_id in Submission.objects.filter(
        enrollment_id__in=enrollment_ids, status=SubmissionStatus.ACCEPTED
    ).values_list("enrollment_id", "assignment_id"):
        accepted.setdefault(enrollment_id, set()).add(assignment_id)
    return accepted


def file_for_viewer(user: User, file_id: int) -> SubmissionFile | None:
    """The file if ``user`` is its learner or manages the learner's cohort, else ``None``."""
    if not user.is_authenticated or not user.is_active:
        return None
    stored = (
        SubmissionFile.objects.select_related("submission__enrollment").filter(pk=file_id).first()
    )
    if stored is None:
        return None
    enrollment = stored.submission.enrollment
    if enrollment.user_id == user.pk:
        return stored
    if managed_cohorts(user).filter(pk=enrollment.cohort_id).exists():
        return stored
    return None


# --- the teachers' side ------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilters:
    cohort: int | None = None
    course: int | None = None
    late: bool = False


def review_queue(user: User, *, filters: QueueFilters) -> QuerySet[Submission]:
    """Hand-ins awaiting review in the cohorts the user manages, oldest first."""
    submissions = Submission.objects.filter(
        status=SubmissionStatus.SUBMITTED, enrollment__cohort__in=managed_cohorts(user)
    )
    if filters.cohort:
        submissions = submissions.filter(enrollment__cohort_id=filters.cohort)
    if filters.course:
        submissions = submissions.filter(enrollment__cohort__course_id=filters.course)
    if filters.late:
        submissions = submissions.filter(is_late=True)
    return (
        submissions.select_related("enrollment__user", "enrollment__cohort__course", "assignment")
        .annotate(file_count=Count("files"))
        .order_by("submitted_at", "pk")
    )


def queue_cohorts(user: User) -> list[Cohort]:
    """The cohorts for the queue's filter: current ones, or ones with work waiting."""
    today = timezone.localdate()
    return list(
        managed_cohorts(user)
        .filter(
            Q(ends_on__gte=today) | Q(enrollments__submissions__status=SubmissionStatus.SUBMITTED)
        )
        .select_related("course")
        .distinct()
        .order_by("course__title", "-starts_on", "pk")
    )


def submission_for_reviewer(user: User, submission_id: int) -> Submission | None:
    return (
        _with_details(
            Submission.objects.filter(
                pk=submission_id, enrollment__cohort__in=managed_cohorts(user)
            )
        )
        .select_related("enrollment__user", "enrollment__cohort__course", "assignment")
        .first()
    )


def reviewer_history(submission: Submission) -> list[Submission]:
    """All hand-ins of the same learner for the same assignment, newest first."""
    return list(
        _with_details(
            Submission.objects.filter(
                enrollment_id=submission.enrollment_id, assignment_id=submission.assignment_id
            )
        ).order_by("-number")
    )


def pending_review_counts(user: User) -> dict[int, int]:
    """Cohort id → hand-ins awaiting review, for the cohorts the user manages."""
    rows = (
        Submission.objects.filter(
            status=SubmissionStatus.SUBMITTED, enrollment__cohort__in=managed_cohorts(user)
        )
        .values("enrollment__cohort_id")
        .annotate(n=Count("pk"))
    )
    return {row["enrollment__cohort_id"]: row["n"] for row in rows}


def teaching_cohorts(user: User) -> list[Cohort]:
    """Cohorts the user teaches (methodists: every cohort not finished), for the cabinet."""
    if not user.is_authenticated:
        return []
    cohorts = managed_cohorts(user).select_related("course")
    if can_manage_all_cohorts(user):
        cohorts = cohorts.filter(ends_on__gte=timezone.localdate())
    return list(cohorts.order_by("-starts_on", "pk")[:20])

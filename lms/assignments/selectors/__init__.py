"""Reads for assignments: hand-ins and the review queue, the gradebook, the head's report."""

from lms.assignments.selectors.submissions import (
    QueueFilters,
    accepted_assignments_by_enrollment,
    assignment_course,
    assignment_deadline,
    can_submit_again,
    file_for_viewer,
    pending_review_counts,
    queue_cohorts,
    review_queue,
    reviewer_history,
    submission_for_reviewer,
    submission_history,
    teaching_cohorts,
)

__all__ = [
    "QueueFilters",
    "accepted_assignments_by_enrollment",
    "assignment_course",
    "assignment_deadline",
    "can_submit_again",
    "file_for_viewer",
    "pending_review_counts",
    "queue_cohorts",
    "review_queue",
    "reviewer_history",
    "submission_for_reviewer",
    "submission_history",
    "teaching_cohorts",
]

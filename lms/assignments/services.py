"""Writes for assignments: hand-ins, the teacher's review, messages to a cohort.

Each write locks the row that serialises its kind of change first: the
enrollment for a learner's hand-ins (numbering, "one open submission"), the
submission for a review (two teachers pressing «Accept» at once: one wins),
so that the database constraints are a last line, not the usual path.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import User
from core.services.audit import audit_log
from core.services.notifications import notification_send
from core.uploads import safe_filename, validate_upload
from lms.assignments.forms import TEXT_MAX_LENGTH
from lms.assignments.models import (
    AssignmentPage,
    CohortMessage,
    Review,
    ReviewDecision,
    Submission,
    SubmissionFile,
    SubmissionStatus,
)
from lms.assignments.selectors import assignment_course
from lms.courses.models import HOLDS_PLACE, Cohort, CohortDeadline, Enrollment, EnrollmentStatus
from lms.courses.selectors.enrollment import can_manage_cohort
from lms.courses.selectors.progress import page_access
from lms.courses.services.progress import completion_check

NOTIFY_REVIEWED = "courses.submission_reviewed"
NOTIFY_COHORT_MESSAGE = "courses.cohort_message"
EXCERPT_LENGTH = 500


class SubmissionRefused(Exception):
    """The action cannot be done; ``message`` is shown to the user as is."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


def _excerpt(text: str) -> str:
    text = text.strip()
    return text if len(text) <= EXCERPT_LENGTH else text[: EXCERPT_LENGTH - 1] + "…"


def _learner_enrollment(user: User, assignment: AssignmentPage) -> Enrollment:
    """The user's enrollment in a cohort of the assignment's course, locked: the studying
    one, else a completed one (so that a late replay or a second tab gets a clear answer)."""
    course = assignment_course(assignment)
    enrollments = (
        list(
            Enrollment.objects.select_for_update(of=("self",))
            .select_related("cohort")
            .filter(user=user, cohort__course=course, status__in=HOLDS_PLACE)
            .order_by("-cohort__starts_on", "-pk")
        )
        if course is not None
        else []
    )
    studying = [e for e in enrollments if e.status == EnrollmentStatus.ENROLLED]
    enrollment = (studying or enrollments or [None])[0]
    if enrollment is None:
        raise SubmissionRefused(
            _("Only learners studying in a cohort of this course can hand in the assignment."),
            code="not_enrolled",
        )
    return enrollment


def _validated_files(
    assignment: AssignmentPage, files: Sequence[UploadedFile]
) -> list[tuple[UploadedFile, str]]:
    if not files:
        return []
    if not assignment.accepts_files:
        raise ValidationError({"files": _("This assignment does not accept files.")})
    if len(files) > settings.PORTAL_UPLOAD_MAX_FILES:
        raise ValidationError(
            {
                "files": _("Attach at most %(count)d files.")
                % {"count": settings.PORTAL_UPLOAD_MAX_FILES}
            }
        )
    checked, errors = [], []
    for uploaded in files:
        try:
            kind = validate_upload(
                uploaded, kinds=assignment.accepted_kinds, max_size=assignment.max_file_size
            )
        except ValidationError as error:
            errors.extend(f"{uploaded.name}: {message}" for message in error.messages)
        else:
            checked.append((uploaded, kind))
    if errors:
        raise ValidationError({"files": errors})
    return checked


@transaction.atomic
def submission_create(
    *,
    user: User,
    assignment: AssignmentPage,
    client_token: str,
    text: str = "",
    files: Sequence[UploadedFile] = (),
    now: dt.datetime | None = None,
    request=None,
) -> Submission:
    """Hand in an answer (the first one, or a revision after the teacher returned it).

    The same ``client_token`` (a double click, a resent form) returns the first
    submission. Input problems raise ``ValidationError`` keyed by field; state
    problems (not enrolled, locked, already accepted) raise ``SubmissionRefused``.
    """
    client_token = client_token.strip()
    if not client_token:
        raise SubmissionRefused(_("The form has expired; please send it again."), code="token")
    enrollment = _learner_enrollment(user, assignment)
    existing = Submission.objects.filter(client_token=client_token).first()
    if existing is not None:
        if existing.enrollment_id == enrollment.pk and existing.assignment_id == assignment.pk:
            return existing
        raise SubmissionRefused(_("The form has expired; please send it again."), code="token")

    latest = (
        Submission.objects.filter(enrollment=enrollment, assignment=assignment)
        .order_by("-number")
        .first()
    )
    if latest is not None and latest.status != SubmissionStatus.RETURNED:
        messages = {
            SubmissionStatus.SUBMITTED: _(
                "Your work is awaiting review; you can hand in a new version once it is returned."
            ),
            SubmissionStatus.ACCEPTED: _("Your work has already been accepted."),
            SubmissionStatus.REJECTED: _("The teacher's decision on this assignment is final."),
        }
        raise SubmissionRefused(messages[latest.status], code=latest.status)
    if enrollment.status != EnrollmentStatus.ENROLLED:
        raise SubmissionRefused(
            _("You have completed the course; nothing more can be handed in."), code="completed"
        )
    # The course's rules: cohort dates, sequential access, module prerequisites.
    access = page_access(enrollment, assignment)
    if not access.open:
        raise SubmissionRefused(
            access.reason or _("This assignment is not open to you yet."), code="locked"
        )

    text = text.strip() if assignment.text_allowed else ""
    if len(text) > TEXT_MAX_LENGTH:
        raise ValidationError(
            {
                "text": _("The answer is too long: at most %(max)d characters.")
                % {"max": TEXT_MAX_LENGTH}
            }
        )
    checked = _validated_files(assignment, files)
    if not text and not checked:
        raise ValidationError(_("Write an answer or attach a file."))

    now = now or timezone.now()
    due_at = (
        CohortDeadline.objects.filter(cohort_id=enrollment.cohort_id, page_id=assignment.pk)
        .values_list("due_at", flat=True)
        .first()
    )
    number = latest.number + 1 if latest is not None else 1
    try:
        with transaction.atomic():
            submission = Submission.objects.create(
                enrollment=enrollment,
                assignment=assignment,
                number=number,
                text=text,
                submitted_at=now,
                due_at=due_at,
                is_late=due_at is not None and now > due_at,
                client_token=client_token,
            )
    except IntegrityError as exc:
        # Only a writer that skipped the enrollment lock gets here.
        raise SubmissionRefused(
            _("Your work has just been handed in; reload the page."), code="conflict"
        ) from exc
    for uploaded, kind in checked:
        stored = SubmissionFile(
            submission=submission,
            name=(uploaded.name or "file")[:255],
            kind=kind,
            size=uploaded.size,
        )
        stored.file.save(safe_filename(uploaded.name), uploaded, save=False)
        stored.save()
    audit_log(
        action="assignment.submit",
        actor=user,
        target=submission,
        data={"assignment": assignment.pk, "number": number, "late": submission.is_late},
        request=request,
    )
    return submission


def can_review(user: User, cohort: Cohort) -> bool:
    return user.is_authenticated and user.is_active and can_manage_cohort(user, cohort)


@transaction.atomic
def submission_review(
    *,
    submission_id: int,
    reviewer: User,
    decision: str,
    points: int | None = None,
    comment: str = "",
    request=None,
) -> Submission:
    """Decide on a submission: accept with points, return for revision, or reject.

    Raises ``Submission.DoesNotExist`` when the reviewer may not see it (a forged
    id: the view's 404), ``ValidationError`` for bad input, ``SubmissionRefused``
    when another teacher has decided first.
    """
    submission = (
        Submission.objects.select_for_update(of=("self",))
        .select_related("enrollment__user", "enrollment__cohort", "assignment")
        .get(pk=submission_id)
    )
    if not can_review(reviewer, submission.enrollment.cohort):
        raise Submission.DoesNotExist
    if submission.status != SubmissionStatus.SUBMITTED:
        decided = Review.objects.filter(submission=submission).select_related("reviewer").first()
        raise SubmissionRefused(
            _("%(name)s has already reviewed this work: %(decision)s.")
            % {
                "name": decided.reviewer.get_full_name() if decided else _("Another teacher"),
                "decision": submission.get_status_display(),
            },
            code="decided",
        )

    assignment = submission.assignment
    comment = comment.strip()
    if decision not in ReviewDecision.values:
        raise ValidationError({"decision": _("Choose a decision.")})
    if points is not None and not 0 <= points <= assignment.max_points:
        raise ValidationError(
            {"points": _("Points go from 0 to %(max)d.") % {"max": assignment.max_points}}
        )
    if decision == ReviewDecision.ACCEPT:
        if points is None:
            raise ValidationError({"points": _("Give the points for an accepted work.")})
        if points < assignment.pass_points:
            raise ValidationError(
                {
                    "points": _(
                        "Below the pass mark of %(pass)d: return the work for revision instead."
                    )
                    % {"pass": assignment.pass_points}
                }
            )
    elif not comment:
        raise ValidationError({"comment": _("Tell the learner what to improve.")})

    Review.objects.create(
        submission=submission, reviewer=reviewer, decision=decision, points=points, comment=comment
    )
    submission.status = {
        ReviewDecision.ACCEPT: SubmissionStatus.ACCEPTED,
        ReviewDecision.RETURN: SubmissionStatus.RETURNED,
        ReviewDecision.REJECT: SubmissionStatus.REJECTED,
    }[decision]
    submission.points = points
    submission.save(update_fields=["status", "points"])
    audit_log(
        action="assignment.review",
        actor=reviewer,
        target=submission,
        data={"decision": decision, "points": points},
        request=request,
    )
    titles = {
        ReviewDecision.ACCEPT: _("Your work is accepted: %(title)s"),
        ReviewDecision.RETURN: _("Your work is returned for revision: %(title)s"),
        ReviewDecision.REJECT: _("Your work is not accepted: %(title)s"),
    }
    body = _excerpt(comment)
    if points is not None:
        body = _("Points: %(points)d of %(max)d.") % {
            "points": points,
            "max": assignment.max_points,
        } + ("\n\n" + body if body else "")
    notification_send(
        recipient=submission.enrollment.user,
        kind=NOTIFY_REVIEWED,
        title=titles[decision] % {"title": assignment.title},
        body=body,
        url=assignment.url or "",
    )
    if decision == ReviewDecision.ACCEPT:
        # The course is completed the moment its last condition is met.
        completion_check(enrollment=submission.enrollment)
    return submission


@transaction.atomic
def cohort_message_send(
    *,
    cohort_id: int,
    author: User,
    subject: str,
    body: str,
    client_token: str,
    request=None,
) -> CohortMessage:
    """Send a message to every learner holding a place in the cohort (in-site and email).

    One transaction: either everybody gets it or nobody does. A resent form
    (same ``client_token``) returns the first message and sends nothing.
    Raises ``Cohort.DoesNotExist`` when the author may not message the cohort.
    """
    # The cohort's row lock serialises two presses of «Send» with the same token.
    cohort = (
        Cohort.objects.select_for_update(of=("self",)).select_related("course").get(pk=cohort_id)
    )
    if not can_review(author, cohort):
        raise Cohort.DoesNotExist
    client_token = client_token.strip()
    existing = CohortMessage.objects.filter(client_token=client_token).first()
    if existing is not None:
        if existing.cohort_id == cohort.pk and existing.author_id == author.pk:
            return existing
        raise SubmissionRefused(_("The form has expired; please send it again."), code="token")
    subject, body = subject.strip(), body.strip()
    errors = {}
    if not subject:
        errors["subject"] = _("Write a subject.")
    if not body:
        errors["body"] = _("Write the message.")
    if errors:
        raise ValidationError(errors)

    learners = list(
        User.objects.filter(
            enrollments__cohort=cohort, enrollments__status__in=HOLDS_PLACE, is_active=True
        ).order_by("pk")
    )
    message = CohortMessage.objects.create(
        cohort=cohort,
        author=author,
        subject=subject,
        body=body,
        recipients=len(learners),
        client_token=client_token,
    )
    course_url = cohort.course.url or ""
    for learner in learners:
        notification_send(
            recipient=learner,
            kind=NOTIFY_COHORT_MESSAGE,
            title=subject,
            body=_("%(author)s, %(course)s:")
            % {
                "author": author.get_full_name(),
                "course": cohort.course.title,
            }
            + "\n\n"
            + body,
            url=course_url,
        )
    audit_log(
        action="cohort.message",
        actor=author,
        target=message,
        data={"cohort": cohort.pk, "recipients": len(learners)},
        request=request,
    )
    return message

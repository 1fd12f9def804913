"""Writes of the learning path: a lesson marked as studied, and the course completion.

Completion is recorded the moment its last condition is met (PITFALLS: a nightly
job leaves certificates without dates): marking a lesson here, a passed quiz
(``lms.quizzes.services``) and an accepted assignment (``lms.assignments.services``)
each call :func:`completion_check`. The ``reconcile_completions`` command calls
it too, for completions a content edit or an import left unrecorded.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.services.audit import audit_log
from core.services.notifications import notification_send
from lms.courses.models import Enrollment, EnrollmentStatus, LessonCompletion, LessonPage
from lms.courses.selectors.progress import course_outline, page_access
from lms.courses.signals import course_completed


class ProgressRefused(Exception):
    """The learner cannot do this now; ``message`` is shown to them as is."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


@transaction.atomic
def lesson_complete(*, enrollment: Enrollment, lesson: LessonPage) -> LessonCompletion:
    """Mark ``lesson`` as studied by the learner of ``enrollment``.

    Marking it again (a double click, a second tab) returns the first record. A lesson
    the learner cannot open, or after the study ended, raises :class:`ProgressRefused`.
    """
    existing = LessonCompletion.objects.filter(enrollment=enrollment, page_id=lesson.pk).first()
    if existing is not None:
        return existing
    access = page_access(enrollment, lesson)
    if not access.open:
        raise ProgressRefused(
            access.reason or _("This lesson is not open to you yet."), code="locked"
        )
    completion, _created = LessonCompletion.objects.get_or_create(
        enrollment=enrollment, page_id=lesson.pk
    )
    completion_check(enrollment=enrollment)
    return completion


@transaction.atomic
def completion_check(*, enrollment: Enrollment, now: dt.datetime | None = None) -> bool:
    """Record the course as completed if its rule is met now; whether it is completed.

    The enrollment's row lock makes the completion happen once, however many checks run
    at the same time: one learner, one notification, one ``course_completed`` signal.
    ``enrollment`` is updated in place.
    """
    locked = (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("cohort", "cohort__course", "user")
        .get(pk=enrollment.pk)
    )
    if locked.status == EnrollmentStatus.COMPLETED:
        enrollment.status, enrollment.completed_at = locked.status, locked.completed_at
        return True
    if locked.status != EnrollmentStatus.ENROLLED:
        return False
    if not course_outline(locked, today=timezone.localdate(now)).rule_met:
        return False
    locked.status = EnrollmentStatus.COMPLETED
    locked.completed_at = now or timezone.now()
    locked.save(update_fields=["status", "completed_at"])
    enrollment.status, enrollment.completed_at = locked.status, locked.completed_at
    course = locked.cohort.course
    audit_log(
        action="course.complete",
        actor=locked.user,
        target=locked,
        data={"cohort": locked.cohort_id, "course": course.pk},
    )
    notification_send(
        recipient=locked.user,
        kind="courses.completed",
        title=_("You have completed the course «%(course)s»") % {"course": course.title},
        body=_("Congratulations! All the conditions of the programme are met."),
        url=course.url or "",
    )
    transaction.on_commit(lambda: course_completed.send(sender=Enrollment, enrollment=locked))
    return True

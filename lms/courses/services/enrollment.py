"""Enrollment in course cohorts: requests, the waiting list, approval, withdrawal.

Every write that can change who holds a place starts by locking the cohort's
row (``select_for_update(of=("self",))``). That lock is the capacity guard: a
database constraint cannot count rows, so fifty people pressing «Записаться»
in the same second are served one after another and the count they see is
always current (``tests/lms/courses/test_enrollment_concurrency.py``).
"""

from __future__ import annotations

import datetime as dt
import hmac

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from core.models import ConsentPurpose, User
from core.services.audit import audit_log
from core.services.consent import ConsentUnavailable, consent_grant, consent_is_active
from core.services.notifications import notification_send
from lms.courses.models import (
    ACTIVE_STATUSES,
    HOLDS_PLACE,
    Cohort,
    Enrollment,
    EnrollmentMode,
    EnrollmentStatus,
    EnrollmentWindow,
    LearnerProfile,
)
from lms.courses.selectors.enrollment import can_manage_cohort, cohort_staff_to_notify


class EnrollmentRefused(Exception):
    """The enrollment action cannot be done; ``message`` is shown to the user as is."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


def _local(value: dt.datetime) -> str:
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


def _date(value: dt.date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def _lock_cohort(cohort_id: int) -> Cohort:
    """The cohort row is the lock that serialises its enrollments (capacity, queue).

    Raises ``Cohort.DoesNotExist`` for a forged id; views turn it into a 404.
    """
    return Cohort.objects.select_for_update(of=("self",)).select_related("course").get(pk=cohort_id)


def _taken(cohort: Cohort) -> int:
    return Enrollment.objects.filter(cohort=cohort, status__in=HOLDS_PLACE).count()


def _has_free_place(cohort: Cohort) -> bool:
    return cohort.capacity is None or _taken(cohort) < cohort.capacity


def _rejected() -> EnrollmentRefused:
    return EnrollmentRefused(
        _("Your request to join this cohort was declined. Please contact the department."),
        code="rejected",
    )


def cohort_enrollment_refusal(
    cohort: Cohort, *, enrollment: Enrollment | None = None, now: dt.datetime | None = None
) -> EnrollmentRefused | None:
    """Why nobody (or, given their ``enrollment``, this person) can ask to join ``cohort``
    right now, or ``None`` if they can."""
    if enrollment is not None and enrollment.status == EnrollmentStatus.REJECTED:
        return _rejected()
    window = cohort.enrollment_window(now)
    if window == EnrollmentWindow.ENDED:
        return EnrollmentRefused(_("This cohort has already finished."), code="ended")
    if window == EnrollmentWindow.NOT_OPEN:
        return EnrollmentRefused(
            _("Enrollment opens on %(date)s.") % {"date": _local(cohort.enrollment_opens)},
            code="not_open",
        )
    if window == EnrollmentWindow.CLOSED:
        return EnrollmentRefused(_("Enrollment in this cohort is closed."), code="closed")
    return None


def invitation_code_matches(cohort: Cohort, code: str) -> bool:
    """Constant-time comparison; spaces around and letter case do not matter."""
    expected = cohort.invitation_code.strip().casefold().encode()
    given = (code or "").strip().casefold().encode()
    return bool(expected) and hmac.compare_digest(expected, given)


def _profile_complete(user: User) -> bool:
    profile = LearnerProfile.objects.filter(user=user).first()
    return profile is not None and profile.is_complete()


def _ensure_consent(*, user: User, consent_given: bool, request) -> None:
    if consent_is_active(user=user, purpose=ConsentPurpose.PERSONAL_DATA):
        return
    if not consent_given:
        raise EnrollmentRefused(
            _("Please agree to the processing of your personal data."),
            code="consent",
        )
    try:
        consent_grant(user=user, purpose=ConsentPurpose.PERSONAL_DATA, request=request)
    except ConsentUnavailable as exc:
        raise EnrollmentRefused(
            _("Enrollment is unavailable: the consent text has not been published yet."),
            code="consent",
        ) from exc


def _place_or_queue(cohort: Cohort) -> str:
    if _has_free_place(cohort):
        return EnrollmentStatus.ENROLLED
    if cohort.waitlist_enabled:
        return EnrollmentStatus.WAITLISTED
    raise EnrollmentRefused(_("There are no places left in this cohort."), code="full")


@transaction.atomic
def enrollment_request(
    *,
    cohort_id: int,
    user: User,
    invitation_code: str = "",
    consent_given: bool = False,
    request=None,
) -> Enrollment:
    """Ask to join a cohort: a place, a place in the queue, or a request for approval.

    A repeated call (double click, second tab) returns the existing enrollment
    unchanged. A refusal raises :class:`EnrollmentRefused` and writes nothing.
    """
    cohort = _lock_cohort(cohort_id)
    existing = Enrollment.objects.filter(cohort=cohort, user=user).first()
    if existing is not None and existing.status in ACTIVE_STATUSES:
        return existing
    refusal = cohort_enrollment_refusal(cohort, enrollment=existing)
    if refusal is not None:
        raise refusal
    if cohort.mode == EnrollmentMode.CODE and not invitation_code_matches(cohort, invitation_code):
        raise EnrollmentRefused(
            _("The invitation code is not right. Check it with the person who sent it to you."),
            code="wrong_code",
        )
    if not _profile_complete(user):
        raise EnrollmentRefused(
            _("Please fill in your education and SNILS details first: a certificate needs them."),
            code="profile",
        )
    if cohort.mode == EnrollmentMode.APPROVAL:
        status = EnrollmentStatus.REQUESTED
    else:
        status = _place_or_queue(cohort)
    _ensure_consent(user=user, consent_given=consent_given, request=request)

    now = timezone.now()
    enrolled_at = now if status == EnrollmentStatus.ENROLLED else None
    if existing is not None:
        enrollment = existing
        enrollment.status = status
        enrollment.queued_at = now
        enrollment.enrolled_at = enrolled_at
        enrollment.decided_by = None
        enrollment.decision_note = ""
        enrollment.save(
            update_fields=["status", "queued_at", "enrolled_at", "decided_by", "decision_note"]
        )
    else:
        enrollment = Enrollment.objects.create(
            cohort=cohort, user=user, status=status, enrolled_at=enrolled_at
        )
    audit_log(
        action="course.enroll",
        actor=user,
        target=enrollment,
        data={"cohort": cohort.pk, "status": status},
        request=request,
    )
    if status == EnrollmentStatus.ENROLLED:
        _notify_place(enrollment, promoted=False)
    elif status == EnrollmentStatus.WAITLISTED:
        _notify_waitlisted(enrollment)
    else:
        _notify_requested(enrollment)
    return enrollment


@transaction.atomic
def enrollment_withdraw(*, cohort_id: int, user: User, request=None) -> Enrollment:
    """Leave a cohort (or its queue, or withdraw a request); the next in line gets the place."""
    cohort = _lock_cohort(cohort_id)
    enrollment = Enrollment.objects.filter(
        cohort=cohort,
        user=user,
        status__in=[
            EnrollmentStatus.REQUESTED,
            EnrollmentStatus.WAITLISTED,
            EnrollmentStatus.ENROLLED,
        ],
    ).first()
    if enrollment is None:
        raise EnrollmentRefused(_("You are not enrolled in this cohort."), code="not_enrolled")
    held_place = enrollment.holds_place
    enrollment.status = EnrollmentStatus.WITHDRAWN
    enrollment.save(update_fields=["status"])
    audit_log(action="course.withdraw", actor=user, target=enrollment, request=request)
    notification_send(
        recipient=user,
        kind="courses.enrollment",
        title=_("You have left the cohort: %(cohort)s") % {"cohort": _cohort_name(cohort)},
        url=cohort.course.url or "",
        email=False,
    )
    if held_place:
        _waitlist_promote(cohort)
    return enrollment


@transaction.atomic
def learner_profile_save(
    *,
    user: User,
    education_level: str,
    diploma_surname: str,
    diploma_series: str,
    diploma_number: str,
    snils: str,
    birth_date: dt.date,
    sex: str,
    citizenship: str,
    consent_given: bool = False,
    request=None,
) -> LearnerProfile:
    """Create or update the user's ДПО data; it is personal data, so consent comes first."""
    _ensure_consent(user=user, consent_given=consent_given, request=request)
    profile = LearnerProfile.objects.select_for_update().filter(user=user).first()
    created = profile is None
    profile = profile or LearnerProfile(user=user)
    profile.education_level = education_level
    profile.diploma_surname = diploma_surname.strip()
    profile.diploma_series = diploma_series.strip()
    profile.diploma_number = diploma_number.strip()
    profile.snils = snils
    profile.birth_date = birth_date
    profile.sex = sex
    profile.citizenship = citizenship.strip()
    profile.full_clean(exclude=["user"])
    profile.save()
    # The values are personal data: the audit record says only that they changed.
    audit_log(
        action="course.profile_create" if created else "course.profile_update",
        actor=user,
        target=profile,
        request=request,
    )
    return profile


def _staff_enrollment(cohort: Cohort, *, enrollment_id: int, actor: User) -> Enrollment:
    if not can_manage_cohort(actor, cohort):
        raise Enrollment.DoesNotExist
    return (
        Enrollment.objects.select_related("user")
        .select_for_update(of=("self",))
        .get(pk=enrollment_id, cohort=cohort)
    )


@transaction.atomic
def enrollment_approve(
    *, cohort_id: int, enrollment_id: int, actor: User, note: str = "", request=None
) -> Enrollment:
    """Accept a request: a place if one is free, else the waiting list.

    Approving twice changes nothing. Raises ``Enrollment.DoesNotExist`` when the
    enrollment is not in this cohort or ``actor`` may not manage it.
    """
    cohort = _lock_cohort(cohort_id)
    enrollment = _staff_enrollment(cohort, enrollment_id=enrollment_id, actor=actor)
    if enrollment.status in (EnrollmentStatus.WAITLISTED, *HOLDS_PLACE):
        return enrollment
    if enrollment.status != EnrollmentStatus.REQUESTED:
        raise EnrollmentRefused(_("Only a pending request can be approved."), code="not_requested")
    if cohort.has_ended():
        raise EnrollmentRefused(_("This cohort has already finished."), code="ended")
    status = _place_or_queue(cohort)
    now = timezone.now()
    enrollment.status = status
    enrollment.decided_by = actor
    enrollment.decision_note = note.strip()[:500]
    if status == EnrollmentStatus.ENROLLED:
        enrollment.enrolled_at = now
    else:
        # The queue is served in the order people joined it, not asked.
        enrollment.queued_at = now
    enrollment.save(
        update_fields=["status", "decided_by", "decision_note", "enrolled_at", "queued_at"]
    )
    audit_log(
        action="course.approve",
        actor=actor,
        target=enrollment,
        data={"cohort": cohort.pk, "status": status},
        request=request,
    )
    if status == EnrollmentStatus.ENROLLED:
        _notify_place(enrollment, promoted=False, note=enrollment.decision_note)
    else:
        _notify_waitlisted(enrollment, note=enrollment.decision_note)
    return enrollment


@transaction.atomic
def enrollment_reject(
    *, cohort_id: int, enrollment_id: int, actor: User, note: str, request=None
) -> Enrollment:
    """Decline a request or take someone off the waiting list, telling them why."""
    note = (note or "").strip()[:500]
    if not note:
        raise EnrollmentRefused(
            _("Write a short reason: the learner will see it."), code="note_required"
        )
    cohort = _lock_cohort(cohort_id)
    enrollment = _staff_enrollment(cohort, enrollment_id=enrollment_id, actor=actor)
    if enrollment.status == EnrollmentStatus.REJECTED:
        return enrollment
    if enrollment.status not in (EnrollmentStatus.REQUESTED, EnrollmentStatus.WAITLISTED):
        raise EnrollmentRefused(
            _("Only a pending request or someone waiting can be declined."),
            code="not_pending",
        )
    enrollment.status = EnrollmentStatus.REJECTED
    enrollment.decided_by = actor
    enrollment.decision_note = note
    enrollment.save(update_fields=["status", "decided_by", "decision_note"])
    audit_log(
        action="course.reject",
        actor=actor,
        target=enrollment,
        data={"cohort": cohort.pk},
        request=request,
    )
    notification_send(
        recipient=enrollment.user,
        kind="courses.enrollment",
        title=_("Your request was declined: %(cohort)s") % {"cohort": _cohort_name(cohort)},
        body=note,
        url=cohort.course.url or "",
    )
    return enrollment


@transaction.atomic
def enrollment_promote(
    *, cohort_id: int, enrollment_id: int, actor: User, request=None
) -> Enrollment:
    """Give a free place to a particular person from the waiting list, out of turn."""
    cohort = _lock_cohort(cohort_id)
    enrollment = _staff_enrollment(cohort, enrollment_id=enrollment_id, actor=actor)
    if enrollment.holds_place:
        return enrollment
    if enrollment.status != EnrollmentStatus.WAITLISTED:
        raise EnrollmentRefused(
            _("Only someone on the waiting list can be moved up."), code="not_waitlisted"
        )
    if not _has_free_place(cohort):
        raise EnrollmentRefused(
            _("There is no free place. Increase the number of places first."), code="full"
        )
    enrollment.status = EnrollmentStatus.ENROLLED
    enrollment.enrolled_at = timezone.now()
    enrollment.decided_by = actor
    enrollment.save(update_fields=["status", "enrolled_at", "decided_by"])
    audit_log(
        action="course.promote",
        actor=actor,
        target=enrollment,
        data={"cohort": cohort.pk, "manual": True},
        request=request,
    )
    _notify_place(enrollment, promoted=True)
    return enrollment


@transaction.atomic
def cohort_capacity_changed(*, cohort_id: int) -> list[Enrollment]:
    """Staff saved the cohort (maybe with more places): fill them from the queue."""
    cohort = _lock_cohort(cohort_id)
    return _waitlist_promote(cohort)


def _waitlist_promote(cohort: Cohort) -> list[Enrollment]:
    """Fill free places from the queue, first come first served. Caller holds the lock."""
    if cohort.has_ended():
        return []
    queue = (
        Enrollment.objects.filter(cohort=cohort, status=EnrollmentStatus.WAITLISTED)
        .select_related("user")
        .order_by("queued_at", "pk")
    )
    if cohort.capacity is not None:
        free = cohort.capacity - _taken(cohort)
        if free <= 0:
            return []
        queue = queue[:free]
    promoted = list(queue)
    now = timezone.now()
    for enrollment in promoted:
        enrollment.cohort = cohort
        enrollment.status = EnrollmentStatus.ENROLLED
        enrollment.enrolled_at = now
        enrollment.save(update_fields=["status", "enrolled_at"])
        audit_log(action="course.promote", target=enrollment, data={"cohort": cohort.pk})
        _notify_place(enrollment, promoted=True)
    return promoted


# --- notifications -------------------------------------------------------------


def _cohort_name(cohort: Cohort) -> str:
    return f"{cohort.course.title} ({cohort.title})"


def _notify_place(enrollment: Enrollment, *, promoted: bool, note: str = "") -> None:
    cohort = enrollment.cohort
    if promoted:
        kind = "courses.waitlist_promoted"
        title = _("A place became free — you are enrolled: %(cohort)s") % {
            "cohort": _cohort_name(cohort)
        }
    else:
        kind = "courses.enrollment"
        title = _("You are enrolled: %(cohort)s") % {"cohort": _cohort_name(cohort)}
    body = _("Study runs from %(start)s to %(end)s.") % {
        "start": _date(cohort.starts_on),
        "end": _date(cohort.ends_on),
    }
    if note:
        body = f"{body}\n\n{note}"
    notification_send(
        recipient=enrollment.user, kind=kind, title=title, body=body, url=cohort.course.url or ""
    )


def _notify_waitlisted(enrollment: Enrollment, *, note: str = "") -> None:
    cohort = enrollment.cohort
    body = _(
        "The cohort is full. You are number %(position)d in the queue; we will let you "
        "know as soon as a place becomes free."
    ) % {"position": enrollment.waitlist_position}
    if note:
        body = f"{body}\n\n{note}"
    notification_send(
        recipient=enrollment.user,
        kind="courses.enrollment",
        title=_("You are on the waiting list: %(cohort)s") % {"cohort": _cohort_name(cohort)},
        body=body,
        url=cohort.course.url or "",
    )


def _notify_requested(enrollment: Enrollment) -> None:
    from django.urls import reverse

    cohort = enrollment.cohort
    notification_send(
        recipient=enrollment.user,
        kind="courses.enrollment",
        title=_("Your request has been sent: %(cohort)s") % {"cohort": _cohort_name(cohort)},
        body=_("A methodist will consider it; we will let you know the decision."),
        url=cohort.course.url or "",
        email=False,
    )
    roster_url = reverse("lms:courses:cohort_roster", args=[cohort.pk]) + "?status=requested"
    for person in cohort_staff_to_notify(cohort):
        notification_send(
            recipient=person,
            kind="courses.enrollment_request",
            title=_("New request to join %(cohort)s") % {"cohort": _cohort_name(cohort)},
            body=_("%(name)s asks to join the cohort.")
            % {"name": enrollment.user.get_full_name() or enrollment.user.email},
            url=roster_url,
        )

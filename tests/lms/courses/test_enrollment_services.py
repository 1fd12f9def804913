"""Enrollment services: capacity, waiting list, approval, codes, windows, consent, ДПО data."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone, translation

from core.models import Notification
from lms.courses.models import Enrollment, EnrollmentStatus
from lms.courses.services.enrollment import (
    EnrollmentRefused,
    cohort_capacity_changed,
    enrollment_approve,
    enrollment_promote,
    enrollment_reject,
    enrollment_request,
    enrollment_withdraw,
)
from tests.lms.courses.enrollment_helpers import (
    grant_cohort_management,
    make_cohort,
    make_profile,
)


@pytest.fixture(autouse=True)
def _english(settings):
    """The assertions quote the English messages; the site's default is Russian."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db


@pytest.fixture
def learner(make_user, consent_text):
    """A participant with complete ДПО data (consent not yet given)."""

    def make(**fields):
        user = make_user("participant", **fields)
        make_profile(user)
        return user

    return make


@pytest.fixture
def methodist(make_user):
    return grant_cohort_management(make_user("methodist", last_name="Петрова"))


def _enroll(cohort, user, **kwargs):
    kwargs.setdefault("consent_given", True)
    return enrollment_request(cohort_id=cohort.pk, user=user, **kwargs)


def _statuses(cohort):
    return dict(Enrollment.objects.filter(cohort=cohort).values_list("user__email", "status"))


# --- open mode, capacity, waiting list ---------------------------------------------


def test_open_cohort_enrolls_notifies_and_records_consent(
    learner, django_capture_on_commit_callbacks
):
    cohort = make_cohort()
    user = learner()
    with django_capture_on_commit_callbacks(execute=True):
        enrollment = _enroll(cohort, user)
    assert enrollment.status == EnrollmentStatus.ENROLLED
    assert enrollment.enrolled_at is not None
    assert user.consents.filter(purpose="personal_data", withdrawn_at__isnull=True).exists()
    notification = Notification.objects.get(recipient=user, kind="courses.enrollment")
    assert cohort.course.title in notification.title
    [message] = mail.outbox
    assert message.to == [user.email]


def test_double_submit_keeps_one_enrollment_and_one_notification(learner):
    cohort = make_cohort()
    user = learner()
    first = _enroll(cohort, user)
    second = _enroll(cohort, user)
    assert first.pk == second.pk
    assert Enrollment.objects.filter(cohort=cohort).count() == 1
    assert Notification.objects.filter(recipient=user).count() == 1


def test_full_cohort_queues_in_order_and_a_withdrawal_promotes_the_next(
    learner, django_capture_on_commit_callbacks
):
    cohort = make_cohort(capacity=2)
    people = [learner(email=f"p{number}@example.org") for number in range(4)]
    enrollments = [_enroll(cohort, user) for user in people]
    assert [e.status for e in enrollments] == ["enrolled", "enrolled", "waitlisted", "waitlisted"]
    assert [e.waitlist_position for e in enrollments] == [0, 0, 1, 2]
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        enrollment_withdraw(cohort_id=cohort.pk, user=people[0])

    assert _statuses(cohort) == {
        "p0@example.org": "withdrawn",
        "p1@example.org": "enrolled",
        "p2@example.org": "enrolled",
        "p3@example.org": "waitlisted",
    }
    promoted = Notification.objects.get(recipient=people[2], kind="courses.waitlist_promoted")
    assert cohort.course.title in promoted.title
    assert [m.to for m in mail.outbox] == [["p2@example.org"]]
    assert Enrollment.objects.get(user=people[3]).waitlist_position == 1
    assert Enrollment.objects.get(user=people[2]).enrolled_at is not None


def test_leaving_the_queue_frees_no_place(learner):
    cohort = make_cohort(capacity=1)
    first, second, third = (learner() for _ in range(3))
    for user in (first, second, third):
        _enroll(cohort, user)
    enrollment_withdraw(cohort_id=cohort.pk, user=second)
    assert Enrollment.objects.get(user=first).status == "enrolled"
    assert Enrollment.objects.get(user=third).status == "waitlisted"
    assert Enrollment.objects.get(user=third).waitlist_position == 1


def test_no_waitlist_means_a_clear_refusal_and_no_record(learner):
    cohort = make_cohort(capacity=1, waitlist_enabled=False)
    _enroll(cohort, learner())
    late = learner()
    with pytest.raises(EnrollmentRefused) as refused:
        _enroll(cohort, late)
    assert refused.value.code == "full"
    assert not Enrollment.objects.filter(user=late).exists()
    # Nothing was written, not even the consent the click carried.
    assert not late.consents.exists()


def test_more_places_promote_the_queue_with_notifications(learner):
    cohort = make_cohort(capacity=1)
    people = [learner() for _ in range(4)]
    for user in people:
        _enroll(cohort, user)
    cohort.capacity = 3
    cohort.save()
    promoted = cohort_capacity_changed(cohort_id=cohort.pk)
    assert [e.user for e in promoted] == people[1:3]
    assert Enrollment.objects.filter(cohort=cohort, status="enrolled").count() == 3
    assert Enrollment.objects.get(user=people[3]).waitlist_position == 1
    for user in people[1:3]:
        assert Notification.objects.filter(recipient=user, kind="courses.waitlist_promoted")
    # Saving again changes nothing.
    assert cohort_capacity_changed(cohort_id=cohort.pk) == []


def test_no_limit_promotes_everyone_waiting(learner):
    cohort = make_cohort(capacity=1)
    people = [learner() for _ in range(3)]
    for user in people:
        _enroll(cohort, user)
    cohort.capacity = None
    cohort.save()
    cohort_capacity_changed(cohort_id=cohort.pk)
    assert set(_statuses(cohort).values()) == {"enrolled"}


def test_rejoining_after_withdrawing_goes_to_the_end_of_the_queue(learner):
    cohort = make_cohort(capacity=1)
    holder, waiting = learner(), learner()
    _enroll(cohort, holder)
    _enroll(cohort, waiting)
    enrollment_withdraw(cohort_id=cohort.pk, user=holder)
    again = _enroll(cohort, holder)
    assert again.status == "waitlisted"
    assert Enrollment.objects.get(user=waiting).status == "enrolled"
    assert Enrollment.objects.filter(user=holder).count() == 1


def test_withdrawing_twice_or_without_enrollment_is_refused(learner):
    cohort = make_cohort()
    user = learner()
    with pytest.raises(EnrollmentRefused) as refused:
        enrollment_withdraw(cohort_id=cohort.pk, user=user)
    assert refused.value.code == "not_enrolled"
    _enroll(cohort, user)
    enrollment_withdraw(cohort_id=cohort.pk, user=user)
    with pytest.raises(EnrollmentRefused):
        enrollment_withdraw(cohort_id=cohort.pk, user=user)


def test_forged_cohort_id_raises_does_not_exist(learner):
    from lms.courses.models import Cohort

    with pytest.raises(Cohort.DoesNotExist):
        _enroll(type("Forged", (), {"pk": 987654})(), learner())


# --- windows ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"enrollment_opens": timezone.now() + dt.timedelta(days=1)}, "not_open"),
        (
            {
                "enrollment_opens": timezone.now() - dt.timedelta(days=3),
                "enrollment_closes": timezone.now() - dt.timedelta(hours=1),
            },
            "closed",
        ),
        (
            {
                "starts_on": timezone.localdate() - dt.timedelta(days=30),
                "ends_on": timezone.localdate() - dt.timedelta(days=1),
                "enrollment_opens": None,
                "enrollment_closes": None,
            },
            "ended",
        ),
    ],
)
def test_windows_refuse_with_a_message_and_write_nothing(learner, fields, code):
    cohort = make_cohort(**fields)
    user = learner()
    with pytest.raises(EnrollmentRefused) as refused:
        _enroll(cohort, user)
    assert refused.value.code == code
    assert refused.value.message
    assert not Enrollment.objects.exists()


def test_without_a_closing_date_enrollment_runs_until_the_study_ends(learner):
    cohort = make_cohort(
        starts_on=timezone.localdate() - dt.timedelta(days=10),
        enrollment_opens=None,
        enrollment_closes=None,
    )
    assert _enroll(cohort, learner()).status == "enrolled"


# --- consent and ДПО data ---------------------------------------------------------------


def test_consent_is_required(learner):
    cohort = make_cohort()
    user = learner()
    with pytest.raises(EnrollmentRefused) as refused:
        _enroll(cohort, user, consent_given=False)
    assert refused.value.code == "consent"
    assert not Enrollment.objects.exists()


def test_consent_without_a_published_text_is_a_clear_refusal(make_user):
    user = make_user("participant")
    make_profile(user)
    with pytest.raises(EnrollmentRefused) as refused:
        _enroll(make_cohort(), user)
    assert refused.value.code == "consent"


def test_dpo_data_is_required(make_user, consent_text):
    cohort = make_cohort()
    user = make_user("participant")
    with pytest.raises(EnrollmentRefused) as refused:
        _enroll(cohort, user)
    assert refused.value.code == "profile"
    # Data that no longer passes the checks counts as missing.
    make_profile(user, snils="112-233-445 96")
    with pytest.raises(EnrollmentRefused) as refused:
        _enroll(cohort, user)
    assert refused.value.code == "profile"
    assert not Enrollment.objects.exists()


# --- invitation code -----------------------------------------------------------------


def test_wrong_code_changes_nothing_and_the_right_one_enrolls(learner):
    cohort = make_cohort(mode="code", invitation_code="IBC-2026", capacity=1)
    user = learner()
    for wrong in ("", "IBC-2025", "IBC-2026x"):
        with pytest.raises(EnrollmentRefused) as refused:
            _enroll(cohort, user, invitation_code=wrong)
        assert refused.value.code == "wrong_code"
    assert not Enrollment.objects.exists()
    assert not user.consents.exists()
    # Case and spaces around do not matter.
    assert _enroll(cohort, user, invitation_code="  ibc-2026 ").status == "enrolled"
    # Then it works like open enrollment: the next person queues.
    assert _enroll(cohort, learner(), invitation_code="IBC-2026").status == "waitlisted"


# --- approval ------------------------------------------------------------------------------


def test_approval_flow_request_approve_and_waitlist_when_full(learner, methodist, make_user):
    teacher = make_user("participant")
    cohort = make_cohort(mode="approval", capacity=1)
    cohort.teachers.add(teacher)
    first, second = learner(), learner()

    requested = _enroll(cohort, first)
    assert requested.status == "requested"
    assert requested.enrolled_at is None
    # The cohort's teacher hears about the request.
    assert Notification.objects.filter(recipient=teacher, kind="courses.enrollment_request")
    _enroll(cohort, second)

    approved = enrollment_approve(
        cohort_id=cohort.pk, enrollment_id=requested.pk, actor=methodist, note="Добро пожаловать"
    )
    assert approved.status == "enrolled"
    assert approved.decided_by == methodist
    assert Notification.objects.filter(
        recipient=first, kind="courses.enrollment", title__contains=cohort.course.title
    ).exists()

    other = Enrollment.objects.get(user=second)
    queued = enrollment_approve(cohort_id=cohort.pk, enrollment_id=other.pk, actor=teacher)
    assert queued.status == "waitlisted"
    assert queued.waitlist_position == 1

    # Approving again is idempotent; the leaver's place goes to the approved queue.
    assert enrollment_approve(cohort_id=cohort.pk, enrollment_id=other.pk, actor=teacher).pk
    enrollment_withdraw(cohort_id=cohort.pk, user=first)
    assert Enrollment.objects.get(user=second).status == "enrolled"


def test_reject_needs_a_note_and_tells_the_learner(learner, methodist):
    cohort = make_cohort(mode="approval")
    user = learner()
    enrollment = _enroll(cohort, user)
    with pytest.raises(EnrollmentRefused) as refused:
        enrollment_reject(
            cohort_id=cohort.pk, enrollment_id=enrollment.pk, actor=methodist, note=" "
        )
    assert refused.value.code == "note_required"

    rejected = enrollment_reject(
        cohort_id=cohort.pk,
        enrollment_id=enrollment.pk,
        actor=methodist,
        note="Курс только для педагогов-библиотекарей",
    )
    assert rejected.status == "rejected"
    notification = Notification.objects.get(recipient=user, title__contains="declined")
    assert notification.body == "Курс только для педагогов-библиотекарей"
    # A declined person cannot simply ask again, and approving a rejection is refused.
    with pytest.raises(EnrollmentRefused) as refused:
        _enroll(cohort, user)
    assert refused.value.code == "rejected"
    with pytest.raises(EnrollmentRefused):
        enrollment_approve(cohort_id=cohort.pk, enrollment_id=enrollment.pk, actor=methodist)


def test_only_the_cohorts_teachers_and_methodists_decide(learner, make_user):
    cohort = make_cohort(mode="approval")
    other_cohort = make_cohort(mode="approval")
    stranger = make_user("participant")  # a teacher, but of another cohort only
    other_cohort.teachers.add(stranger)
    enrollment = _enroll(cohort, learner())
    with pytest.raises(Enrollment.DoesNotExist):
        enrollment_approve(cohort_id=cohort.pk, enrollment_id=enrollment.pk, actor=stranger)
    # An enrollment of another cohort cannot be decided through this one.
    teacher = make_user()
    cohort.teachers.add(teacher)
    foreign = _enroll(other_cohort, learner())
    with pytest.raises(Enrollment.DoesNotExist):
        enrollment_approve(cohort_id=cohort.pk, enrollment_id=foreign.pk, actor=teacher)
    assert Enrollment.objects.get(pk=foreign.pk).status == "requested"


def test_manual_promotion_only_into_a_free_place(learner, methodist):
    cohort = make_cohort(capacity=1)
    first, second = learner(), learner()
    _enroll(cohort, first)
    waiting = _enroll(cohort, second)
    with pytest.raises(EnrollmentRefused) as refused:
        enrollment_promote(cohort_id=cohort.pk, enrollment_id=waiting.pk, actor=methodist)
    assert refused.value.code == "full"
    assert Enrollment.objects.get(pk=waiting.pk).status == "waitlisted"


def test_enrolled_at_is_required_by_the_database_for_a_place(learner):
    from django.db import IntegrityError, transaction

    cohort = make_cohort()
    user = learner()
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrollment.objects.create(cohort=cohort, user=user, status="enrolled")

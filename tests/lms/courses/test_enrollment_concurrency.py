"""Capacity under concurrency: the cohort's row lock is the guard, and only PostgreSQL has it.

Fifty people press «Записаться» in the same instant (a barrier releases the
threads together, each with its own database connection): exactly ten get a
place, forty wait, nobody is counted twice.
"""

import threading

import pytest
from django.db import connections

from lms.courses.models import Enrollment, EnrollmentStatus
from lms.courses.services.enrollment import (
    EnrollmentRefused,
    enrollment_request,
    enrollment_withdraw,
)
from tests.conftest import STRICT, need, postgres_available
from tests.lms.courses.enrollment_helpers import make_cohort, make_profile

only_on_postgres = pytest.mark.skipif(
    not postgres_available() and not STRICT, reason="DATABASE_URL does not point at PostgreSQL"
)

PEOPLE = 50
CAPACITY = 10


def _in_parallel(calls):
    """Run the calls in threads released at the same instant; collect unexpected errors."""
    barrier = threading.Barrier(len(calls))
    errors = []

    def run(call):
        try:
            barrier.wait()
            call()
        except EnrollmentRefused:
            pass
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@only_on_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_fifty_people_pressing_enroll_at_once_never_exceed_capacity(make_user, consent_text):
    need(postgres_available(), "DATABASE_URL does not point at PostgreSQL")
    cohort = make_cohort(capacity=CAPACITY)
    people = [make_user("participant") for _ in range(PEOPLE)]
    for user in people:
        make_profile(user)

    def press(user):
        return lambda: enrollment_request(cohort_id=cohort.pk, user=user, consent_given=True)

    # Ten of them double-click: still one enrollment each.
    assert _in_parallel([press(user) for user in people] + [press(u) for u in people[:10]]) == []

    enrollments = Enrollment.objects.filter(cohort=cohort)
    assert enrollments.count() == PEOPLE
    assert enrollments.values("user").distinct().count() == PEOPLE
    assert enrollments.filter(status=EnrollmentStatus.ENROLLED).count() == CAPACITY
    assert enrollments.filter(status=EnrollmentStatus.WAITLISTED).count() == PEOPLE - CAPACITY

    # Five holders leave at once: exactly the first five in the queue move up.
    holders = [e.user for e in enrollments.filter(status=EnrollmentStatus.ENROLLED)[:5]]
    first_waiting = list(
        enrollments.filter(status=EnrollmentStatus.WAITLISTED)
        .order_by("queued_at", "pk")
        .values_list("user_id", flat=True)[:5]
    )
    leave = [
        (lambda user=user: enrollment_withdraw(cohort_id=cohort.pk, user=user)) for user in holders
    ]
    assert _in_parallel(leave) == []
    enrolled = set(
        enrollments.filter(status=EnrollmentStatus.ENROLLED).values_list("user_id", flat=True)
    )
    assert len(enrolled) == CAPACITY
    assert set(first_waiting) <= enrolled

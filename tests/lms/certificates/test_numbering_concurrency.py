"""Registration numbers under concurrency (PostgreSQL): 200 documents issued at once get
200 distinct numbers with no gaps, and forty repeated requests for the same people issue nothing."""

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from django.utils import timezone

from core.models import User
from lms.certificates.models import Certificate
from lms.certificates.services.issuing import certificate_issue_for_enrollment
from lms.courses.models import Enrollment, EnrollmentStatus
from tests.conftest import STRICT, need, postgres_available
from tests.lms.certificates.builders import make_template
from tests.lms.courses.enrollment_helpers import make_cohort

only_on_postgres = pytest.mark.skipif(
    not postgres_available() and not STRICT, reason="DATABASE_URL does not point at PostgreSQL"
)

PEOPLE = 200
WORKERS = 24


@only_on_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_hundred_parallel_issues_get_distinct_gapless_numbers():
    need(postgres_available(), "DATABASE_URL does not point at PostgreSQL")
    make_template()
    cohort = make_cohort()
    users = User.objects.bulk_create(
        User(email=f"learner{n}@example.org", last_name=f"Слушатель{n}", first_name="Анна")
        for n in range(PEOPLE)
    )
    now = timezone.now()
    enrollments = Enrollment.objects.bulk_create(
        Enrollment(
            cohort=cohort,
            user=user,
            status=EnrollmentStatus.COMPLETED,
            enrolled_at=now,
            completed_at=now,
        )
        for user in users
    )
    errors = []

    def issue(enrollment):
        try:
            return certificate_issue_for_enrollment(enrollment=enrollment)[1]
        except Exception as exc:
            errors.append(exc)
            return None
        finally:
            connections.close_all()

    # Forty people asked twice: the second request must return the first document.
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        created = list(pool.map(issue, enrollments + enrollments[:40]))

    assert errors == []
    assert created.count(True) == PEOPLE
    numbers = list(Certificate.objects.values_list("registration_number", flat=True))
    assert len(numbers) == len(set(numbers)) == PEOPLE
    year = timezone.localdate().year
    assert all(re.fullmatch(rf"ПК-{year}-\d{{6}}", number) for number in numbers)
    assert sorted(int(number.rsplit("-", 1)[1]) for number in numbers) == list(range(1, PEOPLE + 1))
    assert Certificate.objects.values("enrollment").distinct().count() == PEOPLE

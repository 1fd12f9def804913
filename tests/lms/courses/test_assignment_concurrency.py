"""Races on PostgreSQL: two teachers deciding at once, a learner's repeated presses."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from lms.assignments.models import Review, Submission, SubmissionStatus
from lms.assignments.services import SubmissionRefused, submission_create, submission_review
from tests.conftest import STRICT, need, postgres_available
from tests.lms.courses.test_assignment_setup import build_world

only_on_postgres = pytest.mark.skipif(
    not postgres_available() and not STRICT, reason="DATABASE_URL does not point at PostgreSQL"
)


def _in_parallel(calls) -> tuple[list, list]:
    """Run the calls in threads released at the same instant; results and refusals."""
    barrier = threading.Barrier(len(calls))
    results, refusals, errors = [], [], []

    def run(call):
        try:
            barrier.wait()
            results.append(call())
        except SubmissionRefused as refusal:
            refusals.append(refusal)
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results, refusals


@only_on_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_teachers_deciding_at_once_one_wins_the_other_is_told(make_user):
    need(postgres_available(), "DATABASE_URL does not point at PostgreSQL")
    world = build_world(make_user)
    colleague = make_user("participant", last_name="Кузнецова")
    world.cohort.teachers.add(colleague)
    submission = submission_create(
        user=world.learner, assignment=world.assignment, client_token="t", text="Ответ"
    )
    results, refusals = _in_parallel(
        [
            lambda: submission_review(
                submission_id=submission.pk, reviewer=world.teacher, decision="accept", points=9
            ),
            lambda: submission_review(
                submission_id=submission.pk,
                reviewer=colleague,
                decision="return",
                comment="Доработайте",
            ),
        ]
    )
    assert len(results) == 1 and len(refusals) == 1
    assert refusals[0].code == "decided"
    [review] = Review.objects.all()
    submission.refresh_from_db()
    expected = SubmissionStatus.ACCEPTED if review.decision == "accept" else "returned"
    assert submission.status == expected


@only_on_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ten_presses_of_submit_make_one_submission(make_user):
    need(postgres_available(), "DATABASE_URL does not point at PostgreSQL")
    world = build_world(make_user)

    def press(token):
        return lambda: submission_create(
            user=world.learner, assignment=world.assignment, client_token=token, text="Ответ"
        )

    # The same form five times, and five other tabs with forms of their own.
    results, refusals = _in_parallel(
        [press("same") for _ in range(5)] + [press(f"tab-{n}") for n in range(5)]
    )
    assert Submission.objects.count() == 1
    submission = Submission.objects.get()
    assert {result.pk for result in results} == {submission.pk}
    assert all(refusal.code == "submitted" for refusal in refusals)

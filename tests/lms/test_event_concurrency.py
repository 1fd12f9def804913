"""Capacity under concurrency: only PostgreSQL has the row locks this relies on."""

import threading

import pytest
from django.db import connections

from lms.models import EventRegistration, RegistrationStatus
from lms.services.events import RegistrationRefused, event_register, event_registration_cancel
from tests.conftest import STRICT, need, postgres_available

only_on_postgres = pytest.mark.skipif(
    not postgres_available() and not STRICT, reason="DATABASE_URL does not point at PostgreSQL"
)

PEOPLE = 50
CAPACITY = 10


def _in_parallel(calls):
    """Run the calls in threads released at the same instant; collect exceptions."""
    barrier = threading.Barrier(len(calls))
    errors = []

    def run(call):
        try:
            barrier.wait()
            call()
        except RegistrationRefused:
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
def test_fifty_people_pressing_register_at_once_never_exceed_capacity(
    make_event, make_user, consent_text
):
    need(postgres_available(), "DATABASE_URL does not point at PostgreSQL")
    event = make_event(capacity=CAPACITY)
    people = [make_user("participant") for _ in range(PEOPLE)]
    # Some press twice (double click): still one registration each.
    calls = [
        (lambda user=user: event_register(event_id=event.pk, user=user, consent_given=True))
        for user in people
    ] + [
        (lambda user=user: event_register(event_id=event.pk, user=user, consent_given=True))
        for user in people[:10]
    ]
    assert _in_parallel(calls) == []

    registrations = EventRegistration.objects.filter(event=event)
    assert registrations.count() == PEOPLE
    assert registrations.filter(status=RegistrationStatus.REGISTERED).count() == CAPACITY
    assert registrations.filter(status=RegistrationStatus.WAITLISTED).count() == PEOPLE - CAPACITY

    # Five holders give up their places at once: exactly five people move up, in order.
    holders = [r.user for r in registrations.filter(status=RegistrationStatus.REGISTERED)[:5]]
    first_waiting = list(
        registrations.filter(status=RegistrationStatus.WAITLISTED)
        .order_by("queued_at", "pk")
        .values_list("user_id", flat=True)[:5]
    )
    calls = [
        (lambda user=user: event_registration_cancel(event_id=event.pk, user=user))
        for user in holders
    ]
    assert _in_parallel(calls) == []
    assert registrations.filter(status=RegistrationStatus.REGISTERED).count() == CAPACITY
    promoted = set(
        registrations.filter(status=RegistrationStatus.REGISTERED).values_list("user_id", flat=True)
    )
    assert set(first_waiting) <= promoted

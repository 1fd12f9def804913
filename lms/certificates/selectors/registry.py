"""Reads for the register of issued documents: the filtered list, one document with its
history (original and duplicates), and the courses and events that issued anything.

The list reads only the certificate's own columns (the holder's name and the
programme are copied onto it at issue time), so a page costs one query whatever
its length.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from lms.certificates.models import Certificate
from lms.courses.models import CoursePage
from lms.models import EventPage

_LIST_FIELDS = (
    "uuid",
    "kind",
    "registration_number",
    "status",
    "original",
    "last_name",
    "first_name",
    "patronymic",
    "title",
    "hours",
    "issue_date",
    "issued_at",
)


def _spellings(text: str) -> set[str]:
    """The usual ways of typing a word. SQLite folds only ASCII letters, so a Cyrillic
    surname typed in lower case would not find «Соколова» with ``icontains`` alone."""
    return {text, text.lower(), text.upper(), text.capitalize()}


def registry_certificates(
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    course: CoursePage | None = None,
    event: EventPage | None = None,
    kind: str = "",
    status: str = "",
    query: str = "",
) -> QuerySet[Certificate]:
    """Issued documents matching the filters, newest first; empty filters match everything."""
    certificates = Certificate.objects.all()
    if date_from is not None:
        certificates = certificates.filter(issue_date__gte=date_from)
    if date_to is not None:
        certificates = certificates.filter(issue_date__lte=date_to)
    if course is not None:
        certificates = certificates.filter(enrollment__cohort__course=course)
    if event is not None:
        certificates = certificates.filter(event=event)
    if kind:
        certificates = certificates.filter(kind=kind)
    if status:
        certificates = certificates.filter(status=status)
    query = query.strip()
    if query:
        match = Q()
        for spelling in _spellings(query):
            match |= Q(registration_number__icontains=spelling) | Q(last_name__icontains=spelling)
        certificates = certificates.filter(match)
    return certificates.order_by("-issue_date", "-issued_at", "-pk")


def registry_page_rows(certificates: QuerySet[Certificate]) -> QuerySet[Certificate]:
    """Only the columns the register's table shows."""
    return certificates.only(*_LIST_FIELDS)


def courses_with_certificates() -> QuerySet[CoursePage]:
    return (
        CoursePage.objects.filter(cohorts__enrollments__certificates__isnull=False)
        .distinct()
        .order_by("title", "pk")
    )


def events_with_certificates() -> QuerySet[EventPage]:
    return EventPage.objects.filter(certificates__isnull=False).distinct().order_by("-start", "pk")


def registry_certificate(uuid) -> Certificate | None:
    """One document with everything its register page shows, or None."""
    return (
        Certificate.objects.select_related(
            "user",
            "issued_by",
            "revoked_by",
            "original",
            "enrollment__cohort__course",
            "event",
            "template",
            "template_revision",
        )
        .filter(uuid=uuid)
        .first()
    )


def certificate_history(certificate: Certificate) -> list[Certificate]:
    """The chain the document belongs to, from the first original to the latest duplicate.

    Only a valid document can be replaced, and replacing it makes it «replaced», so
    every document has at most one duplicate and the chain is a line. Empty when the
    document was never duplicated and is no duplicate itself.
    """
    chain = [certificate]
    current = certificate
    while current.original_id is not None:
        current = Certificate.objects.get(pk=current.original_id)
        chain.insert(0, current)
    current = certificate
    while True:
        following = Certificate.objects.filter(original=current).order_by("issued_at", "pk").first()
        if following is None:
            break
        chain.append(following)
        current = following
    return chain if len(chain) > 1 else []

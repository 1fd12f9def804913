"""What the public verification page may tell about a document, found by its number.

The page answers one question for whoever holds the paper: was this document
issued and is it still valid. It shows what is printed on the document except
the holder's full name (masked, so that the register cannot be used to look
people up) and nothing the document does not say (no email, SNILS, birth date).

Numbers are typed by hand from paper, so the lookup forgives case, spaces,
dash variants and Latin letters that look like Cyrillic ones («PK» for «РК»).
Folding happens in Python: database case-folding of Cyrillic depends on the
backend and its locale.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from django.urls import reverse

from lms.certificates.models import Certificate, CertificateKind, CertificateStatus

#: Longer input is no registration number (the field holds 40 characters).
NUMBER_MAX_LENGTH = 100
#: Rows sharing the typed digits compared in Python; real numbers give a handful.
_CANDIDATES_MAX = 200

_DASHES = dict.fromkeys(map(ord, "‐‑‒–—―−﹘﹣－"), "-")
_LATIN_LOOKALIKES = str.maketrans("ABCEHKMOPTXY", "АВСЕНКМОРТХУ")
_DIGIT_RUN = re.compile(r"\d+")
_NAME_WORD = re.compile(r"[^\s\-‐‑]+")

_PUBLIC_FIELDS = (
    "registration_number",
    "kind",
    "status",
    "last_name",
    "first_name",
    "patronymic",
    "title",
    "hours",
    "period_start",
    "period_end",
    "issue_date",
    "issuer",
    "revoked_at",
    "revocation_reason",
    "original",
    "original__registration_number",
)


def mask_name(last: str, first: str, patronymic: str = "") -> str:
    """«С******* Мария П.»: enough to match the paper in hand, too little to find a person.

    Each part of a double surname keeps its first letter («Р*****-К*******»);
    a missing patronymic or first name is left out.
    """
    surname = _NAME_WORD.sub(
        lambda word: word.group()[0] + "*" * (len(word.group()) - 1), last.strip()
    )
    patronymic = patronymic.strip()
    initial = f"{patronymic[0]}." if patronymic else ""
    return " ".join(part for part in (surname, first.strip(), initial) if part)


def registration_number_clean(raw: str) -> str:
    """The typed number as shown back to the visitor: trimmed, one space between words,
    without a leading «№» and without control characters (which some databases reject)."""
    text = "".join(char for char in raw if unicodedata.category(char)[0] != "C")
    text = " ".join(text.split()).removeprefix("№").strip()
    return text[:NUMBER_MAX_LENGTH]


def _number_key(number: str) -> str:
    """The form two spellings of one number share."""
    text = unicodedata.normalize("NFKC", number.translate(_DASHES))
    return "".join(text.split()).upper().translate(_LATIN_LOOKALIKES)


@dataclass(frozen=True)
class DocumentLink:
    number: str
    url: str

    @classmethod
    def to(cls, number: str) -> DocumentLink:
        return cls(number=number, url=reverse("lms:certificates:verify", args=[number]))


@dataclass(frozen=True)
class VerifiedDocument:
    """The public facts of one issued document."""

    number: str
    url: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    holder: str
    title: str
    hours: int | None
    period_start: dt.date | None
    period_end: dt.date | None
    issue_date: dt.date
    issuer: str
    revoked_at: dt.datetime | None
    revocation_reason: str
    original: DocumentLink | None
    replaced_by: DocumentLink | None

    @property
    def is_valid(self) -> bool:
        return self.status == CertificateStatus.VALID

    @property
    def is_revoked(self) -> bool:
        return self.status == CertificateStatus.REVOKED

    @property
    def is_replaced(self) -> bool:
        return self.status == CertificateStatus.REPLACED

    @property
    def is_event(self) -> bool:
        return self.kind == CertificateKind.PARTICIPATION


def _public_certificates():
    return Certificate.objects.select_related("original").only(*_PUBLIC_FIELDS)


def _certificate_by_number(number: str) -> Certificate | None:
    exact = _public_certificates().filter(registration_number=number).first()
    if exact is not None:
        return exact
    key = _number_key(number)
    # Digits have no case, so the longest run of them narrows the rows portably.
    runs = _DIGIT_RUN.findall(key)
    if not runs:
        return None
    candidates = (
        Certificate.objects.filter(registration_number__contains=max(runs, key=len))
        .order_by("pk")
        .values_list("pk", "registration_number")[:_CANDIDATES_MAX]
    )
    matches = [pk for pk, stored in candidates if _number_key(stored) == key]
    # Two documents that differ only in spelling: refuse to guess which one is meant.
    if len(matches) != 1:
        return None
    return _public_certificates().get(pk=matches[0])


def certificate_verification_find(number: str) -> VerifiedDocument | None:
    """The public facts of the document numbered ``number`` (as typed), or None."""
    number = registration_number_clean(number)
    if not number:
        return None
    certificate = _certificate_by_number(number)
    if certificate is None:
        return None
    replaced_by = None
    if certificate.status == CertificateStatus.REPLACED:
        duplicate = (
            Certificate.objects.filter(original=certificate)
            .order_by("-issued_at", "-pk")
            .values_list("registration_number", flat=True)
            .first()
        )
        replaced_by = DocumentLink.to(duplicate) if duplicate else None
    original = certificate.original
    return VerifiedDocument(
        number=certificate.registration_number,
        url=reverse("lms:certificates:verify", args=[certificate.registration_number]),
        kind=certificate.kind,
        kind_label=str(certificate.get_kind_display()),
        status=certificate.status,
        status_label=str(certificate.get_status_display()),
        holder=mask_name(certificate.last_name, certificate.first_name, certificate.patronymic),
        title=certificate.title,
        hours=certificate.hours,
        period_start=certificate.period_start,
        period_end=certificate.period_end,
        issue_date=certificate.issue_date,
        issuer=certificate.issuer,
        revoked_at=certificate.revoked_at,
        revocation_reason=certificate.revocation_reason,
        original=DocumentLink.to(original.registration_number) if original else None,
        replaced_by=replaced_by,
    )

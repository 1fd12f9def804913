"""Recording the numbered blank (бланк строгой отчётности) a document was printed on.

Methodists print удостоверения and дипломы on numbered blanks after the document
is issued in the portal, so the blank's series and number are recorded afterwards;
ФИС ФРДО does not take a document without them. A blank belongs to one document
of its kind. Recording another blank later corrects a mistake and is audited with
the old and the new values. The stored PDF is rendered again to show the blank.

The check that a blank is free runs inside the transaction that writes it: SQLite
takes the write lock when the transaction begins, so two methodists cannot record
one blank at the same moment; on PostgreSQL that last step needs a unique
constraint on (kind, blank series, blank number).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import RegexValidator
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.models import User
from core.services.audit import audit_log
from lms.certificates.models import FRDO_KINDS, Certificate, CertificateStatus
from lms.certificates.pdf import certificate_pdf_render
from lms.certificates.services.issuing import CertificateRefused

validate_blank_series = RegexValidator(
    r"^[0-9A-Za-zА-ЯЁа-яё]{0,20}$",
    gettext_lazy("The blank series is letters and digits only, at most 20 of them."),
    code="blank_series",
)
validate_blank_number = RegexValidator(
    r"^[0-9]{1,30}$",
    gettext_lazy("Give the blank number: digits only, at most 30 of them."),
    code="blank_number",
)


def blank_recordable(certificate: Certificate) -> bool:
    """Whether a blank can be recorded on the document: a valid one on qualification."""
    return certificate.kind in FRDO_KINDS and certificate.status == CertificateStatus.VALID


def _normalised(*, series: str, number: str) -> tuple[str, str]:
    # One blank typed as «пк» and as «ПК» is still one blank.
    series, number = series.strip().upper(), number.strip()
    for validate, value in ((validate_blank_number, number), (validate_blank_series, series)):
        try:
            validate(value)
        except ValidationError as error:
            raise CertificateRefused(str(error.messages[0]), code=error.code) from error
    return series, number


def _refuse_unless_recordable(certificate: Certificate) -> None:
    if certificate.kind not in FRDO_KINDS:
        raise CertificateRefused(
            _(
                "A blank is recorded only for documents on qualification (удостоверение "
                "or диплом); a “%(kind)s” is not printed on a numbered blank."
            )
            % {"kind": certificate.get_kind_display()},
            code="wrong_kind",
        )
    if certificate.status != CertificateStatus.VALID:
        raise CertificateRefused(
            _("A blank is recorded only on a valid document; this one is “%(status)s”.")
            % {"status": certificate.get_status_display()},
            code="not_valid",
        )


def _refuse_if_taken(certificate: Certificate, *, series: str, number: str) -> None:
    holder = (
        Certificate.objects.filter(kind=certificate.kind, blank_series=series, blank_number=number)
        .exclude(pk=certificate.pk)
        .values_list("registration_number", flat=True)
        .first()
    )
    if holder is not None:
        raise CertificateRefused(
            _("Blank %(blank)s is already recorded on document No. %(number)s.")
            % {"blank": f"{series} {number}".strip(), "number": holder},
            code="blank_taken",
        )


@transaction.atomic
def certificate_blank_record(
    *, certificate: Certificate, by: User, series: str, number: str
) -> Certificate:
    """Record (or correct) the blank ``certificate`` was printed on and re-render its PDF."""
    series, number = _normalised(series=series, number=number)
    certificate = (
        Certificate.objects.select_for_update(of=("self",))
        .select_related("template_revision", "original")
        .get(pk=certificate.pk)
    )
    _refuse_unless_recordable(certificate)
    old = {"series": certificate.blank_series, "number": certificate.blank_number}
    new = {"series": series, "number": number}
    if old == new:
        return certificate
    _refuse_if_taken(certificate, series=series, number=number)

    certificate.blank_series, certificate.blank_number = series, number
    previous_pdf = certificate.pdf.name
    # The new file is stored before the row points at it; the old one goes only once the
    # change is committed, so the row never points at a missing file.
    certificate.pdf.save(
        f"{certificate.uuid}.pdf", ContentFile(certificate_pdf_render(certificate)), save=False
    )
    certificate.save(update_fields=["blank_series", "blank_number", "pdf"])
    if previous_pdf and previous_pdf != certificate.pdf.name:
        storage = certificate.pdf.storage
        transaction.on_commit(lambda: storage.delete(previous_pdf))
    audit_log(
        action="certificates.blank",
        actor=by,
        target=certificate,
        data={"number": certificate.registration_number, "old": old, "new": new},
    )
    return certificate

"""The certificate's PDF in private storage, rebuilt when the file has gone missing.

The PDF is reproducible: it is rendered from the template revision pinned on the
certificate and the data copied onto it at issue time. A file lost from storage
(a restore from an older backup, a moved media volume) is rendered again rather
than leaving the holder without their document.
"""

from __future__ import annotations

from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction

from lms.certificates.models import Certificate
from lms.certificates.pdf import certificate_pdf_render


def _open(certificate: Certificate) -> File | None:
    if not certificate.pdf.name:
        return None
    try:
        return certificate.pdf.storage.open(certificate.pdf.name, "rb")
    except FileNotFoundError:
        return None


def _stored(certificate: Certificate) -> bool:
    return bool(certificate.pdf.name) and certificate.pdf.storage.exists(certificate.pdf.name)


@transaction.atomic
def _restore(*, certificate: Certificate) -> Certificate:
    # The lock makes two downloads of a missing file render it once.
    certificate = (
        Certificate.objects.select_for_update()
        .select_related("template_revision")
        .get(pk=certificate.pk)
    )
    if not _stored(certificate):
        content = ContentFile(certificate_pdf_render(certificate))
        certificate.pdf.save(f"{certificate.uuid}.pdf", content, save=False)
        certificate.save(update_fields=["pdf"])
    return certificate


def certificate_pdf_open(*, certificate: Certificate) -> File:
    """The PDF opened for reading; rendered and stored again first if it is missing."""
    handle = _open(certificate)
    if handle is not None:
        return handle
    certificate = _restore(certificate=certificate)
    return certificate.pdf.storage.open(certificate.pdf.name, "rb")

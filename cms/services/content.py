"""Writes around published content: download counters of attached files."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from cms.models import DocumentDownload


@transaction.atomic
def document_download_record(*, document_id: int) -> None:
    """Count one download of a Wagtail document.

    ``get_or_create`` survives two first downloads racing (the loser's insert
    hits the unique key and it reads the winner's row); the increment happens
    in the database, so concurrent downloads never overwrite each other.
    """
    DocumentDownload.objects.get_or_create(document_id=document_id)
    DocumentDownload.objects.filter(document_id=document_id).update(
        count=F("count") + 1, last_downloaded=timezone.now()
    )

"""Documents attached to content pages, and how often each was downloaded."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import Orderable


class AttachmentBase(Orderable):
    """One attached Wagtail document; subclasses add the ParentalKey to their page."""

    document = models.ForeignKey(
        "wagtaildocs.Document", on_delete=models.CASCADE, related_name="+", verbose_name=_("file")
    )
    title = models.CharField(
        _("link text"), max_length=255, blank=True, help_text=_("Defaults to the file title.")
    )

    panels = [FieldPanel("document"), FieldPanel("title")]

    class Meta(Orderable.Meta):
        abstract = True

    def __str__(self):
        return self.display_title

    @property
    def display_title(self) -> str:
        return self.title or self.document.title


class DocumentDownload(models.Model):
    """Download counter of a Wagtail document (bumped by the before_serve_document hook)."""

    document = models.OneToOneField(
        "wagtaildocs.Document",
        on_delete=models.CASCADE,
        related_name="download_stat",
        verbose_name=_("file"),
    )
    count = models.PositiveIntegerField(_("downloads"), default=0)
    last_downloaded = models.DateTimeField(_("last download"), null=True, blank=True)

    class Meta:
        ordering = ["-count"]
        verbose_name = _("download counter")
        verbose_name_plural = _("download counters")

    def __str__(self):
        return f"{self.document_id}: {self.count}"

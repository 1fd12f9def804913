from django.core.paginator import Paginator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from cms.blocks import BodyBlock
from cms.models.base import BasePage
from cms.models.sections import SectionIndexPage


class DocumentType(models.TextChoices):
    FEDERAL_LAW = "federal_law", _("federal law")
    DECREE = "decree", _("presidential decree")
    RESOLUTION = "resolution", _("government resolution")
    ORDER = "order", _("order")
    LETTER = "letter", _("letter")
    CONCEPT = "concept", _("concept")
    STANDARD = "standard", _("standard")
    REGIONAL_LAW = "regional_law", _("regional law")
    REGULATION = "regulation", _("regulation")
    OTHER = "other", _("other")


class DocumentLevel(models.TextChoices):
    FEDERAL = "federal", _("federal")
    REGIONAL = "regional", _("regional")
    DEPARTMENT = "department", _("department")


class DocumentStatus(models.TextChoices):
    IN_FORCE = "in_force", _("in force")
    REPEALED = "repealed", _("no longer in force")


PAGE_SIZE = 20


class DocumentIndexPage(SectionIndexPage):
    """``/documents/``: acts newest first, filtered by type, level, status, year and text."""

    subpage_types = ["cms.NormativeDocumentPage", "cms.StandardPage"]

    class Meta:
        verbose_name = _("normative documents")
        verbose_name_plural = _("normative documents")

    def get_template(self, request, *args, **kwargs):
        return "cms/document_index_page.html"

    def get_context(self, request, *args, **kwargs):
        from cms.selectors import documents as selectors

        context = super().get_context(request, *args, **kwargs)
        filters = selectors.DocumentFilters.from_params(request.GET)
        listing = selectors.document_listing(index=self, filters=filters)
        context.update(
            filters=filters,
            facets=selectors.document_facets(index=self),
            page_obj=Paginator(listing, PAGE_SIZE).get_page(request.GET.get("page")),
        )
        return context


class NormativeDocumentPage(BasePage):
    doc_type = models.CharField(_("type"), max_length=20, choices=DocumentType.choices)
    level = models.CharField(_("level"), max_length=12, choices=DocumentLevel.choices)
    number = models.CharField(_("number"), max_length=60, blank=True)
    date = models.DateField(_("date of adoption"))
    issuing_body = models.CharField(_("issuing body"), max_length=300)
    status = models.CharField(
        _("status"), max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.IN_FORCE
    )
    file = models.ForeignKey(
        "wagtaildocs.Document",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("file"),
    )
    official_url = models.URLField(_("official source"), blank=True)
    summary = models.TextField(_("summary"), max_length=2000, blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("commentary"), blank=True)

    search_fields = [
        *Page.search_fields,
        index.SearchField("number"),
        index.SearchField("issuing_body"),
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("doc_type"),
        index.FilterField("level"),
        index.FilterField("status"),
        index.FilterField("date"),
    ]
    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("doc_type"),
                FieldPanel("level"),
                FieldPanel("number"),
                FieldPanel("date"),
                FieldPanel("issuing_body"),
                FieldPanel("status"),
            ],
            heading=_("Requisites"),
        ),
        FieldPanel("file"),
        FieldPanel("official_url"),
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    parent_page_types = ["cms.DocumentIndexPage"]
    subpage_types = []
    template = "cms/normative_document_page.html"

    class Meta:
        verbose_name = _("normative document")
        verbose_name_plural = _("normative documents")

    @property
    def is_repealed(self) -> bool:
        return self.status == DocumentStatus.REPEALED

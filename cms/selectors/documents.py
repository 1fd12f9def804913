"""Reads for the normative-documents library: the filtered listing and its facets."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.db.models.functions import ExtractYear
from wagtail.models import Page

from cms.models import DocumentIndexPage, NormativeDocumentPage
from cms.models.documents import DocumentLevel, DocumentStatus, DocumentType
from cms.selectors.recommendations import Facet, clean_query, parse_year, text_condition


@dataclass(frozen=True)
class DocumentFilters:
    doc_type: str = ""
    level: str = ""
    status: str = ""
    year: int | None = None
    query: str = ""

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> DocumentFilters:
        """Filters from a query string; unknown or malformed values are dropped, never errors."""
        doc_type = params.get("type", "")
        level = params.get("level", "")
        status = params.get("status", "")
        return cls(
            doc_type=doc_type if doc_type in DocumentType.values else "",
            level=level if level in DocumentLevel.values else "",
            status=status if status in DocumentStatus.values else "",
            year=parse_year(params.get("year", "")),
            query=clean_query(params.get("q", "")),
        )

    @property
    def active(self) -> bool:
        return bool(self.doc_type or self.level or self.status or self.year or self.query)


def documents_published(*, index: Page | None = None) -> QuerySet[NormativeDocumentPage]:
    pages = NormativeDocumentPage.objects.live().public()
    if index is not None:
        pages = pages.child_of(index)
    return pages


def document_listing(
    *, index: DocumentIndexPage | None, filters: DocumentFilters
) -> QuerySet[NormativeDocumentPage]:
    """Newest acts first, with their files joined in (the list shows format and size)."""
    pages = documents_published(index=index)
    if filters.doc_type:
        pages = pages.filter(doc_type=filters.doc_type)
    if filters.level:
        pages = pages.filter(level=filters.level)
    if filters.status:
        pages = pages.filter(status=filters.status)
    if filters.year:
        pages = pages.filter(date__year=filters.year)
    if filters.query:
        pages = pages.filter(text_condition(filters.query, ("title", "number", "issuing_body")))
    return pages.select_related("file").order_by("-date", "-pk")


def document_facets(*, index: DocumentIndexPage | None) -> dict[str, list[Facet]]:
    """Filter values with how many published documents each one finds (four queries)."""
    published = documents_published(index=index).order_by()

    def counted(field: str, choices) -> list[Facet]:
        hits = dict(published.values_list(field).annotate(n=Count("pk")))
        return [Facet(value, label, hits[value]) for value, label in choices if hits.get(value)]

    years = (
        published.annotate(adopted=ExtractYear("date"))
        .values_list("adopted")
        .annotate(n=Count("pk"))
        .order_by("-adopted")
    )
    return {
        "types": counted("doc_type", DocumentType.choices),
        "levels": counted("level", DocumentLevel.choices),
        "statuses": counted("status", DocumentStatus.choices),
        "years": [Facet(str(year), str(year), count) for year, count in years],
    }

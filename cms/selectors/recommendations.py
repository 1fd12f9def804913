"""Reads for methodological recommendations: the filtered listing, its facets, a page's extras."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from wagtail.models import Page

from cms.models import RecommendationIndexPage, RecommendationPage, Topic
from cms.models.recommendations import RecommendationKind
from cms.models.taxonomy import Audience

QUERY_MAX = 200
QUERY_WORDS_MAX = 8


def clean_query(raw: str) -> str:
    return " ".join(raw.split())[:QUERY_MAX]


def text_condition(query: str, fields: tuple[str, ...]) -> Q:
    """Every word of ``query`` occurs in one of ``fields``, ignoring case.

    SQLite's LIKE folds the case of ASCII letters only, so besides the word as
    typed we also look for its lower-case, capitalised and upper-case forms:
    «фонд» then finds «Фонд» and «ФОНД» on the embedded database too.
    PostgreSQL folds any case by itself.
    """
    condition = Q()
    for word in query.split()[:QUERY_WORDS_MAX]:
        forms = {word, word.lower(), word.upper(), word[:1].upper() + word[1:].lower()}
        matches = Q()
        for field in fields:
            for form in forms:
                matches |= Q(**{f"{field}__icontains": form})
        condition &= matches
    return condition


def parse_year(raw: str) -> int | None:
    if raw.isascii() and raw.isdigit() and len(raw) == 4 and 1900 <= int(raw) <= 2100:
        return int(raw)
    return None


@dataclass(frozen=True)
class RecommendationFilters:
    topic: str = ""
    audience: str = ""
    year: int | None = None
    kind: str = ""
    query: str = ""

    @classmethod
    def from_params(
        cls, params: Mapping[str, str], *, topics: Collection[str]
    ) -> RecommendationFilters:
        """Filters from a query string; unknown or malformed values are dropped, never errors.

        ``topics`` are the slugs a visitor can pick (the facet values).
        """
        topic = params.get("topic", "")
        audience = params.get("audience", "")
        kind = params.get("kind", "")
        year = params.get("year", "")
        return cls(
            topic=topic if topic in topics else "",
            audience=audience if audience in Audience.values else "",
            year=parse_year(year),
            kind=kind if kind in RecommendationKind.values else "",
            query=clean_query(params.get("q", "")),
        )

    @property
    def active(self) -> bool:
        return bool(self.topic or self.audience or self.year or self.kind or self.query)


def recommendations_published(*, index: Page | None = None) -> QuerySet[RecommendationPage]:
    pages = RecommendationPage.objects.live().public()
    if index is not None:
        pages = pages.child_of(index)
    return pages


def audience_condition(audience: str) -> Q:
    """A school or college filter also finds what is written for both."""
    if audience in (Audience.SCHOOL, Audience.COLLEGE):
        return Q(audience__in=[audience, Audience.ALL])
    return Q(audience=audience)


def recommendation_listing(
    *, index: RecommendationIndexPage | None, filters: RecommendationFilters
) -> QuerySet[RecommendationPage]:
    """Newest first; the cards' topics come prefetched (one query per page of results)."""
    pages = recommendations_published(index=index)
    if filters.topic:
        # A subquery rather than a join: no DISTINCT over every page column (body included).
        pages = pages.filter(
            pk__in=RecommendationPage.topics.through.objects.filter(
                topic__slug=filters.topic
            ).values("recommendationpage_id")
        )
    if filters.audience:
        pages = pages.filter(audience_condition(filters.audience))
    if filters.year:
        pages = pages.filter(year=filters.year)
    if filters.kind:
        pages = pages.filter(kind=filters.kind)
    if filters.query:
        pages = pages.filter(text_condition(filters.query, ("title", "annotation", "authors")))
    return pages.order_by("-year", "-first_published_at", "-pk").prefetch_related("topics")


@dataclass(frozen=True)
class Facet:
    value: str
    label: str
    count: int


def recommendation_facets(*, index: RecommendationIndexPage | None) -> dict[str, list[Facet]]:
    """Filter values with how many published recommendations each one finds (four queries)."""
    published = recommendations_published(index=index)
    published_ids = published.values("pk")
    topics = (
        Topic.objects.annotate(
            hits=Count("recommendationpage", filter=Q(recommendationpage__in=published_ids))
        )
        .filter(hits__gt=0)
        .order_by("sort_order", "name")
    )
    kinds = dict(published.order_by().values_list("kind").annotate(n=Count("pk")))
    audiences = dict(published.order_by().values_list("audience").annotate(n=Count("pk")))
    years = published.order_by("-year").values_list("year").annotate(n=Count("pk"))
    both = audiences.get(Audience.ALL, 0)
    audience_hits = {
        value: audiences.get(value, 0) + (both if value != Audience.ALL else 0)
        for value in Audience.values
    }
    return {
        "topics": [Facet(topic.slug, topic.name, topic.hits) for topic in topics],
        "kinds": [
            Facet(value, label, kinds[value])
            for value, label in RecommendationKind.choices
            if kinds.get(value)
        ],
        "audiences": [
            Facet(value, label, audience_hits[value])
            for value, label in Audience.choices
            if audience_hits[value]
        ],
        "years": [Facet(str(year), str(year), count) for year, count in years],
    }


def recommendations_latest(*, limit: int = 4) -> list[RecommendationPage]:
    """The newest published recommendations for the home page."""
    return list(
        recommendations_published()
        .order_by("-first_published_at", "-pk")
        .prefetch_related("topics")[:limit]
    )


def recommendation_attachments(page: RecommendationPage):
    """The page's files with their download counters (works on previews' unsaved rows too)."""
    return page.attachments.select_related("document", "document__download_stat").all()


def recommendation_related(page: RecommendationPage) -> list[Page]:
    """Live, public related pages in the editor's order, as their specific types."""
    ids = [link.related_page_id for link in page.related_links.all()]
    if not ids:
        return []
    pages = {
        related.pk: related
        for related in Page.objects.live().public().filter(pk__in=ids).specific()
    }
    return [pages[pk] for pk in ids if pk in pages]

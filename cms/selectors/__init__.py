from wagtail.models import Page

from cms.models import (
    AssociationIndexPage,
    ConsultationIndexPage,
    DocumentIndexPage,
    NewsIndexPage,
    NewsPage,
    PracticeIndexPage,
    RecommendationIndexPage,
)

SECTION_TYPES = (
    NewsIndexPage,
    RecommendationIndexPage,
    PracticeIndexPage,
    DocumentIndexPage,
    ConsultationIndexPage,
    AssociationIndexPage,
)


def section_pages() -> dict[type, Page]:
    """The live section index pages by their specific type, in one query."""
    pages = Page.objects.live().type(*SECTION_TYPES)
    return {page.specific_class: page for page in pages}


def latest_news(*, limit: int = 4):
    return NewsPage.objects.live().public().order_by("-date", "-pk")[:limit]

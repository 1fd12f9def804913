from .base import BasePage, StandardPage
from .home import HomePage
from .news import NewsIndexPage, NewsPage
from .sections import (
    AssociationIndexPage,
    ConsultationIndexPage,
    DocumentIndexPage,
    PracticeIndexPage,
    RecommendationIndexPage,
)

__all__ = [
    "AssociationIndexPage",
    "BasePage",
    "ConsultationIndexPage",
    "DocumentIndexPage",
    "HomePage",
    "NewsIndexPage",
    "NewsPage",
    "PracticeIndexPage",
    "RecommendationIndexPage",
    "StandardPage",
]

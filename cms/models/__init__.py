from .association_index import AssociationIndexPage
from .attachments import DocumentDownload
from .base import BasePage, StandardPage
from .consultation_index import ConsultationIndexPage
from .documents import DocumentIndexPage, NormativeDocumentPage
from .home import HomePage
from .news import NewsIndexPage, NewsPage
from .practices import PracticeAttachment, PracticeIndexPage, PracticePage, PracticeProposal
from .recommendations import (
    RecommendationAttachment,
    RecommendationIndexPage,
    RecommendationPage,
    RecommendationRelated,
)
from .taxonomy import Audience, PracticeTag, RecommendationTag, Topic

__all__ = [
    "AssociationIndexPage",
    "Audience",
    "BasePage",
    "ConsultationIndexPage",
    "DocumentDownload",
    "DocumentIndexPage",
    "HomePage",
    "NewsIndexPage",
    "NewsPage",
    "NormativeDocumentPage",
    "PracticeAttachment",
    "PracticeIndexPage",
    "PracticePage",
    "PracticeProposal",
    "PracticeTag",
    "RecommendationAttachment",
    "RecommendationIndexPage",
    "RecommendationPage",
    "RecommendationRelated",
    "RecommendationTag",
    "StandardPage",
    "Topic",
]

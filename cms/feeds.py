"""RSS 2.0 and Atom feeds of a section's pages (news, recommendations, practices).

One feed class, parametrised by the page model and the names of the fields
that hold the item's summary, date and author; the section index pages route
``rss/`` and ``atom/`` to it. Only live pages without view restrictions get
in, newest first.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext as _
from wagtail.models import Page

FEED_TYPES = {"rss": Rss201rev2Feed, "atom": Atom1Feed}
FEED_SIZE = 30


def absolute_url(request: HttpRequest, url: str) -> str:
    """``url`` made absolute with SITE_URL (the public address), else with the request's host."""
    if url.startswith(("http://", "https://")):
        return url
    if settings.SITE_URL:
        return settings.SITE_URL + url
    return request.build_absolute_uri(url)


class PageFeed(Feed):
    """The latest live, public children of ``index`` of type ``page_model``."""

    def __init__(
        self,
        *,
        index: Page,
        page_model: type[Page],
        kind: str,
        summary_field: str,
        date_field: str = "first_published_at",
        author_field: str = "",
        prefetch: tuple[str, ...] = (),
    ):
        if kind not in FEED_TYPES:
            raise Http404("Unknown feed format.")
        super().__init__()
        self.index = index
        self.page_model = page_model
        self.kind = kind
        self.feed_type = FEED_TYPES[kind]
        self.summary_field = summary_field
        self.date_field = date_field
        self.author_field = author_field
        self.prefetch = prefetch
        self.request: HttpRequest | None = None

    def __call__(self, request, *args, **kwargs):
        self.request = request
        return super().__call__(request, *args, **kwargs)

    # --- the channel -------------------------------------------------------

    def title(self):
        return f"{self.index.title} — {settings.WAGTAIL_SITE_NAME}"

    def link(self):
        return absolute_url(self.request, self.index.get_url(self.request))

    def feed_url(self):
        return absolute_url(self.request, self.request.path)

    def description(self):
        return self.index.search_description or _("New materials of the section “%(section)s”.") % {
            "section": self.index.title
        }

    def items(self):
        pages = (
            self.page_model.objects.child_of(self.index)
            .live()
            .public()
            .order_by(f"-{self.date_field}", "-pk")
        )
        if self.prefetch:
            pages = pages.prefetch_related(*self.prefetch)
        return pages[:FEED_SIZE]

    # --- one item ----------------------------------------------------------

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return getattr(item, self.summary_field) or item.search_description

    def item_link(self, item):
        return absolute_url(self.request, item.get_url(self.request))

    def item_pubdate(self, item):
        value = getattr(item, self.date_field) or item.first_published_at
        if isinstance(value, dt.datetime):
            return value
        return timezone.make_aware(dt.datetime.combine(value, dt.time()))

    def item_updateddate(self, item):
        return item.last_published_at

    def item_author_name(self, item):
        return getattr(item, self.author_field, "") or None

    def item_categories(self, item):
        if "topics" in self.prefetch:
            return [topic.name for topic in item.topics.all()]
        return ()


def feed_response(request: HttpRequest, feed: PageFeed) -> HttpResponse:
    response = feed(request)
    response["Cache-Control"] = "public, max-age=900"
    return response


def news_feed_response(request: HttpRequest, index_page: Page, kind: str) -> HttpResponse:
    from cms.models import NewsPage

    feed = PageFeed(
        index=index_page, page_model=NewsPage, kind=kind, summary_field="summary", date_field="date"
    )
    return feed_response(request, feed)


def recommendation_feed_response(request: HttpRequest, index_page: Page, kind: str) -> HttpResponse:
    from cms.models import RecommendationPage

    feed = PageFeed(
        index=index_page,
        page_model=RecommendationPage,
        kind=kind,
        summary_field="annotation",
        author_field="authors",
        prefetch=("topics",),
    )
    return feed_response(request, feed)


def practice_feed_response(request: HttpRequest, index_page: Page, kind: str) -> HttpResponse:
    """For PracticeIndexPage's ``rss/`` and ``atom/`` routes (``kind`` is "rss" or "atom")."""
    from cms.models import PracticePage

    feed = PageFeed(
        index=index_page,
        page_model=PracticePage,
        kind=kind,
        summary_field="annotation",
        author_field="author_name",
    )
    return feed_response(request, feed)

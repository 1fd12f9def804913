"""Read-only queries of the kernel."""

import functools
import operator
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, Count, F, Q, QuerySet, Value, When
from django.db.models.functions import StrIndex
from wagtail.models import Page

from core import plugins, search
from core.models import Consent, ConsentDocument, Notification, Organisation, SearchEntry, User


def notifications_for(user: User, *, limit: int = 50) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).order_by("-created", "-pk")[:limit]


def notifications_unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def consents_for(user: User) -> list[dict]:
    """Each purpose with the user's active consent (if any) and the text in force."""
    from django.utils import timezone

    active = {
        consent.purpose: consent
        for consent in Consent.objects.filter(user=user, withdrawn_at__isnull=True).select_related(
            "document"
        )
    }
    current = {}
    for document in ConsentDocument.objects.filter(published_at__lte=timezone.now()).order_by(
        "purpose", "-published_at"
    ):
        current.setdefault(document.purpose, document)
    return [
        {"purpose": purpose, "document": document, "consent": active.get(purpose)}
        for purpose, document in current.items()
    ]


def consent_history_for(user: User) -> QuerySet[Consent]:
    return Consent.objects.filter(user=user).select_related("document").order_by("-granted_at")


def organisations_list(
    *, query: str = "", district_id: int | None = None, kind: str = ""
) -> QuerySet[Organisation]:
    organisations = Organisation.objects.filter(is_active=True).select_related("district")
    if query:
        organisations = organisations.filter(
            Q(name__icontains=query) | Q(short_name__icontains=query) | Q(inn=query)
        )
    if district_id:
        organisations = organisations.filter(district_id=district_id)
    if kind:
        organisations = organisations.filter(kind=kind)
    # Meta.ordering is not applied to aggregated queries; pagination needs a stable order.
    return organisations.annotate(member_count=Count("memberships", distinct=True)).order_by(
        "name", "pk"
    )


def user_organisations(user: User) -> QuerySet[Organisation]:
    return Organisation.objects.filter(memberships__user=user).distinct().select_related("district")


def registry_summary() -> dict:
    from core.models import District

    by_kind = dict(
        Organisation.objects.filter(is_active=True)
        .values_list("kind")
        .annotate(total=Count("pk"))
        .values_list("kind", "total")
    )
    return {
        "districts": District.objects.count(),
        "organisations": sum(by_kind.values()),
        "schools": by_kind.get("school", 0),
        "colleges": by_kind.get("college", 0),
        "ibc": Organisation.objects.filter(is_active=True, ibc_status="ibc").count(),
        "users": User.objects.filter(is_active=True).count(),
    }


# --- site search ------------------------------------------------------------------------------

#: Results of one query, all types together: past this the query is too broad to read.
SEARCH_RESULTS_MAX = 100
#: Hits a group shows before its "show all" link to the type filter.
SEARCH_GROUP_PREVIEW = 10
#: Sections whose lists have a search field of their own (``?q=``), offered when nothing
#: is found.
SEARCH_SECTIONS = ("/recommendations/", "/documents/", "/practices/", "/events/")


@dataclass
class SearchGroup:
    kind: str
    key: str
    hits: list[plugins.SearchHit]
    shown: list[plugins.SearchHit] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.hits)

    @property
    def more(self) -> bool:
        return len(self.shown) < len(self.hits)


@dataclass
class SearchResults:
    #: Every group, best first: the results page links to each one's type filter.
    groups: list[SearchGroup]
    #: The type filter (``?type=``), "" for all types.
    selected: str = ""

    @property
    def total(self) -> int:
        return sum(group.count for group in self.groups)

    @property
    def capped(self) -> bool:
        return self.total >= SEARCH_RESULTS_MAX

    @property
    def visible(self) -> list[SearchGroup]:
        return [g for g in self.groups if not self.selected or g.key == self.selected]


def site_search(request, query: str, *, kind_key: str = "") -> SearchResults:
    """Hits of every enabled search provider grouped by type, in the order of their best hit."""
    groups: dict[str, SearchGroup] = {}
    for provider in plugins.search_providers():
        for hit in provider(request, query):
            group = groups.setdefault(
                hit.kind_key or hit.kind, SearchGroup(kind=hit.kind, key=hit.kind_key, hits=[])
            )
            group.hits.append(hit)
    for group in groups.values():
        group.shown = group.hits if kind_key else group.hits[:SEARCH_GROUP_PREVIEW]
    return SearchResults(groups=list(groups.values()), selected=kind_key)


def _searchable_pages() -> QuerySet[Page]:
    """Live pages anyone may see, leaving out page types of disabled plugins."""
    pages = Page.objects.live().public().filter(depth__gt=1)
    hidden = plugins.disabled_app_labels()
    if hidden:
        pages = pages.exclude(content_type__app_label__in=hidden)
    return pages


def _page_model(page: Page):
    return ContentType.objects.get_for_id(page.content_type_id).model_class()


def pages_search(request, query: str) -> list[plugins.SearchHit]:
    """Pages with every word of the query in any form (core.search), best first.

    Rank: query words in the title, then how high the words stand among the page's
    most frequent stems, then the latest published.
    """
    parsed = search.parse_query(query)
    if not parsed:
        return []
    patterns = parsed.patterns
    entries = SearchEntry.objects.filter(page__in=_searchable_pages().values("pk"))
    for pattern in patterns:
        entries = entries.filter(stems__contains=pattern)
    title_hits = [
        Case(When(title_stems__contains=p, then=Value(1)), default=Value(0)) for p in patterns
    ]
    prominence = [StrIndex("stems", Value(p)) for p in patterns]
    entries = (
        entries.annotate(
            title_hits=functools.reduce(operator.add, title_hits),
            prominence=functools.reduce(operator.add, prominence),
        )
        .select_related("page")
        .defer("stems", "title_stems")
        .order_by(
            "-title_hits",
            "prominence",
            F("page__last_published_at").desc(nulls_last=True),
            "pk",
        )[:SEARCH_RESULTS_MAX]
    )
    hits = []
    for entry in entries:
        page, model = entry.page, _page_model(entry.page)
        url = page.get_url(request)
        if model is None or url is None:
            continue
        hits.append(
            plugins.SearchHit(
                title=page.title,
                url=url,
                kind=str(model._meta.verbose_name_plural),
                kind_key=model._meta.label_lower,
                summary=page.search_description,
                highlight=search.highlight(entry.text, parsed),
                date=page.last_published_at,
            )
        )
    return hits


def search_types() -> list[tuple[str, str]]:
    """``(app_label.model, plural name)`` of every page type search can find, by name."""
    type_ids = (
        SearchEntry.objects.filter(page__in=_searchable_pages().values("pk"))
        .order_by()
        .values_list("page__content_type", flat=True)
        .distinct()
    )
    models = [ContentType.objects.get_for_id(type_id).model_class() for type_id in type_ids]
    return sorted(
        ((m._meta.label_lower, str(m._meta.verbose_name_plural)) for m in models if m),
        key=lambda pair: pair[1].lower(),
    )


def search_suggestions(request, query: str) -> list[tuple[str, str]]:
    """``(label, url)`` of the section lists that can search for ``query`` themselves."""
    return [
        (item.label, f"{item.url}?{urlencode({'q': query})}")
        for item in plugins.nav_items(request)
        if item.section in SEARCH_SECTIONS
    ]

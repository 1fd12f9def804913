"""Reads of the best-practice library: the filtered listing, latest practices, proposals."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from wagtail.images import get_image_model

from cms.models import PracticeAttachment, PracticeIndexPage, PracticePage, PracticeProposal
from cms.models.practices import PracticeCategory
from core.models import District, Organisation, OrganisationKind, User
from core.plugins import CabinetSection, HomeSection

CARD_RENDITION = "fill-480x270"
PROFILE_LIMIT = 6
QUERY_MAX = 200
LISTING_KINDS = (OrganisationKind.SCHOOL, OrganisationKind.COLLEGE)


def _positive_int(raw) -> int | None:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return None
    return value if value > 0 else None


@dataclass(frozen=True)
class PracticeFilters:
    category: str = ""
    district: int | None = None
    kind: str = ""
    organisation: int | None = None
    query: str = ""

    @classmethod
    def from_querydict(cls, data) -> PracticeFilters:
        """Filters from GET parameters; unknown or malformed values are ignored."""
        category = data.get("category", "")
        kind = data.get("kind", "")
        return cls(
            category=category if category in PracticeCategory.values else "",
            district=_positive_int(data.get("district")),
            kind=kind if kind in LISTING_KINDS else "",
            organisation=_positive_int(data.get("organisation")),
            query=data.get("q", "").strip()[:QUERY_MAX],
        )

    @property
    def active(self) -> bool:
        return any((self.category, self.district, self.kind, self.organisation, self.query))


def _case_variants(text: str) -> set[str]:
    # SQLite's LIKE folds the case of ASCII letters only; trying the usual spellings
    # makes Cyrillic queries case-insensitive there too (PostgreSQL needs none of it).
    return {text, text.lower(), text.upper(), text.capitalize()}


def _text_matches(query: str) -> Q:
    condition = Q()
    for variant in _case_variants(query):
        for field in ("title", "annotation", "author_name"):
            condition |= Q(**{f"{field}__icontains": variant})
    return condition


def practices_published() -> QuerySet[PracticePage]:
    """Live public practices with what a card shows, in a constant number of queries."""
    images = get_image_model().objects.prefetch_renditions(CARD_RENDITION)
    return (
        PracticePage.objects.live()
        .public()
        .select_related("organisation__district")
        .prefetch_related(Prefetch("cover_image", queryset=images))
        .order_by("-first_published_at", "-pk")
    )


def practice_listing(
    *, index: PracticeIndexPage | None, filters: PracticeFilters
) -> QuerySet[PracticePage]:
    practices = practices_published()
    if index is not None:
        practices = practices.child_of(index)
    if filters.category:
        practices = practices.filter(category=filters.category)
    if filters.district:
        practices = practices.filter(organisation__district_id=filters.district)
    if filters.kind:
        practices = practices.filter(organisation__kind=filters.kind)
    if filters.organisation:
        practices = practices.filter(organisation_id=filters.organisation)
    if filters.query:
        practices = practices.filter(_text_matches(filters.query))
    return practices


def practice_filter_options() -> dict:
    return {
        "categories": PracticeCategory.choices,
        "districts": list(District.objects.order_by("name").values_list("pk", "name")),
        "kinds": [(kind.value, kind.label) for kind in LISTING_KINDS],
    }


def practices_latest(*, limit: int = 3) -> list[PracticePage]:
    return list(practices_published()[:limit])


def organisation_practices(organisation: Organisation, *, limit: int = 6) -> list[PracticePage]:
    return list(practices_published().filter(organisation=organisation)[:limit])


def practice_index() -> PracticeIndexPage | None:
    return PracticeIndexPage.objects.live().first()


def practice_attachments(page: PracticePage) -> list[PracticeAttachment]:
    return list(page.attachments.select_related("document").order_by("sort_order", "pk"))


def proposal_organisations(user: User) -> QuerySet[Organisation]:
    """The active organisations the user may propose a practice for (their memberships)."""
    return (
        Organisation.objects.filter(memberships__user=user, is_active=True)
        .distinct()
        .select_related("district")
        .order_by("name", "pk")
    )


def proposals_for(user: User, *, limit: int = 20) -> list[PracticeProposal]:
    """The user's proposals, newest first, with their pages (for the live link)."""
    return list(
        PracticeProposal.objects.filter(author=user)
        .select_related("page")
        .order_by("-created", "-pk")[:limit]
    )


# --- contributions to the plugin registry (CmsConfig hooks call these) ---------


def practice_cabinet_sections(request) -> list[CabinetSection]:
    """«My practices» in the personal cabinet."""
    index = practice_index()
    return [
        CabinetSection(
            key="practices",
            title=_("My practices"),
            template="cms/includes/cabinet_practices.html",
            context={
                "proposals": proposals_for(request.user),
                "submit_url": index.url + index.reverse_subpage("submit") if index else "",
            },
            order=40,
        )
    ]


def practice_home_sections(request) -> list[HomeSection]:
    index = practice_index()
    practices = practices_latest(limit=3)
    if index is None or not practices:
        return []
    return [
        HomeSection(
            key="practices",
            title=_("Best practice"),
            template="cms/includes/home_practices.html",
            context={"practices": practices},
            order=30,
            more_url=index.get_url(request),
        )
    ]


def practice_organisation_sections(request, organisation: Organisation) -> list[HomeSection]:
    """The organisation's published practices on its public profile."""
    index = practice_index()
    practices = organisation_practices(organisation, limit=PROFILE_LIMIT + 1)
    if index is None or not practices:
        return []
    more_url = ""
    if len(practices) > PROFILE_LIMIT:
        more_url = f"{index.get_url(request)}?{urlencode({'organisation': organisation.pk})}"
    return [
        HomeSection(
            key="practices",
            title=_("Best practice"),
            template="cms/includes/organisation_practices.html",
            context={"practices": practices[:PROFILE_LIMIT]},
            order=30,
            more_url=more_url,
        )
    ]

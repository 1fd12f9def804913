"""Reads of the association: memberships, members, posts, and what a visitor may see."""

from __future__ import annotations

import functools
import operator

from django.contrib.auth.models import Group, Permission
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from wagtail.models import Page, PageViewRestriction

from cms.association.models import (
    ACTIVE_STATUSES,
    AssociationMembership,
    AssociationPostPage,
    AssociationSectionPage,
    MembershipStatus,
    PostKind,
)
from cms.models import AssociationIndexPage
from core import plugins
from core.models import Membership, Organisation, OrganisationKind, User

COORDINATE_PERMISSION = "association.coordinate"
MEMBERS_GROUP_NAME = "Члены методического объединения"
MATERIALS_COLLECTION_NAME = "Материалы методического объединения"


# --- memberships -----------------------------------------------------------


def membership_active_for(user) -> AssociationMembership | None:
    """The user's pending request or current membership."""
    if not user.is_authenticated:
        return None
    return (
        AssociationMembership.objects.filter(user=user, status__in=ACTIVE_STATUSES)
        .select_related("organisation")
        .first()
    )


def membership_latest_for(user) -> AssociationMembership | None:
    """The user's most recent request whatever its state (to show a rejection, say)."""
    if not user.is_authenticated:
        return None
    return (
        AssociationMembership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("-created", "-pk")
        .first()
    )


def is_coordinator(user) -> bool:
    return user.is_authenticated and user.has_perm(COORDINATE_PERMISSION)


def is_member(user) -> bool:
    return (
        user.is_authenticated
        and AssociationMembership.objects.filter(
            user=user, status=MembershipStatus.APPROVED
        ).exists()
    )


def can_see_people(user) -> bool:
    """Names of members are personal data (152-FZ): only members and staff see them."""
    return is_coordinator(user) or is_member(user)


def user_college_organisations(user) -> QuerySet[Organisation]:
    """Active colleges the user works at (per the registry) — whom they may join for."""
    return (
        Organisation.objects.filter(
            memberships__user=user, kind=OrganisationKind.COLLEGE, is_active=True
        )
        .distinct()
        .order_by("name", "pk")
    )


def members_list() -> QuerySet[AssociationMembership]:
    return (
        AssociationMembership.objects.filter(status=MembershipStatus.APPROVED)
        .select_related("user", "organisation", "organisation__district")
        .order_by("user__last_name", "user__first_name", "user__patronymic", "pk")
    )


def members_count() -> int:
    return AssociationMembership.objects.filter(status=MembershipStatus.APPROVED).count()


def member_colleges() -> QuerySet[Organisation]:
    """Colleges with at least one member, each with ``member_count``."""
    approved = Q(association_memberships__status=MembershipStatus.APPROVED)
    return (
        Organisation.objects.filter(approved)
        .annotate(member_count=Count("association_memberships", filter=approved, distinct=True))
        .select_related("district")
        .order_by("name", "pk")
    )


def pending_requests() -> QuerySet[AssociationMembership]:
    """Requests waiting for a coordinator, oldest first, with ``registry_confirmed``."""
    confirmed = Membership.objects.filter(
        user=OuterRef("user"), organisation=OuterRef("organisation"), is_confirmed=True
    )
    return (
        AssociationMembership.objects.filter(status=MembershipStatus.PENDING)
        .select_related("user", "organisation", "organisation__district")
        .annotate(registry_confirmed=Exists(confirmed))
        .order_by("created", "pk")
    )


def pending_count() -> int:
    return AssociationMembership.objects.filter(status=MembershipStatus.PENDING).count()


def recent_decisions(*, limit: int = 20) -> QuerySet[AssociationMembership]:
    return (
        AssociationMembership.objects.exclude(status=MembershipStatus.PENDING)
        .filter(decided_at__isnull=False)
        .select_related("user", "organisation", "decided_by")
        .order_by("-decided_at", "-pk")[:limit]
    )


def coordinators() -> QuerySet[User]:
    """Active users who may decide on requests (through a role group, directly, or superuser)."""
    app_label, codename = COORDINATE_PERMISSION.split(".")
    permission = Permission.objects.filter(
        content_type__app_label=app_label, codename=codename
    ).first()
    granted = Q(is_superuser=True)
    if permission is not None:
        granted |= Q(groups__permissions=permission) | Q(user_permissions=permission)
    return User.objects.filter(granted, is_active=True).distinct()


def members_group() -> Group | None:
    return Group.objects.filter(name=MEMBERS_GROUP_NAME).first()


# --- pages -----------------------------------------------------------------


def association_index() -> AssociationIndexPage | None:
    return AssociationIndexPage.objects.live().first()


def join_url() -> str:
    index = association_index()
    return index.url + index.reverse_subpage("join") if index is not None else ""


def page_is_private(page: Page) -> bool:
    """Whether ``page`` (or an ancestor) has a view restriction, or is a members-only section."""
    specific = page.specific_deferred
    if isinstance(specific, AssociationSectionPage) and specific.members_only:
        return True
    return page.get_view_restrictions().exists()


def document_is_restricted(document) -> bool:
    return document.collection.get_view_restrictions().exists()


def unrestricted_documents(document_ids) -> list:
    """Those of the documents anybody may download (their collection has no restriction)."""
    from wagtail.documents import get_document_model

    documents = (
        get_document_model().objects.filter(pk__in=document_ids).select_related("collection")
    )
    return [document for document in documents if not document_is_restricted(document)]


def failing_restrictions(request, *, root: Page) -> list[Page]:
    """Pages at or below ``root`` whose view restriction ``request`` does not pass.

    Uses Wagtail's own ``accept_request`` so the listing agrees with what serving the
    page would do; restrictions are few, so this stays a couple of queries.
    """
    restrictions = (
        PageViewRestriction.objects.filter(page__path__startswith=root.path)
        .select_related("page")
        .prefetch_related("groups")
    )
    return [r.page for r in restrictions if not r.accept_request(request)]


def _without(queryset, pages: list[Page]):
    if not pages:
        return queryset
    hidden = functools.reduce(operator.or_, (Q(path__startswith=page.path) for page in pages))
    return queryset.exclude(hidden)


def index_sections(request, index: Page) -> tuple[list[Page], bool]:
    """Live child pages of the association's root the visitor may open, and whether any
    were left out because they are for members only."""
    hidden = failing_restrictions(request, root=index)
    children = index.get_children().live()
    visible = list(_without(children, hidden).specific())
    return visible, len(visible) < children.count()


def section_posts(request, section: AssociationSectionPage) -> QuerySet[AssociationPostPage]:
    """Live posts of a section the visitor may open, newest first."""
    posts = AssociationPostPage.objects.live().child_of(section)
    return _without(posts, failing_restrictions(request, root=section)).order_by(
        "-date", "-first_published_at", "-pk"
    )


def latest_posts(index: Page, *, kind: str = PostKind.ANNOUNCEMENT, limit: int = 5):
    """Public (not members-only) posts of ``kind`` in the association's section."""
    return (
        AssociationPostPage.objects.live()
        .public()
        .descendant_of(index)
        .filter(kind=kind)
        .order_by("-date", "-pk")[:limit]
    )


def upcoming_meetings(request, *, limit: int = 5) -> list[plugins.CalendarItem]:
    """Upcoming events for college libraries from whichever plugin provides events."""
    provider = getattr(plugins, "upcoming_events", None)
    if provider is None:
        return []
    return list(provider(request, audience=OrganisationKind.COLLEGE, limit=limit))

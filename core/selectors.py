"""Read-only queries of the kernel."""

from django.db.models import Count, Q, QuerySet

from core import plugins
from core.models import Consent, ConsentDocument, Notification, Organisation, User


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


def site_search(request, query: str) -> list[tuple[str, list[plugins.SearchHit]]]:
    """Results from every enabled search provider, grouped by kind, empty groups dropped."""
    groups: dict[str, list[plugins.SearchHit]] = {}
    for provider in plugins.search_providers():
        for hit in provider(request, query):
            groups.setdefault(hit.kind, []).append(hit)
    return list(groups.items())


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


def pages_search(request, query: str) -> list[plugins.SearchHit]:
    """Live public Wagtail pages, leaving out page types of disabled plugins."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils.translation import gettext as _
    from wagtail.models import Page

    pages = Page.objects.live().public().exclude(depth__lte=1)
    hidden = plugins.disabled_app_labels()
    if hidden:
        pages = pages.exclude(content_type__in=ContentType.objects.filter(app_label__in=hidden))
    results = pages.specific().search(query, operator="and")[:30]
    return [
        plugins.SearchHit(
            title=page.title,
            url=page.url,
            kind=str(_("Site pages")),
            summary=getattr(page, "search_description", "") or "",
        )
        for page in results
    ]

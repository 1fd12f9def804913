import time
import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from core import plugins, selectors
from core.accessibility import COOKIE_MAX_AGE, COOKIE_NAME, A11ySettings
from core.models import ConsentDocument, District, Organisation, OrganisationKind
from core.services.consent import ConsentUnavailable, consent_document_current
from core.utils import safe_next_url

SEARCH_QUERY_MAX = 200


@require_GET
def search(request):
    query = request.GET.get("q", "").strip()[:SEARCH_QUERY_MAX]
    types = selectors.search_types()
    kind_key = request.GET.get("type", "")
    if kind_key not in {key for key, _label in types}:
        kind_key = ""
    results = selectors.site_search(request, query, kind_key=kind_key) if query else None
    nothing_found = results is not None and not results.total
    return render(
        request,
        "core/search.html",
        {
            "query": query,
            "query_max": SEARCH_QUERY_MAX,
            "results": results,
            "types": types,
            "kind_key": kind_key,
            "suggestions": selectors.search_suggestions(request, query) if nothing_found else [],
            "breadcrumbs": [(_("Search"), "")],
        },
    )


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_cache() -> None:
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "ok", 10)
    if cache.get(key) != "ok":
        raise RuntimeError("cache round trip failed")
    cache.delete(key)


def _check_channel_layer() -> None:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer configured")

    async def round_trip():
        channel = await layer.new_channel("healthz.")
        await layer.send(channel, {"type": "healthz.ping"})
        message = await layer.receive(channel)
        if message.get("type") != "healthz.ping":
            raise RuntimeError("channel layer round trip failed")

    async_to_sync(round_trip)()


@never_cache
@require_GET
def healthz(request):
    checks = {}
    healthy = True
    for name, check in (
        ("database", _check_database),
        ("cache", _check_cache),
        ("channel_layer", _check_channel_layer),
    ):
        started = time.perf_counter()
        try:
            check()
        except Exception as exc:
            checks[name] = {"ok": False, "error": exc.__class__.__name__}
            healthy = False
        else:
            checks[name] = {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )


@require_GET
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /cabinet/",
        "Disallow: /accounts/",
        "Disallow: /search/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_POST
def accessibility(request):
    """Apply the low-vision panel's settings (a plain form: works without JavaScript)."""
    current = A11ySettings.from_cookie(request.COOKIES.get(COOKIE_NAME))
    action = request.POST.get("action", "")
    if action == "disable":
        updated = A11ySettings(enabled=False)
    elif action == "reset":
        updated = A11ySettings(enabled=True)
    else:
        values = {
            key: request.POST[key]
            for key in ("cs", "img", "ls", "lh", "ff", "media", "fs")
            if key in request.POST
        }
        if action == "bigger":
            values["fs"] = str(min(current.font_size + 1, 4))
        elif action == "smaller":
            values["fs"] = str(max(current.font_size - 1, 0))
        updated = current.updated(values)
        updated = A11ySettings(**{**updated.__dict__, "enabled": True})
    response = redirect(safe_next_url(request, request.POST.get("next"), "/"))
    response.set_cookie(
        COOKIE_NAME,
        updated.to_cookie(),
        max_age=COOKIE_MAX_AGE,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return response


def organisation_list(request):
    district_raw = request.GET.get("district", "")
    district_id = int(district_raw) if district_raw.isdigit() else None
    kind = request.GET.get("kind", "")
    if kind not in OrganisationKind.values:
        kind = ""
    query = request.GET.get("q", "").strip()[:SEARCH_QUERY_MAX]
    organisations = selectors.organisations_list(query=query, district_id=district_id, kind=kind)
    page = Paginator(organisations, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "core/organisation_list.html",
        {
            "page": page,
            "districts": District.objects.all(),
            "kinds": OrganisationKind.choices,
            "filters": {"district": district_id, "kind": kind, "q": query},
            "breadcrumbs": [(_("Organisations"), "")],
        },
    )


def organisation_detail(request, pk: int):
    organisation = get_object_or_404(
        Organisation.objects.select_related("district"), pk=pk, is_active=True
    )
    return render(
        request,
        "core/organisation_detail.html",
        {
            "organisation": organisation,
            "sections": plugins.organisation_sections(request, organisation),
            "breadcrumbs": [
                (_("Organisations"), reverse("core:organisation_list")),
                (str(organisation), ""),
            ],
        },
    )


def consent_document(request, pk: int):
    document = get_object_or_404(ConsentDocument, pk=pk)
    return render(request, "core/consent_document.html", {"document": document})


def consent_current(request, purpose: str):
    try:
        document = consent_document_current(purpose)
    except ConsentUnavailable as exc:
        raise Http404 from exc
    return render(request, "core/consent_document.html", {"document": document})


def public_media(request, path: str):
    """Public media for the embedded default (behind nginx, nginx serves it)."""
    from django.views.static import serve

    return serve(request, path, document_root=settings.MEDIA_ROOT)


def error_403(request, exception=None):
    return render(request, "403.html", status=403)


def error_404(request, exception=None):
    return render(request, "404.html", status=404)


def error_500(request):
    # No context processors: the failure may come from them.
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render(), status=500)

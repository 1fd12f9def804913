"""Public verification of issued documents: what the QR code on every certificate opens.

No login. Lookups are limited per client address so that the register cannot be
walked through by trying numbers in a row. The pages are neither indexed nor
cached: a document can be revoked at any moment.
"""

from __future__ import annotations

import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core.utils import client_ip
from lms.certificates.selectors.verification import (
    NUMBER_MAX_LENGTH,
    certificate_verification_find,
    registration_number_clean,
)

SEARCH_TEMPLATE = "certificates/verify_search.html"


def _unindexed(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["X-Robots-Tag"] = "noindex"
        add_never_cache_headers(response)
        return response

    return wrapped


def _search_page(request, *, number: str = "", error: str = "", status: int = 200):
    breadcrumbs = [(_("Document verification"), "")]
    return render(
        request,
        SEARCH_TEMPLATE,
        {
            "number": number,
            "number_max": NUMBER_MAX_LENGTH,
            "error": error,
            "breadcrumbs": breadcrumbs,
        },
        status=status,
    )


def _not_found(request, number: str) -> HttpResponse:
    message = _("No document with the number “%(number)s” was found.") % {"number": number}
    return _search_page(request, number=number, error=message, status=404)


def _throttled(request) -> HttpResponse | None:
    """A 429 page once this address has used up its lookups for the window, else None."""
    window = settings.PORTAL_VERIFY_RATE_WINDOW
    now = int(time.time())
    key = f"certificates:verify:{client_ip(request) or 'unknown'}:{now // window}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:
        # The counter expired between add() and incr().
        cache.set(key, 1, timeout=window)
        count = 1
    if count <= settings.PORTAL_VERIFY_RATE_LIMIT:
        return None
    retry_after = window - now % window
    response = _search_page(
        request,
        error=_("Too many checks from your address. Please wait %(seconds)s seconds and try again.")
        % {"seconds": retry_after},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


@require_safe
@_unindexed
def verify_search(request):
    if "number" not in request.GET:
        return _search_page(request)
    number = registration_number_clean(request.GET["number"])
    if not number:
        return _search_page(request, error=_("Enter the registration number of the document."))
    throttled = _throttled(request)
    if throttled is not None:
        return throttled
    document = certificate_verification_find(number)
    if document is None:
        return _not_found(request, number)
    return redirect(document.url)


@require_safe
@_unindexed
def verify_detail(request, number):
    throttled = _throttled(request)
    if throttled is not None:
        return throttled
    document = certificate_verification_find(number)
    if document is None:
        return _not_found(request, registration_number_clean(number))
    if document.number != number:
        # A hand-typed address («пк-2026-000001») goes to the document's own one.
        return redirect(document.url)
    breadcrumbs = [
        (_("Document verification"), reverse("lms:certificates:verify_search")),
        (document.number, ""),
    ]
    return render(
        request,
        "certificates/verify_detail.html",
        {"document": document, "breadcrumbs": breadcrumbs},
    )

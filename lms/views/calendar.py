"""iCalendar feeds and the page where a user manages their private feed link."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from wagtail import hooks
from wagtail.models import Page

from core import plugins
from lms.ical import (
    PAST_WINDOW,
    calendar_build,
    calendar_response,
    event_calendar_item,
    feed_events,
)
from lms.models import CalendarFeedToken, EventIndexPage, EventPage
from lms.selectors import events as selectors
from lms.services.calendar import calendar_token_regenerate, calendar_token_revoke

#: How far ahead the private feed looks.
FUTURE_WINDOW_DAYS = 730


def _serve_page(request, path: str, page_class, handler):
    """Serve ``handler(request, page)`` for the live page of ``page_class`` at ``path``
    through the same Wagtail hooks as the page's HTML (privacy, switched-off plugins)."""
    route_result = Page.route_for_request(request, path)
    if route_result is None:
        raise Http404
    page, args, kwargs = route_result
    page = page.specific
    if not isinstance(page, page_class):
        raise Http404

    def respond(page, request, args, kwargs):
        return handler(request, page)

    chain = respond
    for hook in reversed(hooks.get_hooks("on_serve_page")):
        chain = hook(chain)
    for hook in hooks.get_hooks("before_serve_page"):
        result = hook(page, request, args, kwargs)
        if isinstance(result, HttpResponse):
            return result
    return chain(page, request, args, kwargs)


def public_feed(request, path: str):
    return _serve_page(request, path, EventIndexPage, _public_feed)


def _public_feed(request, index: EventIndexPage):
    events = feed_events(selectors.events_published().child_of(index))
    # Calendar clients send no language cookie: feeds speak the site's language.
    with translation.override(settings.LANGUAGE_CODE):
        items = [
            event_calendar_item(event, state=getattr(event, "calendar_state", None))
            for event in events
        ]
    body = calendar_build(items, name=index.title, description=settings.WAGTAIL_SITE_NAME)
    return calendar_response(request, body, filename="events.ics")


def event_ics(request, path: str):
    return _serve_page(request, path, EventPage, _event_ics)


def _event_ics(request, event: EventPage):
    with translation.override(settings.LANGUAGE_CODE):
        body = calendar_build([event_calendar_item(event)], name=event.title)
    return calendar_response(request, body, filename=f"event-{event.pk}.ics", attachment=True)


def private_feed(request, token: str):
    user = selectors.calendar_token_user(token)
    if user is None:
        raise Http404
    now = timezone.now()
    start, end = now - PAST_WINDOW, now + timezone.timedelta(days=FUTURE_WINDOW_DAYS)
    with translation.override(settings.LANGUAGE_CODE):
        items = [
            item for provider in plugins.calendar_providers() for item in provider(user, start, end)
        ]
    CalendarFeedToken.objects.filter(user=user).update(last_used_at=now)
    body = calendar_build(
        items,
        name=_("My calendar — %(site)s") % {"site": settings.WAGTAIL_SITE_NAME},
    )
    return calendar_response(request, body, filename="calendar.ics")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def calendar_settings(request):
    """Create, replace or revoke the private feed link. The link is shown once."""
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "revoke":
            calendar_token_revoke(user=request.user, request=request)
            messages.success(request, _("The calendar link is revoked."))
            return redirect("lms:calendar_settings")
        if action != "regenerate":
            messages.error(request, _("Unknown action."))
            return redirect("lms:calendar_settings")
        raw = calendar_token_regenerate(user=request.user, request=request)
        feed_url = settings.SITE_URL + reverse("lms:private_feed", kwargs={"token": raw})
        return render(
            request,
            "lms/calendar_settings.html",
            {
                "token": CalendarFeedToken.objects.filter(user=request.user).first(),
                "feed_url": feed_url,
                "feed_webcal": "webcal://" + feed_url.split("://", 1)[-1],
                "breadcrumbs": [(_("Personal cabinet"), reverse("core:cabinet"))],
            },
        )
    return render(
        request,
        "lms/calendar_settings.html",
        {
            "token": CalendarFeedToken.objects.filter(user=request.user).first(),
            "breadcrumbs": [(_("Personal cabinet"), reverse("core:cabinet"))],
        },
    )

"""Event pages: listing, detail, registration and the organiser's registration list.

The page classes route here (RoutablePageMixin); the views only parse input,
call services and selectors, and render.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import ConsentPurpose
from core.services.consent import consent_is_active
from lms.models import EventAudience, EventFormat, EventKind, EventPage, RegistrationStatus
from lms.selectors import events as selectors
from lms.services.events import (
    RegistrationRefused,
    event_checkin,
    event_register,
    event_registration_cancel,
    event_registration_refusal,
    waitlist_position,
)
from lms.views.exports import csv_response, xlsx_response

PAGE_SIZE = 12
QUERY_MAX = 200


def _choice(value: str, choices) -> str:
    return value if value in choices.values else ""


def _month_param(raw: str) -> tuple[int, int]:
    today = timezone.localdate()
    try:
        parsed = dt.datetime.strptime(raw, "%Y-%m")
    except (TypeError, ValueError):
        return today.year, today.month
    if not 2000 <= parsed.year <= 2100:
        return today.year, today.month
    return parsed.year, parsed.month


def event_listing_context(request, index) -> dict:
    filters = selectors.EventFilters(
        when="past" if request.GET.get("when") == "past" else "upcoming",
        kind=_choice(request.GET.get("kind", ""), EventKind),
        format=_choice(request.GET.get("format", ""), EventFormat),
        audience=_choice(request.GET.get("audience", ""), EventAudience),
        query=request.GET.get("q", "").strip()[:QUERY_MAX],
    )
    context = {
        "filters": filters,
        "kinds": EventKind.choices,
        "formats": EventFormat.choices,
        "audiences": EventAudience.choices,
        "view": "month" if request.GET.get("view") == "month" else "list",
        "feed_url": index.url + "feed.ics",
        "feed_webcal": _webcal(settings.SITE_URL + index.url + "feed.ics"),
    }
    if context["view"] == "month":
        year, month = _month_param(request.GET.get("month", ""))
        first = dt.date(year, month, 1)
        context.update(
            weeks=selectors.event_month(index=index, year=year, month=month),
            month=first,
            previous_month=(first - dt.timedelta(days=1)).strftime("%Y-%m"),
            next_month=(first + dt.timedelta(days=32)).strftime("%Y-%m"),
        )
    else:
        events = selectors.event_listing(index=index, filters=filters)
        context["page_obj"] = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return context


def _webcal(url: str) -> str:
    return "webcal://" + url.split("://", 1)[-1]


def _utc_stamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def add_to_calendar_links(request, event: EventPage) -> dict[str, str]:
    """Links for Google and Outlook (web templates) and Apple/desktop clients (.ics)."""
    page_url = settings.SITE_URL + event.url
    ics_url = page_url + "event.ics"
    details = f"{event.lead}\n\n{page_url}".strip()
    location = event.location or (_("Online") if event.is_online else "")
    google = "https://calendar.google.com/calendar/render?" + urlencode(
        {
            "action": "TEMPLATE",
            "text": event.title,
            "dates": f"{_utc_stamp(event.start)}/{_utc_stamp(event.end)}",
            "details": details,
            "location": location,
        }
    )
    outlook = "https://outlook.live.com/calendar/0/deeplink/compose?" + urlencode(
        {
            "path": "/calendar/action/compose",
            "rru": "addevent",
            "subject": event.title,
            "startdt": event.start.astimezone(dt.UTC).isoformat(),
            "enddt": event.end.astimezone(dt.UTC).isoformat(),
            "body": details,
            "location": location,
        }
    )
    return {"google": google, "outlook": outlook, "ics": ics_url, "webcal": _webcal(ics_url)}


def event_detail(request, event: EventPage):
    user = request.user
    registration = selectors.event_registration_for(event, user)
    can_manage = user.has_perm("lms.manage_registrations")
    context = event.get_context(request)
    context.update(
        registration=registration,
        waitlist_position=waitlist_position(registration) if registration else 0,
        counts=selectors.event_counts(event),
        refusal=event_registration_refusal(event),
        needs_consent=user.is_authenticated
        and not consent_is_active(user=user, purpose=ConsentPurpose.PERSONAL_DATA),
        can_manage=can_manage,
        # The room link is for people with a place, speakers and staff.
        show_online_url=bool(event.online_url)
        and (can_manage or (registration and registration.status == RegistrationStatus.REGISTERED)),
        calendar_links=add_to_calendar_links(request, event),
        is_live=event.is_live(),
        is_past=event.is_past(),
    )
    return TemplateResponse(request, event.get_template(request), context)


def _require_post(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return None


def event_register_view(request, event: EventPage):
    if (response := _require_post(request)) is not None:
        return response
    if not request.user.is_authenticated:
        return redirect_to_login(event.url)
    try:
        registration = event_register(
            event_id=event.pk,
            user=request.user,
            consent_given=request.POST.get("consent") == "on",
            request=request,
        )
    except RegistrationRefused as refusal:
        messages.error(request, refusal.message)
        return redirect(event.url)
    if registration.status == RegistrationStatus.REGISTERED:
        messages.success(request, _("You are registered. The confirmation has been emailed."))
    else:
        messages.info(
            request,
            _("The event is full: you are number %(position)d on the waiting list.")
            % {"position": waitlist_position(registration)},
        )
    return redirect(event.url)


def event_cancel_view(request, event: EventPage):
    if (response := _require_post(request)) is not None:
        return response
    if not request.user.is_authenticated:
        return redirect_to_login(event.url)
    try:
        event_registration_cancel(event_id=event.pk, user=request.user, request=request)
    except RegistrationRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("Your registration has been cancelled."))
    return redirect(event.url)


def _check_organiser(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.has_perm("lms.manage_registrations"):
        raise PermissionDenied
    return None


def _export_rows(event: EventPage):
    for number, registration in enumerate(selectors.event_registrations(event), start=1):
        yield [
            number,
            registration.user.get_full_name(),
            registration.user.email,
            registration.get_status_display(),
            timezone.localtime(registration.created_at).strftime("%d.%m.%Y %H:%M"),
            timezone.localtime(registration.checked_in_at).strftime("%d.%m.%Y %H:%M")
            if registration.checked_in_at
            else "",
        ]


def _export_headers() -> list[str]:
    return [
        _("No."),
        _("Full name"),
        _("Email"),
        _("Status"),
        _("Registered at"),
        _("Checked in at"),
    ]


def _export_filename(event: EventPage, extension: str) -> str:
    return f"registrations-{event.pk}.{extension}"


def event_registrations_view(request, event: EventPage):
    if (response := _check_organiser(request)) is not None:
        return response
    export = request.GET.get("export")
    if export == "csv":
        return csv_response(_export_filename(event, "csv"), _export_headers(), _export_rows(event))
    if export == "xlsx":
        return xlsx_response(
            _export_filename(event, "xlsx"),
            sheet_title=_("Registrations"),
            caption=event.title,
            headers=_export_headers(),
            rows=_export_rows(event),
            widths=(6, 40, 32, 20, 18, 18),
        )
    status = _choice(request.GET.get("status", ""), RegistrationStatus)
    registrations = selectors.event_registrations(event, status=status)
    return TemplateResponse(
        request,
        "lms/event_registrations.html",
        {
            "page": event,
            "event": event,
            "registrations": registrations,
            "counts": selectors.event_counts(event),
            "statuses": RegistrationStatus.choices,
            "status": status,
            "breadcrumbs": [*event.get_breadcrumbs(), (event.title, event.url)],
        },
    )


def event_checkin_view(request, event: EventPage, registration_id: int):
    if (response := _require_post(request)) is not None:
        return response
    if (response := _check_organiser(request)) is not None:
        return response
    try:
        registration = event_checkin(
            event_id=event.pk,
            registration_id=registration_id,
            actor=request.user,
            undo=request.POST.get("undo") == "1",
            request=request,
        )
    except RegistrationRefused as refusal:
        messages.error(request, refusal.message)
    else:
        if registration.checked_in_at:
            messages.success(
                request,
                _("%(name)s is checked in.") % {"name": registration.user.get_full_name()},
            )
        else:
            messages.info(
                request,
                _("Check-in of %(name)s is undone.") % {"name": registration.user.get_full_name()},
            )
    return redirect(event.url + event.reverse_subpage("registrations"))

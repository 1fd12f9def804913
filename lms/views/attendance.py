"""Organisers' views of a seminar: the attendance sheet and the chat transcript."""

from __future__ import annotations

from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.models import EventPage
from lms.selectors.seminars import seminar_attendance, seminar_transcript
from lms.views.events import _check_organiser
from lms.views.exports import csv_response, xlsx_response


def _local(value) -> str:
    return timezone.localtime(value).strftime("%d.%m.%Y %H:%M") if value else ""


def _headers() -> list[str]:
    return [
        _("Full name"),
        _("Email"),
        _("Registered"),
        _("Minutes"),
        _("Share of the event, %"),
        _("First joined"),
        _("Last left"),
        _("Certificate threshold met"),
    ]


def _rows(event: EventPage):
    for row in seminar_attendance(event):
        yield [
            row.user.get_full_name(),
            row.user.email,
            _("yes") if row.registered else _("no"),
            row.minutes,
            row.percent,
            _local(row.first_join),
            _local(row.last_leave),
            _("yes") if row.meets(event.attendance_threshold) else _("no"),
        ]


def attendance_sheet_view(request, event: EventPage):
    if (response := _check_organiser(request)) is not None:
        return response
    export = request.GET.get("export")
    filename = f"attendance-{event.pk}"
    if export == "csv":
        return csv_response(f"{filename}.csv", _headers(), _rows(event))
    if export == "xlsx":
        return xlsx_response(
            f"{filename}.xlsx",
            sheet_title=_("Attendance"),
            caption=event.title,
            headers=_headers(),
            rows=_rows(event),
        )
    return TemplateResponse(
        request,
        "lms/attendance_sheet.html",
        {
            "page": event,
            "event": event,
            "rows": seminar_attendance(event),
            "breadcrumbs": [*event.get_breadcrumbs(), (event.title, event.url)],
        },
    )


def transcript_view(request, event: EventPage):
    """The chat and the answered questions as plain text, for the organisers' records."""
    if (response := _check_organiser(request)) is not None:
        return response
    transcript = seminar_transcript(event)
    lines = [event.title, _local(event.start), "", _("Chat"), ""]
    for message in transcript["messages"]:
        lines.append(
            f"[{_local(message.created_at)}] #{message.seq} "
            f"{message.author.get_full_name()}: {message.text}"
        )
    lines += ["", _("Answered questions"), ""]
    for question in transcript["questions"]:
        lines.append(f"— {question.author.get_full_name()}: {question.text}")
    response = HttpResponse("\r\n".join(lines) + "\r\n", content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="transcript-{event.pk}.txt"'
    return response

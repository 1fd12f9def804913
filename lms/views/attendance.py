"""Organisers' views of a seminar: the attendance sheet and the chat transcript."""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.models import EventPage
from lms.selectors.seminars import seminar_attendance, seminar_transcript
from lms.views.events import _check_organiser

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
        buffer = io.StringIO()
        buffer.write("\ufeff")
        writer = csv.writer(buffer, delimiter=";")
        writer.writerow(_headers())
        writer.writerows(_rows(event))
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response
    if export == "xlsx":
        from openpyxl import Workbook
        from openpyxl.styles import Font

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = _("Attendance")[:31]
        sheet.append([event.title])
        sheet["A1"].font = Font(bold=True)
        sheet.append(_headers())
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in _rows(event):
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response
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

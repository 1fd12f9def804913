"""What a certificate says: the placeholder values and the template text filled in.

Both the PDF and the admin's template validation use this module, so a template
that passes validation always renders.
"""

from __future__ import annotations

import string

from django.utils import formats
from django.utils.translation import gettext as _

PLACEHOLDERS = (
    "full_name",
    "programme",
    "programme_kind",
    "hours",
    "period",
    "start_date",
    "end_date",
    "event",
    "event_date",
    "attendance",
    "issue_date",
    "number",
    "city",
    "organisation",
)


def template_placeholders_check(text: str) -> str:
    """An error message for unknown or malformed placeholders in ``text``, or ""."""
    try:
        names = [name for _literal, name, _spec, _conv in string.Formatter().parse(text) if name]
    except ValueError:
        return _("Braces must enclose a placeholder, e.g. {full_name}.")
    unknown = sorted({name for name in names if name not in PLACEHOLDERS})
    if unknown:
        return _("Unknown placeholders: %(names)s. Available: %(available)s.") % {
            "names": ", ".join(f"{{{name}}}" for name in unknown),
            "available": ", ".join(f"{{{name}}}" for name in PLACEHOLDERS),
        }
    return ""


def _date(value) -> str:
    return value.strftime("%d.%m.%Y") if value else ""


def certificate_values(certificate, template) -> dict[str, str]:
    """Placeholder values of an issued certificate (from its own copied fields)."""
    from lms.courses.models import ProgrammeKind

    kinds = dict(ProgrammeKind.choices)
    period = ""
    if certificate.period_start and certificate.period_end:
        period = _("from %(start)s to %(end)s") % {
            "start": _date(certificate.period_start),
            "end": _date(certificate.period_end),
        }
    attendance = ""
    if certificate.attendance_percent is not None:
        attendance = formats.number_format(certificate.attendance_percent, 0) + " %"
    return {
        "full_name": certificate.full_name,
        "programme": certificate.title,
        "programme_kind": str(kinds.get(certificate.programme_kind, "")),
        "hours": str(certificate.hours or ""),
        "period": period,
        "start_date": _date(certificate.period_start),
        "end_date": _date(certificate.period_end),
        "event": certificate.title,
        "event_date": _date(certificate.period_start),
        "attendance": attendance,
        "issue_date": _date(certificate.issue_date),
        "number": certificate.registration_number,
        "city": template.city,
        "organisation": template.organisation,
    }


def fill(text: str, values: dict[str, str]) -> str:
    return text.format_map(values)

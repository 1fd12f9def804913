"""Registry of districts and organisations, including CSV import."""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from core.models import District, Organisation, OrganisationKind
from core.services.audit import audit_log

CSV_COLUMNS = ["name", "short_name", "kind", "district", "inn", "address", "email", "website"]
REQUIRED_COLUMNS = {"name", "district"}
KIND_ALIASES = {
    "school": OrganisationKind.SCHOOL,
    "школа": OrganisationKind.SCHOOL,
    "оо": OrganisationKind.SCHOOL,
    "college": OrganisationKind.COLLEGE,
    "колледж": OrganisationKind.COLLEGE,
    "техникум": OrganisationKind.COLLEGE,
    "спо": OrganisationKind.COLLEGE,
    "other": OrganisationKind.OTHER,
    "другое": OrganisationKind.OTHER,
    "": OrganisationKind.SCHOOL,
}


class CsvImportError(Exception):
    """The file as a whole cannot be read; nothing was imported."""


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CsvImportError(_("The file is neither UTF-8 nor Windows-1251 text."))


def _validate_inn(inn: str) -> str:
    if inn and (not inn.isdigit() or len(inn) not in (10, 12)):
        raise ValidationError(_("INN must have 10 or 12 digits."))
    return inn


def organisations_import_csv(*, raw: bytes, actor=None, request=None) -> ImportReport:
    """Import organisations from CSV (``;`` or ``,``, UTF-8 or CP1251, header row).

    Rows are matched by INN when given, otherwise by name within the district, so a
    second import of the same file changes nothing. Bad rows are reported and
    skipped; if the file itself is unreadable nothing is written.
    """
    text = _decode(raw)
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else "", delimiters=";,\t")
    except csv.Error as exc:
        raise CsvImportError(_("Cannot recognise the CSV header row.")) from exc
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = {(name or "").strip().lower() for name in reader.fieldnames or []}
    missing = REQUIRED_COLUMNS - header
    if missing:
        raise CsvImportError(
            _("Required columns are missing: %(columns)s.")
            % {"columns": ", ".join(sorted(missing))}
        )
    report = ImportReport()
    for line_number, raw_row in enumerate(reader, start=2):
        row = {(key or "").strip().lower(): (value or "").strip() for key, value in raw_row.items()}
        try:
            with transaction.atomic():
                outcome = _import_row(row)
        except ValidationError as exc:
            report.errors.append((line_number, "; ".join(exc.messages)))
            continue
        setattr(report, outcome, getattr(report, outcome) + 1)
    audit_log(
        action="organisation.import_csv",
        actor=actor,
        data={
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "errors": len(report.errors),
        },
        request=request,
    )
    return report


def _import_row(row: dict[str, str]) -> str:
    name = row.get("name", "")
    district_name = row.get("district", "")
    if not name or not district_name:
        raise ValidationError(_("Name and district are required."))
    kind = KIND_ALIASES.get(row.get("kind", "").lower())
    if kind is None:
        raise ValidationError(
            _("Unknown organisation type «%(kind)s»: use school, college or other.")
            % {"kind": row.get("kind")}
        )
    inn = _validate_inn(row.get("inn", ""))
    email = row.get("email", "")
    if email:
        EmailValidator(message=_("Invalid email address «%(value)s».") % {"value": email})(email)
    website = row.get("website", "")
    if website:
        URLValidator(message=_("Invalid website address «%(value)s».") % {"value": website})(
            website
        )
    district, _created = District.objects.get_or_create(name=district_name)
    values = {
        "name": name[:500],
        "short_name": row.get("short_name", "")[:200],
        "kind": kind,
        "district": district,
        "inn": inn,
        "address": row.get("address", "")[:500],
        "email": email,
        "website": website,
    }
    existing = (
        Organisation.objects.select_for_update().filter(inn=inn).first()
        if inn
        else Organisation.objects.select_for_update()
        .filter(name__iexact=name, district=district)
        .first()
    )
    if existing is None:
        Organisation.objects.create(**values)
        return "created"
    changed = [key for key, value in values.items() if getattr(existing, key) != value]
    if not changed:
        return "unchanged"
    for key in changed:
        setattr(existing, key, values[key])
    existing.full_clean(validate_unique=False)
    existing.save()
    return "updated"

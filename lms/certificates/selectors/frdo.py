"""The ФИС ФРДО export of ДПО documents: the rows of the federal register's Excel template
(sheet «Шаблон», 40 columns) and the documents that cannot go there yet.

Only documents on qualification go to the register (``FRDO_KINDS``): records
of study («Справка об обучении») could be reported too but the institute keeps
them out, and participation certificates are its own format, never reported.
Revoked documents are not exported. A replaced original is exported as
«Оригинал» and its duplicate as «Дубликат», carrying the original's data in
columns 32–39. A document issued without a blank number is completed by recording the blank on
its register page (``services/blanks.py``) once it is printed.

Values the register expects and where they come from:

- 28 «Форма обучения», from the course's format: distance → «Заочная» (distance
  learning is a technology, the form of a course studied wholly at a distance
  is «заочная»), blended → «Очно-заочная», full-time → «Очная».
- 29 «Источник финансирования обучения» is always «Бюджетное обучение»: the
  institute trains library workers under its state assignment.
- 15 «Уровень образования ВО/СПО»: a learner still studying for a level is
  reported with that level (the register knows only the two values).
- 12–14 (field, group of specialities, qualification) stay empty: they are
  required only for professional retraining that gives a qualification, which the
  portal does not record; 30 and 40 are for interrupted study and corrections.

Text goes out as text (dates as ДД.ММ.ГГГГ, СНИЛС as «123-456-789 01», the OKSM
code as «643»); years and hours are numbers.
"""

from __future__ import annotations

import re
from typing import IO, NamedTuple

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from lms.certificates.models import FRDO_KINDS, Certificate, CertificateKind, CertificateStatus
from lms.courses.models import CourseFormat, EducationLevel, LearnerProfile, ProgrammeKind, Sex
from lms.courses.validators import normalise_snils, validate_snils

FRDO_SHEET_TITLE = "Шаблон"

FRDO_COLUMNS = (
    "Вид документа",
    "Статус документа",
    "Подтверждение утраты",
    "Подтверждение обмена",
    "Подтверждение уничтожения",
    "Серия документа",
    "Номер документа",
    "Дата выдачи документа",
    "Регистрационный номер",
    "Дополнительная профессиональная программа (повышение квалификации/профессиональная "
    "переподготовка)",
    "Наименование дополнительной профессиональной программы",
    "Наименование области профессиональной деятельности",
    "Укрупненные группы специальностей",
    "Наименование квалификации, профессии, специальности",
    "Уровень образования ВО/СПО",
    "Фамилия указанная в дипломе о ВО или СПО",
    "Серия документа о ВО/СПО",
    "Номер документа о ВО/СПО",
    "Год начала обучения (для документа о квалификации)",
    "Год окончания обучения (для документа о квалификации)",
    "Срок обучения, часов (для документа о квалификации)",
    "Фамилия получателя",
    "Имя получателя",
    "Отчество получателя",
    "Дата рождения получателя",
    "Пол получателя",
    "СНИЛС",
    "Форма обучения",
    "Источник финансирования обучения",
    "Форма получения образования на момент прекращения образовательных отношений",
    "Гражданство получателя (код страны по ОКСМ)",
    "Наименование документа об образовании (оригинала)",
    "Серия (оригинала)",
    "Номер (оригинала)",
    "Регистрационный N (оригинала)",
    "Дата выдачи (оригинала)",
    "Фамилия получателя (оригинала)",
    "Имя получателя (оригинала)",
    "Отчество получателя (оригинала)",
    "Номер документа для изменения",
)

DOCUMENT_NAMES = {
    CertificateKind.QUALIFICATION: "Удостоверение о повышении квалификации",
    CertificateKind.DIPLOMA: "Диплом о профессиональной переподготовке",
}
PROGRAMME_NAMES = {
    ProgrammeKind.UPGRADE: "Повышение квалификации",
    ProgrammeKind.RETRAINING: "Профессиональная переподготовка",
}
EDUCATION_LEVELS = {
    EducationLevel.HIGHER: "Высшее образование",
    EducationLevel.STUDYING_HIGHER: "Высшее образование",
    EducationLevel.SECONDARY: "Среднее профессиональное образование",
    EducationLevel.STUDYING_SECONDARY: "Среднее профессиональное образование",
}
SEXES = {Sex.MALE: "Муж", Sex.FEMALE: "Жен"}
FORMS_OF_STUDY = {
    CourseFormat.DISTANCE: "Заочная",
    CourseFormat.BLENDED: "Очно-заочная",
    CourseFormat.FULL_TIME: "Очная",
}
FUNDING = "Бюджетное обучение"
ORIGINAL = "Оригинал"
DUPLICATE = "Дубликат"
YES = "Да"
NO = "Нет"
DATE_FORMAT = "%d.%m.%Y"

_OKSM_CODE = re.compile(r"^\d{3}$")


class FrdoProblem(NamedTuple):
    """A document left out of the export and why (translated labels of what is missing)."""

    certificate: Certificate
    reasons: list[str]


class FrdoExport(NamedTuple):
    rows: list[list]
    problems: list[FrdoProblem]


def _label(model, field: str) -> Promise:
    return model._meta.get_field(field).verbose_name


NO_PROFILE = _("the learner's ДПО data (education, SNILS, date of birth) are not filled in")
REVOKED = _("revoked: revoked documents are not reported")
FORM_OF_STUDY = _("form of study (the course's format)")


def _date(value) -> str:
    return value.strftime(DATE_FORMAT) if value else ""


def _snils(profile: LearnerProfile) -> str:
    """The СНИЛС in the register's format, or "" when it is not a valid one."""
    formatted = normalise_snils(profile.snils)
    try:
        validate_snils(formatted)
    except ValidationError:
        return ""
    return formatted


def _course_format(certificate: Certificate) -> str:
    if certificate.enrollment is None:
        return ""
    return FORMS_OF_STUDY.get(certificate.enrollment.cohort.course.format, "")


def _certificate_gaps(certificate: Certificate) -> list[str]:
    required = {
        "blank_number": certificate.blank_number,
        "last_name": certificate.last_name,
        "first_name": certificate.first_name,
        "hours": certificate.hours,
        "period_start": certificate.period_start,
        "period_end": certificate.period_end,
    }
    gaps = [_label(Certificate, name) for name, value in required.items() if not value]
    if certificate.programme_kind not in PROGRAMME_NAMES:
        gaps.append(_label(Certificate, "programme_kind"))
    if not _course_format(certificate):
        gaps.append(FORM_OF_STUDY)
    return gaps


def _profile_gaps(profile: LearnerProfile | None) -> list[str]:
    if profile is None:
        return [NO_PROFILE]
    checks = {
        "education_level": profile.education_level in EDUCATION_LEVELS,
        "diploma_surname": bool(profile.diploma_surname.strip()),
        "diploma_number": bool(profile.diploma_number.strip()),
        "snils": bool(_snils(profile)),
        "birth_date": profile.birth_date is not None,
        "sex": profile.sex in SEXES,
        "citizenship": bool(_OKSM_CODE.match(profile.citizenship or "")),
    }
    return [_label(LearnerProfile, name) for name, passed in checks.items() if not passed]


def _original_columns(certificate: Certificate) -> list:
    """Columns 32–39: what the replaced document said (empty for an original)."""
    original = certificate.original
    if original is None:
        return [None] * 8
    return [
        DOCUMENT_NAMES[original.kind],
        original.blank_series,
        original.blank_number,
        original.registration_number,
        _date(original.issue_date),
        original.last_name,
        original.first_name,
        original.patronymic,
    ]


def _row(certificate: Certificate, profile: LearnerProfile) -> list:
    duplicate = certificate.is_duplicate
    row = [
        DOCUMENT_NAMES[certificate.kind],
        DUPLICATE if duplicate else ORIGINAL,
        YES if duplicate else NO,
        NO,
        NO,
        certificate.blank_series,
        certificate.blank_number,
        _date(certificate.issue_date),
        certificate.registration_number,
        PROGRAMME_NAMES[certificate.programme_kind],
        certificate.title,
        None,
        None,
        None,
        EDUCATION_LEVELS[profile.education_level],
        profile.diploma_surname.strip(),
        profile.diploma_series.strip(),
        profile.diploma_number.strip(),
        certificate.period_start.year,
        certificate.period_end.year,
        certificate.hours,
        certificate.last_name,
        certificate.first_name,
        certificate.patronymic,
        _date(profile.birth_date),
        SEXES[profile.sex],
        _snils(profile),
        _course_format(certificate),
        FUNDING,
        None,
        profile.citizenship,
        *_original_columns(certificate),
        None,
    ]
    # Empty text is an empty cell, as in the register's own template.
    return [None if value == "" else value for value in row]


def _profile_of(certificate: Certificate) -> LearnerProfile | None:
    try:
        return certificate.user.learner_profile
    except LearnerProfile.DoesNotExist:
        return None


def frdo_rows(certificates: QuerySet[Certificate]) -> FrdoExport:
    """The register's rows for the documents on qualification among ``certificates``,
    oldest first, and the documents left out with the reasons. One query in all."""
    documents = (
        certificates.filter(kind__in=FRDO_KINDS)
        .select_related("user__learner_profile", "enrollment__cohort__course", "original")
        .order_by("issue_date", "kind", "year", "sequence")
    )
    rows, problems = [], []
    for certificate in documents.iterator(chunk_size=500):
        if certificate.status == CertificateStatus.REVOKED:
            problems.append(FrdoProblem(certificate, [REVOKED]))
            continue
        profile = _profile_of(certificate)
        reasons = _certificate_gaps(certificate) + _profile_gaps(profile)
        if reasons:
            problems.append(FrdoProblem(certificate, reasons))
            continue
        rows.append(_row(certificate, profile))
    return FrdoExport(rows, problems)


def frdo_workbook_write(rows: list[list], stream: IO[bytes]) -> None:
    """Write the register's workbook: one sheet «Шаблон», the header row, then ``rows``.

    Text cells are typed as text (format «@»): a date or a СНИЛС stays what the register
    reads, and a programme title starting with «=» is never taken for a formula.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(FRDO_SHEET_TITLE)

    def cell(value):
        if not isinstance(value, str):
            return value
        text = WriteOnlyCell(sheet, value)
        text.data_type = "s"
        text.number_format = "@"
        return text

    sheet.append([cell(header) for header in FRDO_COLUMNS])
    for row in rows:
        sheet.append([cell(value) for value in row])
    workbook.save(stream)

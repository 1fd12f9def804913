"""The ФИС ФРДО export: the register's Excel template, the values it accepts, and the
documents left out with what they lack."""

import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from core.models import AuditLogEntry
from lms.certificates.models import CertificateKind, CertificateStatus
from lms.certificates.services.issuing import certificate_duplicate_issue
from lms.courses.validators import snils_checksum
from tests.lms.certificates.builders import completed_enrollment, make_certificate, make_template
from tests.lms.courses.enrollment_helpers import make_course, make_profile

pytestmark = pytest.mark.django_db

CHECK = reverse("lms:certificates:frdo")
XLSX = reverse("lms:certificates:frdo_xlsx")

# Typed from DOMAIN.md «ФИС ФРДО export», not imported, so a typo in the code shows.
HEADERS = [
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
]
DATE = re.compile(r"^\d{2}\.\d{2}\.\d{4}$")
SNILS = re.compile(r"^\d{3}-\d{3}-\d{3} \d{2}$")


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def _sheet(response) -> list[dict]:
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Шаблон"]
    header, *rows = workbook["Шаблон"].iter_rows(values_only=True)
    assert list(header) == HEADERS
    return [dict(zip(HEADERS, row, strict=True)) for row in rows]


@pytest.fixture
def register(make_user):
    """Documents of every sort: complete ones (an upgrade, a retraining diploma and its
    duplicate), ones lacking data, a revoked one and a participation certificate."""
    qualification = make_template(CertificateKind.QUALIFICATION)
    diploma = make_template(CertificateKind.DIPLOMA)
    sokolova = make_user(last_name="Соколова", first_name="Мария", patronymic="Петровна")
    petrov = make_user(last_name="Петров", first_name="Иван", patronymic="")
    make_profile(petrov, sex="M", snils="11223344595", education_level="studying_secondary")
    retraining = make_course(programme_kind="retraining", hours=260, format="full_time")
    docs = {
        "upgrade": make_certificate(
            sokolova,
            qualification,
            enrollment=completed_enrollment(sokolova, format="blended"),
            blank_series="23",
            blank_number="000101",
        ),
        "diploma": make_certificate(
            petrov,
            diploma,
            enrollment=completed_enrollment(petrov, course=retraining),
            blank_number="000102",
            issue_date=dt.date(2025, 5, 20),
        ),
        "revoked": make_certificate(
            sokolova,
            qualification,
            enrollment=completed_enrollment(sokolova),
            blank_number="000103",
            status=CertificateStatus.REVOKED,
            revoked_at=dt.datetime(2025, 4, 1, tzinfo=dt.UTC),
            revocation_reason="Выдан по ошибке",
        ),
        "participation": make_certificate(
            sokolova, qualification, kind=CertificateKind.PARTICIPATION
        ),
    }
    nobody = make_user(last_name="Безданных")
    docs["no_profile"] = make_certificate(
        nobody,
        qualification,
        enrollment=completed_enrollment(nobody, profile=False),
        blank_number="000104",
    )
    careless = make_user(last_name="Небрежная")
    make_profile(careless, snils="112-233-445 96")
    docs["no_blank"] = make_certificate(
        careless, qualification, enrollment=completed_enrollment(careless)
    )
    docs["duplicate"] = certificate_duplicate_issue(
        certificate=docs["diploma"], by=make_user("methodist"), blank_number="000201"
    )
    return docs


def test_the_export_fills_the_register_template_with_complete_documents_only(
    client, make_user, register
):
    client.force_login(make_user("methodist"))
    response = client.get(XLSX)

    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert re.search(
        r'attachment; filename="frdo-\d{4}-\d{2}-\d{2}\.xlsx"', response["Content-Disposition"]
    )
    rows = {row["Регистрационный номер"]: row for row in _sheet(response)}
    exported = {register[name].registration_number for name in ("upgrade", "diploma", "duplicate")}
    assert set(rows) == exported
    for row in rows.values():
        assert DATE.match(row["Дата выдачи документа"])
        assert DATE.match(row["Дата рождения получателя"])
        assert SNILS.match(row["СНИЛС"])
        digits = re.sub(r"\D", "", row["СНИЛС"])
        assert snils_checksum(digits[:9]) == int(digits[9:])
        assert row["Пол получателя"] in {"Муж", "Жен"}
        assert row["Статус документа"] in {"Оригинал", "Дубликат"}
        for column in HEADERS[2:5]:
            assert row[column] in {"Да", "Нет"}
        assert row["Гражданство получателя (код страны по ОКСМ)"] == "643"
        assert row["Источник финансирования обучения"] == "Бюджетное обучение"
        assert isinstance(row["Срок обучения, часов (для документа о квалификации)"], int)

    upgrade = rows[register["upgrade"].registration_number]
    assert upgrade["Вид документа"] == "Удостоверение о повышении квалификации"
    assert (upgrade["Серия документа"], upgrade["Номер документа"]) == ("23", "000101")
    assert upgrade["Дата выдачи документа"] == "10.03.2025"
    assert upgrade[HEADERS[9]] == "Повышение квалификации"
    assert upgrade["Уровень образования ВО/СПО"] == "Высшее образование"
    assert upgrade["Форма обучения"] == "Очно-заочная"
    assert upgrade["Год начала обучения (для документа о квалификации)"] == 2025
    assert (upgrade["Фамилия получателя"], upgrade["Отчество получателя"]) == (
        "Соколова",
        "Петровна",
    )
    assert upgrade["Дата рождения получателя"] == "12.04.1985"
    assert all(upgrade[column] is None for column in HEADERS[31:])

    original = rows[register["diploma"].registration_number]
    assert original["Вид документа"] == "Диплом о профессиональной переподготовке"
    assert original["Статус документа"] == "Оригинал"
    assert original[HEADERS[9]] == "Профессиональная переподготовка"
    assert original["Форма обучения"] == "Очная"
    assert original["Пол получателя"] == "Муж"
    assert original["СНИЛС"] == "112-233-445 95"  # stored as bare digits
    assert original["Уровень образования ВО/СПО"] == "Среднее профессиональное образование"
    assert original["Срок обучения, часов (для документа о квалификации)"] == 260

    duplicate = rows[register["duplicate"].registration_number]
    assert (duplicate["Статус документа"], duplicate["Подтверждение утраты"]) == ("Дубликат", "Да")
    assert duplicate["Номер документа"] == "000201"
    assert [duplicate[column] for column in HEADERS[31:39]] == [
        "Диплом о профессиональной переподготовке",
        None,
        "000102",
        register["diploma"].registration_number,
        "20.05.2025",
        "Петров",
        "Иван",
        None,
    ]

    entry = AuditLogEntry.objects.get(action="certificates.frdo_export")
    assert entry.data["exported"] == 3


def test_the_check_page_counts_the_export_and_lists_what_documents_lack(
    client, make_user, register, django_assert_max_num_queries
):
    client.force_login(make_user("methodist"))
    with django_assert_max_num_queries(14):
        response = client.get(CHECK)
    page = response.content.decode()

    assert "3 documents will be exported" in page
    assert "3 documents are left out" in page
    rows = dict(re.findall(r'<th scope="row"><a [^>]+>([^<]+)</a></th>(.*?)</tr>', page, re.S))
    assert set(rows) == {
        register[name].registration_number for name in ("no_profile", "no_blank", "revoked")
    }
    assert "ДПО data" in rows[register["no_profile"].registration_number]
    lacking = rows[register["no_blank"].registration_number].lower()
    assert "blank number" in lacking and "snils" in lacking and "date of birth" not in lacking
    assert "revoked" in rows[register["revoked"].registration_number]
    assert register["participation"].registration_number not in page
    assert f'href="{XLSX}"' in page


def test_the_export_takes_the_register_filters(client, make_user, register):
    client.force_login(make_user("methodist"))

    def exported(**filters):
        return {row["Регистрационный номер"] for row in _sheet(client.get(XLSX, filters))}

    assert exported(kind="diploma") == {
        register["diploma"].registration_number,
        register["duplicate"].registration_number,
    }
    assert exported(date_from="2025-03-01", date_to="2025-04-30") == {
        register["upgrade"].registration_number
    }
    check = client.get(CHECK, {"kind": "diploma"}).content.decode()
    assert "2 documents will be exported" in check
    assert f"{XLSX}?kind=diploma" in check

    response = client.get(XLSX, {"date_from": "2025-13-01"})
    assert response.status_code == 400
    assert AuditLogEntry.objects.filter(action="certificates.frdo_export").count() == 2

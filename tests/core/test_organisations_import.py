import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import District, Organisation
from core.services.organisations import CsvImportError, organisations_import_csv

pytestmark = pytest.mark.django_db

CSV_CP1251 = (
    "name;short_name;kind;district;inn;address;email;website\n"
    "МБОУ «СОШ № 9»;СОШ 9;школа;Городской округ Тест;2460000001;ул. Ленина, 1;s9@example.org;\n"
    "КГБПОУ «Тестовый колледж»;;college;Тестовый район;;ул. Мира, 2;;https://college.example\n"
    "Без района;;school;;;;;\n"
    "МБОУ «СОШ № 10»;;space station;Тестовый район;;;;\n"
    "МБОУ «СОШ № 11»;;school;Тестовый район;123;;;\n"
).encode("cp1251")


def test_import_creates_reports_bad_rows_and_is_idempotent(make_user):
    report = organisations_import_csv(raw=CSV_CP1251, actor=make_user())
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    assert [line for line, _message in report.errors] == [4, 5, 6]
    assert "INN" in report.errors[2][1] or "ИНН" in report.errors[2][1]
    school = Organisation.objects.get(inn="2460000001")
    assert school.name == "МБОУ «СОШ № 9»"
    assert school.district.name == "Городской округ Тест"
    assert Organisation.objects.get(name="КГБПОУ «Тестовый колледж»").kind == "college"
    again = organisations_import_csv(raw=CSV_CP1251)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Organisation.objects.count() == 2
    assert District.objects.count() == 2


def test_import_updates_changed_rows_in_utf8_with_commas():
    organisations_import_csv(raw=CSV_CP1251)
    updated = (
        "\ufeffname,short_name,kind,district,inn,address,email,website\n"
        "МБОУ «СОШ № 9» им. Пушкина,СОШ 9,school,Городской округ Тест,2460000001,,,\n"
    ).encode()
    report = organisations_import_csv(raw=updated)
    assert (report.created, report.updated) == (0, 1)
    assert Organisation.objects.get(inn="2460000001").name == "МБОУ «СОШ № 9» им. Пушкина"


@pytest.mark.parametrize(
    "raw",
    [b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe\x00", b"title;city\nx;y\n", b""],
    ids=["binary", "missing-columns", "empty"],
)
def test_unreadable_files_change_nothing(raw):
    with pytest.raises(CsvImportError):
        organisations_import_csv(raw=raw)
    assert not Organisation.objects.exists()


def test_admin_import_view_checks_permission_size_and_type(client, make_user, settings):
    url = reverse("organisations_import")
    client.force_login(make_user("participant"))
    assert client.get(url).status_code in (302, 403)
    client.force_login(make_user("methodist", is_staff=True))
    assert client.get(url).status_code == 200
    response = client.post(url, {"file": SimpleUploadedFile("orgs.xlsx", b"PK\x03\x04")})
    assert response.status_code == 200 and response.context["form"].errors
    settings.PORTAL_CSV_MAX_BYTES = 10
    response = client.post(url, {"file": SimpleUploadedFile("orgs.csv", CSV_CP1251)})
    assert response.context["form"].errors
    assert not Organisation.objects.exists()
    settings.PORTAL_CSV_MAX_BYTES = 5 * 1024 * 1024
    response = client.post(url, {"file": SimpleUploadedFile("orgs.csv", CSV_CP1251)})
    assert response.status_code == 200  # errors in rows are shown, good rows imported
    assert [line for line, _ in response.context["report"].errors] == [4, 5, 6]
    assert Organisation.objects.count() == 2


def test_management_command_imports_and_reports(tmp_path, capsys):
    from django.core.management import CommandError, call_command

    path = tmp_path / "orgs.csv"
    path.write_bytes(CSV_CP1251)
    with pytest.raises(CommandError):
        call_command("import_organisations", str(path))
    assert Organisation.objects.count() == 2
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_organisations", str(tmp_path / "missing.csv"))

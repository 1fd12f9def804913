"""Public verification: what the QR code opens, the search by number, the rate limit."""

from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from lms.certificates.pdf import verification_url
from lms.certificates.selectors.verification import mask_name
from lms.certificates.services.issuing import (
    certificate_duplicate_issue,
    certificate_issue_for_enrollment,
    certificate_revoke,
)
from tests.lms.certificates.builders import completed_enrollment, make_template

SEARCH = reverse("lms:certificates:verify_search")


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def certificate(make_user):
    make_template()
    learner = make_user(
        last_name="Соколова", first_name="Мария", patronymic="Петровна", email="maria@example.org"
    )
    enrollment = completed_enrollment(learner, title="Медиатека школы", hours=72)
    return certificate_issue_for_enrollment(enrollment=enrollment)[0]


@pytest.mark.parametrize(
    ("parts", "masked"),
    [
        (("Соколова", "Мария", "Петровна"), "С******* Мария П."),
        (("Римская-Корсакова", "Анна", ""), "Р******-К******** Анна"),
        ((" Ли ", "Ян", "  "), "Л* Ян"),
        (("", "Мария", "Петровна"), "Мария П."),
    ],
)
def test_mask_name_keeps_first_letters_of_the_surname_and_the_patronymic_initial(parts, masked):
    assert mask_name(*parts) == masked


@pytest.mark.django_db
def test_valid_document_is_shown_without_login_and_without_personal_data(
    client, certificate, django_assert_max_num_queries
):
    # The base template's navigation costs the rest.
    with django_assert_max_num_queries(8) as queries:
        response = client.get(certificate.get_absolute_url())
    assert sum("certificates_certificate" in query["sql"] for query in queries) == 1
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex"
    assert "no-cache" in response["Cache-Control"]
    html = response.content.decode()
    assert '<meta name="robots" content="noindex">' in html
    assert "The document is valid" in html
    assert "С******* Мария П." in html
    assert "Соколова" not in html
    assert "Петровна" not in html
    assert "maria@example.org" not in html
    assert certificate.registration_number in html
    assert "Медиатека школы" in html
    assert "<dd>72</dd>" in html
    assert certificate.issuer in html


@pytest.mark.django_db
def test_revoked_document_says_so_with_the_reason(client, certificate, make_user):
    certificate_revoke(certificate=certificate, by=make_user("methodist"), reason="Ошибка в ФИО")
    html = client.get(certificate.get_absolute_url()).content.decode()
    assert "The document has been revoked" in html
    assert "Ошибка в ФИО" in html
    assert "The document is valid" not in html


@pytest.mark.django_db
def test_replaced_original_links_to_its_duplicate_and_the_duplicate_to_the_original(
    client, certificate, make_user
):
    duplicate = certificate_duplicate_issue(certificate=certificate, by=make_user("methodist"))

    original_page = client.get(certificate.get_absolute_url()).content.decode()
    assert "The document has been replaced by a duplicate" in original_page
    assert f'href="{duplicate.get_absolute_url()}"' in original_page

    duplicate_page = client.get(duplicate.get_absolute_url()).content.decode()
    assert "<strong>Duplicate.</strong>" in duplicate_page
    assert "The document is valid" in duplicate_page
    assert certificate.registration_number in duplicate_page
    assert f'href="{certificate.get_absolute_url()}"' in duplicate_page


@pytest.mark.django_db
def test_qr_code_url_opens_the_detail_page(client, certificate, settings):
    url = verification_url(certificate.registration_number)
    assert url.startswith(settings.SITE_URL) and "%D0" in url
    response = client.get(url.removeprefix(settings.SITE_URL))
    assert response.status_code == 200
    assert certificate.registration_number in response.content.decode()


ODD_NUMBERS = ["ПК-1999-999999", "x" * 5000, "😀 ключ", "%00", "%FF%FE", "a%20b", "ПК-2026-0%25"]


@pytest.mark.django_db
def test_unknown_or_odd_numbers_give_a_friendly_404(client, certificate):
    for number in ODD_NUMBERS:
        response = client.get(f"/verify/{number}/")
        assert response.status_code == 404, number
        assert "No document with the number" in response.content.decode()
        assert 'name="number"' in response.content.decode()
        assert response["X-Robots-Tag"] == "noindex"


@pytest.mark.django_db
def test_search_finds_the_number_however_it_is_typed(client, certificate):
    number = certificate.registration_number
    typed_forms = [
        number,
        f"  {number.lower()} ",
        f"№ {number.replace('-', '–')}",
        # Latin К and a lower-case п, as typed on an English keyboard layout.
        number.replace("К", "K").replace("П", "п"),
    ]
    for typed in typed_forms:
        response = client.get(SEARCH, {"number": typed})
        assert response.status_code == 302, typed
        assert response["Location"] == certificate.get_absolute_url()
    # An address typed by hand goes to the document's own one.
    response = client.get(f"/verify/{quote(number.lower())}/")
    assert response.status_code == 302
    assert response["Location"] == certificate.get_absolute_url()


@pytest.mark.django_db
def test_search_not_found_keeps_the_input(client):
    response = client.get(SEARCH, {"number": "  ПК-1999-000042 "})
    assert response.status_code == 404
    html = response.content.decode()
    assert "No document with the number “ПК-1999-000042” was found." in html
    assert 'value="ПК-1999-000042"' in html


@pytest.mark.django_db
def test_empty_search_shows_the_form(client):
    assert client.get(SEARCH).status_code == 200
    response = client.get(SEARCH, {"number": "   "})
    assert response.status_code == 200
    assert "Enter the registration number" in response.content.decode()


@pytest.mark.django_db
def test_only_get_and_head_are_allowed(client):
    assert client.post(SEARCH, {"number": "ПК-2026-000001"}).status_code == 405
    assert client.post("/verify/ПК-2026-000001/").status_code == 405
    assert client.head(SEARCH).status_code == 200


@pytest.mark.django_db
def test_rate_limit_per_address_across_both_views(client, certificate, settings):
    settings.PORTAL_VERIFY_RATE_LIMIT = 3
    url = certificate.get_absolute_url()
    assert client.get(url, REMOTE_ADDR="10.0.0.1").status_code == 200
    assert client.get(SEARCH, {"number": "ПК-1999-1"}, REMOTE_ADDR="10.0.0.1").status_code == 404
    assert client.get(url, REMOTE_ADDR="10.0.0.1").status_code == 200

    with CaptureQueriesContext(connection) as queries:
        limited = client.get(url, REMOTE_ADDR="10.0.0.1")
    assert limited.status_code == 429
    assert 0 < int(limited["Retry-After"]) <= settings.PORTAL_VERIFY_RATE_WINDOW
    assert "Too many checks" in limited.content.decode()
    assert not any("certificates_certificate" in query["sql"] for query in queries)
    assert client.get(SEARCH, {"number": "x"}, REMOTE_ADDR="10.0.0.1").status_code == 429

    assert client.get(url, REMOTE_ADDR="10.0.0.2").status_code == 200

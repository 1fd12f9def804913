import datetime as dt
import itertools

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from wagtail.models import PageViewRestriction
from wagtail.test.utils import WagtailPageTestCase

from cms.models import (
    DocumentDownload,
    DocumentIndexPage,
    HomePage,
    NormativeDocumentPage,
    RecommendationIndexPage,
    StandardPage,
)
from tests.cms.test_recommendations import home, make_home, make_pdf  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def doc_index(home):  # noqa: F811
    index = DocumentIndexPage(title="Нормативные документы", slug="documents")
    home.add_child(instance=index)
    index.save_revision().publish()
    return index


@pytest.fixture
def make_document(doc_index):
    counter = itertools.count(1)

    def make(*, live=True, **fields):
        number = next(counter)
        values = {
            "title": f"Приказ о библиотеках № {number}",
            "slug": f"prikaz-{number}",
            "doc_type": "order",
            "level": "regional",
            "number": f"{number}-о",
            "date": dt.date(2024, 1, 1) + dt.timedelta(days=number),
            "issuing_body": "Министерство образования края",
        }
        values.update(fields)
        page = NormativeDocumentPage(**values)
        if not live:
            page.live = False
        doc_index.add_child(instance=page)
        revision = page.save_revision()
        if live:
            revision.publish()
            page.refresh_from_db()
        return page

    return make


def listed_titles(response) -> list[str]:
    return [page.title for page in response.context["page_obj"]]


def site_text(message: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return translation.gettext(message)


class DocumentPageTreeTests(WagtailPageTestCase):
    def test_documents_live_only_in_the_documents_section(self):
        self.assertAllowedParentPageTypes(NormativeDocumentPage, {DocumentIndexPage})
        self.assertAllowedSubpageTypes(NormativeDocumentPage, set())
        self.assertAllowedSubpageTypes(DocumentIndexPage, {NormativeDocumentPage, StandardPage})
        self.assertCanCreateAt(DocumentIndexPage, NormativeDocumentPage)
        self.assertCanNotCreateAt(HomePage, NormativeDocumentPage)
        self.assertCanNotCreateAt(RecommendationIndexPage, NormativeDocumentPage)
        self.assertCanCreateAt(HomePage, DocumentIndexPage)
        self.assertEqual(DocumentIndexPage.max_count, 1)

    def test_document_page_renders(self):
        index = make_home().add_child(
            instance=DocumentIndexPage(title="Документы", slug="documents")
        )
        page = index.add_child(
            instance=NormativeDocumentPage(
                title="О библиотечном деле",
                slug="78-fz",
                doc_type="federal_law",
                level="federal",
                number="78-ФЗ",
                date=dt.date(1994, 12, 29),
                issuing_body="Федеральное Собрание Российской Федерации",
            )
        )
        self.assertPageIsRenderable(page)
        self.assertPageIsRenderable(index)


def test_document_page_shows_requisites_file_and_official_source(client, make_document):
    document = make_pdf("Текст закона", "78-fz.pdf")
    page = make_document(
        title="Федеральный закон «О библиотечном деле»",
        doc_type="federal_law",
        level="federal",
        number="78-ФЗ",
        date=dt.date(1994, 12, 29),
        issuing_body="Федеральное Собрание Российской Федерации",
        file=document,
        official_url="http://pravo.gov.ru/",
        summary="Принципы деятельности библиотек.",
    )
    html = client.get(page.url).content.decode()
    assert "78-ФЗ" in html and "29.12.1994" in html
    assert "Федеральное Собрание Российской Федерации" in html
    assert '<th scope="row">' in html
    assert f'href="{document.url}"' in html
    assert f"({document.file_extension.upper()}, " in html
    assert '<a href="http://pravo.gov.ru/" rel="noopener external">' in html
    assert "normative-document--repealed" not in html
    assert site_text("in force") in html
    # Opening the file from the page counts as a download like any other.
    client.get(document.url)
    assert DocumentDownload.objects.get(document=document).count == 1


def test_repealed_documents_are_marked(client, make_document):
    repealed = make_document(title="Старый приказ о мониторинге", status="repealed")
    current = make_document(title="Новый приказ о мониторинге")

    html = client.get(repealed.url).content.decode()
    assert "normative-document--repealed" in html
    assert f'<span class="badge">{site_text("no longer in force")}</span>' in html

    html = client.get("/documents/").content.decode()
    assert html.count(f'<span class="badge">{site_text("no longer in force")}</span>') == 1
    assert current.title in html


def test_index_sorts_by_date_and_filters(client, make_document):
    law = make_document(
        title="Федеральный закон «Об образовании в Российской Федерации»",
        doc_type="federal_law",
        level="federal",
        number="273-ФЗ",
        date=dt.date(2012, 12, 29),
        issuing_body="Федеральное Собрание Российской Федерации",
    )
    order = make_document(
        title="О проведении краевого мониторинга", number="412-о", date=dt.date(2023, 3, 14)
    )
    old = make_document(
        title="Об организации мониторинга школьных библиотек",
        number="1120",
        date=dt.date(2018, 9, 10),
        status="repealed",
    )
    rules = make_document(
        title="Положение о краевом конкурсе",
        doc_type="regulation",
        level="department",
        number="",
        date=dt.date(2025, 1, 20),
        issuing_body="Отдел методического сопровождения",
    )

    assert listed_titles(client.get("/documents/")) == [
        rules.title,
        order.title,
        old.title,
        law.title,
    ]
    assert listed_titles(client.get("/documents/", {"type": "federal_law"})) == [law.title]
    assert listed_titles(client.get("/documents/", {"level": "regional"})) == [
        order.title,
        old.title,
    ]
    assert listed_titles(client.get("/documents/", {"status": "repealed"})) == [old.title]
    assert listed_titles(client.get("/documents/", {"year": "2023"})) == [order.title]
    assert listed_titles(client.get("/documents/", {"q": "273-фз"})) == [law.title]
    assert listed_titles(client.get("/documents/", {"q": "ОТДЕЛ"})) == [rules.title]
    assert listed_titles(client.get("/documents/", {"q": "мониторинга 1120"})) == [old.title]
    assert listed_titles(
        client.get("/documents/", {"level": "regional", "status": "in_force"})
    ) == [order.title]

    facets = client.get("/documents/").context["facets"]
    assert [(f.value, f.count) for f in facets["years"]] == [
        ("2025", 1),
        ("2023", 1),
        ("2018", 1),
        ("2012", 1),
    ]
    assert [(f.value, f.count) for f in facets["statuses"]] == [("in_force", 3), ("repealed", 1)]


@pytest.mark.parametrize(
    "params",
    [
        {"type": "decree'"},
        {"level": "world"},
        {"status": "<b>"},
        {"year": "20x5"},
        {"year": "0000"},
        {"page": "-1"},
        {"q": "%_\\"},
    ],
)
def test_bad_filter_values_are_ignored(client, make_document, params):
    make_document(title="Единственный документ")
    response = client.get("/documents/", params)
    assert response.status_code == 200
    if "q" not in params:
        assert listed_titles(response) == ["Единственный документ"]
    else:
        assert listed_titles(response) == []


def test_drafts_and_restricted_documents_stay_hidden(client, make_document):
    published = make_document(title="Действующий приказ")
    draft = make_document(title="Проект приказа", live=False)
    private = make_document(title="Служебная записка")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)

    assert listed_titles(client.get("/documents/")) == [published.title]
    assert client.get(f"/documents/{draft.slug}/").status_code == 404


def test_index_queries_do_not_grow_with_the_number_of_documents(
    client, make_document, django_assert_max_num_queries
):
    for _ in range(3):
        make_document(file=make_pdf())
    client.get("/documents/")
    with CaptureQueriesContext(connection) as few:
        assert len(listed_titles(client.get("/documents/"))) == 3
    for _ in range(27):
        make_document(file=make_pdf())
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/documents/")
    assert len(listed_titles(response)) == 20
    assert response.content.decode().count('class="document-link"') == 20

import hashlib
import itertools
import threading

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from wagtail.documents import get_document_model
from wagtail.models import Collection, CollectionViewRestriction, Page, PageViewRestriction, Site
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from cms.demo_content import pdf_bytes
from cms.models import (
    DocumentDownload,
    DocumentIndexPage,
    HomePage,
    NewsIndexPage,
    RecommendationAttachment,
    RecommendationIndexPage,
    RecommendationPage,
    RecommendationRelated,
    StandardPage,
    Topic,
)
from cms.selectors.recommendations import recommendations_latest
from cms.services.content import document_download_record
from core.models import User
from tests.conftest import need, postgres_available

pytestmark = pytest.mark.django_db


def make_pdf(title: str = "Приложение", filename: str = "prilozhenie.pdf"):
    content = pdf_bytes([title, "Demo"])
    document = get_document_model()(
        title=title,
        file_size=len(content),
        file_hash=hashlib.sha1(content, usedforsecurity=False).hexdigest(),
    )
    document.file.save(filename, ContentFile(content), save=False)
    document.save()
    return document


def make_home() -> HomePage:
    """A home page as the default site's root (Wagtail's welcome page stays, unused)."""
    home = Page.get_first_root_node().add_child(instance=HomePage(title="Главная", slug="portal"))
    Site.objects.filter(is_default_site=True).update(root_page=home)
    return home


@pytest.fixture
def home(db):
    return make_home()


@pytest.fixture
def rec_index(home):
    index = RecommendationIndexPage(title="Методические рекомендации", slug="recommendations")
    home.add_child(instance=index)
    index.save_revision().publish()
    return index


@pytest.fixture
def topics(db):
    return {
        slug: Topic.objects.create(name=name, slug=slug, sort_order=order)
        for order, (slug, name) in enumerate(
            [
                ("ibc", "ИБЦ"),
                ("chtenie", "Продвижение чтения"),
                ("fond", "Работа с фондом"),
                ("pusto", "Тема без материалов"),
            ]
        )
    }


@pytest.fixture
def make_recommendation(rec_index):
    counter = itertools.count(1)

    def make(*, live=True, topics=(), attachments=(), related=(), **fields):
        number = next(counter)
        values = {
            "title": f"Рекомендации № {number}",
            "slug": f"rekomendacii-{number}",
            "annotation": "Краткое описание материала для педагогов-библиотекарей.",
            "authors": "Петрова Н. А., методист отдела",
            "kind": "recommendations",
            "audience": "all",
            "year": 2025,
        }
        values.update(fields)
        page = RecommendationPage(
            **values,
            topics=list(topics),
            attachments=[RecommendationAttachment(document=doc) for doc in attachments],
            related_links=[RecommendationRelated(related_page=other) for other in related],
        )
        if not live:
            page.live = False
        rec_index.add_child(instance=page)
        revision = page.save_revision()
        if live:
            revision.publish()
            page.refresh_from_db()
        return page

    return make


def listed_titles(response) -> list[str]:
    return [page.title for page in response.context["page_obj"]]


def en(message: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return translation.gettext(message)


def downloads_label(count: int) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return translation.ngettext("%(counter)s download", "%(counter)s downloads", count) % {
            "counter": count
        }


class RecommendationPageTreeTests(WagtailPageTestCase):
    def test_recommendations_live_only_under_their_index(self):
        self.assertAllowedParentPageTypes(RecommendationPage, {RecommendationIndexPage})
        self.assertAllowedSubpageTypes(RecommendationPage, set())
        self.assertAllowedSubpageTypes(RecommendationIndexPage, {RecommendationPage, StandardPage})
        self.assertCanCreateAt(RecommendationIndexPage, RecommendationPage)
        self.assertCanNotCreateAt(HomePage, RecommendationPage)
        self.assertCanNotCreateAt(DocumentIndexPage, RecommendationPage)
        self.assertCanNotCreateAt(NewsIndexPage, RecommendationPage)
        self.assertCanCreateAt(HomePage, RecommendationIndexPage)
        self.assertCanNotCreateAt(RecommendationIndexPage, RecommendationIndexPage)

    def test_an_editor_creates_a_recommendation_with_files_in_the_admin(self):
        index = make_home().add_child(
            instance=RecommendationIndexPage(title="Рекомендации", slug="recommendations")
        )
        topic = Topic.objects.create(name="ИБЦ", slug="ibc")
        document = make_pdf()
        other = index.add_child(instance=StandardPage(title="Словарь терминов", slug="terms"))
        self.client.force_login(
            User.objects.create_superuser(email="editor@example.org", password="x-2026-pass")
        )
        data = nested_form_data(
            {
                "title": "Библиотечные уроки в колледже",
                "slug": "uroki-v-kolledzhe",
                "authors": "Воронина Т. С.",
                "kind": "manual",
                "audience": "college",
                "year": 2025,
                "tags": "СПО, уроки",
                "annotation": "Сценарии занятий для первокурсников.",
                "body": streamfield([("heading", {"text": "Введение", "level": "h2"})]),
                "attachments": inline_formset(
                    [{"document": document.pk, "title": "Сценарии (PDF)"}]
                ),
                "related_links": inline_formset([{"related_page": other.pk}]),
            }
        )
        data["topics"] = [topic.pk]  # nested_form_data would number a list's items
        self.assertCanCreate(index, RecommendationPage, data)
        page = RecommendationPage.objects.get(slug="uroki-v-kolledzhe")
        assert page.live
        assert list(page.topics.all()) == [topic]
        assert sorted(tag.name for tag in page.tags.all()) == ["СПО", "уроки"]
        assert [a.display_title for a in page.attachments.all()] == ["Сценарии (PDF)"]
        assert [link.related_page_id for link in page.related_links.all()] == [other.pk]
        self.assertPageIsRenderable(page)


def test_page_shows_description_files_with_sizes_and_related_materials(
    client, make_recommendation, topics
):
    document = make_pdf("Приложение к рекомендациям")
    first = make_recommendation(title="Каталогизация для начинающих")
    page = make_recommendation(
        title="Организация ИБЦ в школе",
        authors="Смирнова О. В., заведующая отделом",
        annotation="Как поэтапно превратить библиотеку в ИБЦ.",
        kind="manual",
        audience="school",
        year=2024,
        topics=[topics["ibc"]],
        attachments=[document],
        related=[first],
        body=[{"type": "heading", "value": {"text": "Зоны ИБЦ", "level": "h2"}}],
    )
    page.tags.add("зонирование")
    page.save_revision().publish()

    html = client.get(page.url).content.decode()
    assert "Смирнова О. В., заведующая отделом" in html
    assert "Как поэтапно превратить библиотеку в ИБЦ." in html
    assert "<h2>Зоны ИБЦ</h2>" in html
    assert "зонирование" in html
    assert 'href="/recommendations/?topic=ibc"' in html
    assert f'href="{document.url}"' in html
    assert "PDF" in html and downloads_label(0) in html
    assert f'href="{first.url}"' in html
    # Breadcrumbs lead back to the section.
    assert '<a href="/recommendations/">Методические рекомендации</a>' in html


def test_downloads_through_files_url_are_counted_and_shown(client, make_recommendation):
    document = make_pdf()
    page = make_recommendation(attachments=[document])
    assert document.url == f"/files/{document.pk}/{document.filename}"

    for _ in range(3):
        response = client.get(document.url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert DocumentDownload.objects.get(document=document).count == 3
    assert client.head(document.url).status_code == 200
    assert DocumentDownload.objects.get(document=document).count == 3

    assert downloads_label(3) in client.get(page.url).content.decode()


def test_downloads_turned_away_by_a_collection_restriction_are_not_counted(client, make_user):
    private = Collection.get_first_root_node().add_child(name="Для членов МО")
    CollectionViewRestriction.objects.create(
        collection=private, restriction_type=CollectionViewRestriction.LOGIN
    )
    document = make_pdf()
    document.collection = private
    document.save()

    assert client.get(document.url).status_code == 302
    assert not DocumentDownload.objects.filter(document=document).exists()

    client.force_login(make_user("participant"))
    response = client.get(document.url)
    assert response.status_code == 200
    assert DocumentDownload.objects.get(document=document).count == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_first_downloads_lose_no_count():
    need(postgres_available(), "concurrent writers need PostgreSQL")
    document = make_pdf()
    barrier = threading.Barrier(8)
    errors = []

    def download():
        try:
            barrier.wait()
            for _ in range(5):
                document_download_record(document_id=document.pk)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=download) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert DocumentDownload.objects.get(document=document).count == 40


def test_index_filters_by_topic_kind_audience_year_and_text(client, make_recommendation, topics):
    reading = make_recommendation(
        title="Читательский клуб в колледже",
        topics=[topics["chtenie"]],
        kind="manual",
        audience="college",
        year=2023,
    )
    fund = make_recommendation(
        title="Списание документов фонда",
        authors="Морозова И. Г.",
        topics=[topics["fond"], topics["ibc"]],
        kind="memo",
        audience="school",
        year=2022,
    )
    both = make_recommendation(
        title="Зоны ИБЦ",
        annotation="Пространство для всех читателей школы и колледжа.",
        topics=[topics["ibc"]],
        audience="all",
        year=2025,
    )

    assert listed_titles(client.get("/recommendations/")) == [both.title, reading.title, fund.title]
    assert listed_titles(client.get("/recommendations/", {"topic": "ibc"})) == [
        both.title,
        fund.title,
    ]
    assert listed_titles(client.get("/recommendations/", {"kind": "memo"})) == [fund.title]
    assert listed_titles(client.get("/recommendations/", {"year": "2023"})) == [reading.title]
    # Materials for schools and colleges show up under either audience.
    assert listed_titles(client.get("/recommendations/", {"audience": "college"})) == [
        both.title,
        reading.title,
    ]
    # Text search ignores case, in Cyrillic too, and looks at annotations and authors.
    assert listed_titles(client.get("/recommendations/", {"q": "СПИСАНИЕ"})) == [fund.title]
    assert listed_titles(client.get("/recommendations/", {"q": "пространство"})) == [both.title]
    assert listed_titles(client.get("/recommendations/", {"q": "морозова"})) == [fund.title]
    assert listed_titles(client.get("/recommendations/", {"q": "клуб колледже"})) == [reading.title]
    assert listed_titles(client.get("/recommendations/", {"topic": "ibc", "kind": "memo"})) == [
        fund.title
    ]

    response = client.get("/recommendations/")
    facets = response.context["facets"]
    assert [(f.value, f.count) for f in facets["topics"]] == [
        ("ibc", 2),
        ("chtenie", 1),
        ("fond", 1),
    ]
    assert [(f.value, f.count) for f in facets["years"]] == [("2025", 1), ("2023", 1), ("2022", 1)]
    assert {f.value: f.count for f in facets["audiences"]} == {
        "school": 2,
        "college": 2,
        "all": 1,
    }


@pytest.mark.parametrize(
    "params",
    [
        {"topic": "no-such-topic"},
        {"topic": "pusto"},
        {"kind": "<script>"},
        {"audience": "everyone"},
        {"year": "abc"},
        {"year": "٢٠٢٤"},
        {"year": "99999999999999999999"},
        {"page": "abc"},
        {"page": "9999"},
        {"q": "x" * 5000},
        {"q": "   "},
    ],
)
def test_bad_filter_values_are_ignored(client, make_recommendation, params):
    make_recommendation(title="Единственный материал")
    response = client.get("/recommendations/", params)
    assert response.status_code == 200
    if "q" not in params or not params["q"].strip():
        assert listed_titles(response) == ["Единственный материал"]


def test_drafts_and_restricted_pages_stay_hidden(client, make_recommendation):
    published = make_recommendation(title="Опубликованный материал")
    draft = make_recommendation(title="Черновик рекомендаций", live=False)
    private = make_recommendation(title="Материал для своих")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)

    response = client.get("/recommendations/")
    assert listed_titles(response) == [published.title]
    assert "Черновик" not in response.content.decode()
    assert client.get("/recommendations/rekomendacii-2/").status_code == 404
    assert Page.objects.get(pk=draft.pk).live is False
    assert [page.title for page in recommendations_latest()] == [published.title]


def test_index_queries_do_not_grow_with_the_number_of_recommendations(
    client, make_recommendation, topics, django_assert_max_num_queries
):
    def add(count):
        for _ in range(count):
            make_recommendation(topics=[topics["ibc"], topics["fond"]], attachments=[])

    add(3)
    client.get("/recommendations/")  # warm the site-root cache like a running site
    with CaptureQueriesContext(connection) as few:
        assert len(listed_titles(client.get("/recommendations/"))) == 3
    add(27)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/recommendations/")
    assert len(listed_titles(response)) == 12
    assert response.content.decode().count('class="card recommendation-card"') == 12
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/recommendations/", {"topic": "ibc", "page": "3"}).status_code == 200


def test_index_paginates_twelve_per_page_keeping_filters(client, make_recommendation):
    for _ in range(14):
        make_recommendation(kind="memo")
    response = client.get("/recommendations/", {"kind": "memo"})
    html = response.content.decode()
    assert len(listed_titles(response)) == 12
    assert "kind=memo&amp;page=2" in html
    assert len(listed_titles(client.get("/recommendations/", {"kind": "memo", "page": 2}))) == 2


def test_index_announces_its_feeds(client, rec_index):
    html = client.get("/recommendations/").content.decode()
    assert '<link rel="alternate" type="application/rss+xml"' in html
    assert 'href="/recommendations/rss/"' in html
    assert 'href="/recommendations/atom/"' in html


def test_home_section_template_lists_the_latest(make_recommendation, topics):
    for number in range(5):
        make_recommendation(title=f"Материал {number}", topics=[topics["ibc"]])
    latest = recommendations_latest(limit=4)
    assert [page.title for page in latest] == [f"Материал {n}" for n in (4, 3, 2, 1)]
    html = render_to_string(
        "cms/includes/home_recommendations.html",
        {"data": {"recommendations": latest, "index_url": "/recommendations/"}},
    )
    assert html.count("<h3>") == 4
    assert 'href="/recommendations/?topic=ibc"' in html
    assert en("Topics") in html


def test_demo_content_is_complete_idempotent_and_renders(client, home):
    from wagtail.models import Revision

    from cms.demo_content import seed_recommendations_and_documents
    from cms.models import NormativeDocumentPage

    for page in (
        RecommendationIndexPage(title="Методические рекомендации", slug="recommendations"),
        DocumentIndexPage(title="Нормативные документы", slug="documents"),
    ):
        home.add_child(instance=page)
        page.save_revision().publish()
    logged = []
    seed_recommendations_and_documents(logged.append)

    def snapshot():
        return (
            Page.objects.count(),
            Revision.objects.count(),
            Topic.objects.count(),
            get_document_model().objects.count(),
        )

    before = snapshot()
    seed_recommendations_and_documents(logged.append)
    assert snapshot() == before
    assert len(logged) == 2

    recommendations = RecommendationPage.objects.live()
    assert Topic.objects.count() >= 12
    assert recommendations.count() >= 10
    assert {page.kind for page in recommendations} == {
        "recommendations",
        "manual",
        "collection",
        "memo",
    }
    assert {page.audience for page in recommendations} >= {"school", "college"}
    assert {page.year for page in recommendations} <= set(range(2022, 2027))
    assert all(page.has_unpublished_changes is False for page in recommendations)
    assert any(block.block_type == "table" for page in recommendations for block in page.body)
    with_files = RecommendationAttachment.objects.select_related("document")
    assert with_files.count() >= 3
    for attachment in with_files:
        content = attachment.document.file.read()
        attachment.document.file.close()
        # A valid PDF: every xref entry points at its object.
        assert content.startswith(b"%PDF-1.4") and content.rstrip().endswith(b"%%EOF")
        xref_at = int(content.rsplit(b"startxref", 1)[1].split()[0])
        entries = content[xref_at:].split(b"\n")[3:8]
        for number, entry in enumerate(entries, start=1):
            offset = int(entry.split()[0])
            assert content[offset:].startswith(b"%d 0 obj" % number)

    documents = NormativeDocumentPage.objects.live()
    assert documents.count() >= 10
    assert documents.filter(status="repealed").count() >= 1
    assert documents.filter(number="273-ФЗ", date="2012-12-29").exists()

    for path in ("/recommendations/", "/documents/"):
        assert client.get(path).status_code == 200
    for page in [*recommendations, *documents]:
        response = client.get(page.url)
        assert response.status_code == 200, page.url
    assert client.get("/recommendations/rss/").status_code == 200


def test_topics_are_managed_as_snippets_in_the_admin(client, topics):
    client.force_login(
        User.objects.create_superuser(email="admin@example.org", password="x-2026-pass")
    )
    response = client.get("/admin/snippets/cms/topic/", {"q": "чтени"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Продвижение чтения" in html and "Работа с фондом" not in html
    response = client.post(
        "/admin/snippets/cms/topic/add/", {"name": "Краеведение", "slug": "kraevedenie"}
    )
    assert response.status_code == 302
    assert Topic.objects.filter(slug="kraevedenie").exists()

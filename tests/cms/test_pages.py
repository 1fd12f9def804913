import pytest
from django.core.management import call_command
from wagtail.models import Page, Revision
from wagtail.test.utils import WagtailPageTestCase

from cms.models import (
    AssociationIndexPage,
    ConsultationIndexPage,
    DocumentIndexPage,
    HomePage,
    NewsIndexPage,
    NewsPage,
    PracticeIndexPage,
    RecommendationIndexPage,
    StandardPage,
)
from core.models import ConsentDocument, District, Organisation, User
from lms.models import CourseIndexPage, EventIndexPage

CONTRACT_PATHS = [
    "/courses/",
    "/events/",
    "/recommendations/",
    "/practices/",
    "/documents/",
    "/consultations/",
    "/association/",
]


@pytest.mark.django_db
def test_demo_creates_the_contract_pages(client, demo_site):
    for path in CONTRACT_PATHS:
        response = client.get(path)
        assert response.status_code == 200, path
        assert b'aria-label="' in response.content


@pytest.mark.django_db
def test_seed_demo_is_idempotent(demo_site):
    def snapshot():
        return (
            Page.objects.count(),
            Revision.objects.count(),
            User.objects.count(),
            Organisation.objects.count(),
            District.objects.count(),
            ConsentDocument.objects.count(),
            list(User.objects.values_list("password", flat=True)),
        )

    before = snapshot()
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert snapshot() == before


class PageTreeRulesTests(WagtailPageTestCase):
    def test_home_is_a_singleton_at_the_root(self):
        self.assertEqual(HomePage.max_count, 1)
        self.assertAllowedParentPageTypes(HomePage, {Page})

    def test_sections_live_under_home(self):
        for section in (
            NewsIndexPage,
            RecommendationIndexPage,
            PracticeIndexPage,
            DocumentIndexPage,
            ConsultationIndexPage,
            AssociationIndexPage,
            CourseIndexPage,
            EventIndexPage,
        ):
            self.assertAllowedParentPageTypes(section, {HomePage})
            self.assertEqual(section.max_count, 1)

    def test_news_only_under_news_index(self):
        self.assertAllowedParentPageTypes(NewsPage, {NewsIndexPage})
        self.assertAllowedSubpageTypes(NewsPage, set())
        self.assertCanNotCreateAt(HomePage, NewsPage)

    def test_standard_pages_can_be_created_under_home(self):
        self.assertCanCreateAt(HomePage, StandardPage)


@pytest.mark.django_db
def test_every_demo_page_renders(client, demo_site):
    for page in Page.objects.live().public().filter(depth__gt=1).specific():
        response = client.get(page.url)
        assert response.status_code == 200, page.url
        assert page.title.encode() in response.content or page.depth == 2
    private = Page.objects.live().not_public()
    assert private.exists()
    for page in private:
        # Members-only pages send anonymous visitors to the sign-in page.
        assert client.get(page.url).status_code == 302, page.url


@pytest.mark.django_db
def test_news_page_breadcrumbs_and_index_paginates(client, demo_site):
    response = client.get("/news/status-ibc-2026/")
    html = response.content.decode()
    assert (
        'aria-label="Breadcrumbs"' in html
        or "Навигационная цепочка" in html
        or "breadcrumbs" in html
    )
    assert 'href="/news/"' in html
    response = client.get("/news/", {"page": "abc"})
    assert response.status_code == 200
    assert len(response.context["page_obj"]) == 3

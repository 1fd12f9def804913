"""The best-practice library: listing, practice page, proposal form and its service."""

import datetime as dt
import io
import uuid

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase

from cms import signals  # noqa: F401  (receivers connect on import, as CmsConfig.ready does)
from cms.demo import home_page
from cms.models import HomePage, PracticeIndexPage, PracticePage, PracticeProposal, StandardPage
from cms.selectors.practices import (
    practice_cabinet_sections,
    practice_home_sections,
    practice_organisation_sections,
)
from cms.services.editorial import editorial_workflow_ensure
from cms.services.practices import ProposalRefused, practice_propose
from core.models import Consent, ConsentDocument, Membership
from tests.factories import DistrictFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

SUBMIT = "/practices/submit/"


# --- fixtures and helpers -----------------------------------------------------


@pytest.fixture
def practice_index(db):
    home = home_page()
    index = PracticeIndexPage(title="Лучшие практики", slug="practices")
    home.add_child(instance=index)
    index.save_revision().publish()
    editorial_workflow_ensure()
    return index


@pytest.fixture
def publish_name_consent(db):
    return ConsentDocument.objects.create(
        purpose="publish_name",
        version="1.0",
        title="Согласие на публикацию ФИО",
        text="Я согласна на публикацию моих фамилии, имени и отчества.",
        published_at=timezone.now() - dt.timedelta(days=1),
    )


@pytest.fixture
def school(db):
    return OrganisationFactory(
        name="МБОУ «СОШ № 7»", district=DistrictFactory(name="Заречный район")
    )


@pytest.fixture
def librarian(make_user, school):
    user = make_user("participant", email="librarian@example.org", last_name="Соколова")
    Membership.objects.create(user=user, organisation=school)
    return user


@pytest.fixture
def make_practice(practice_index):
    counter = iter(range(1, 10_000))

    def make(**fields) -> PracticePage:
        number = next(counter)
        defaults = {
            "title": f"Практика № {number}",
            "slug": f"practice-{number}",
            "annotation": "Опыт школьной библиотеки.",
            "category": "reading",
        }
        defaults.update(fields)
        page = PracticePage(**defaults)
        practice_index.add_child(instance=page)
        page.save_revision().publish()
        page.refresh_from_db()
        return page

    return make


def pdf_file(name="opisanie.pdf", size=0) -> SimpleUploadedFile:
    content = b"%PDF-1.4\n1 0 obj<< /Type /Catalog >>endobj\ntrailer<<>>\n%%EOF\n"
    return SimpleUploadedFile(name, content + b"%" * size, content_type="application/pdf")


def png_file(name="oblozhka.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    PILImage.new("RGB", (32, 18), "teal").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def form_data(organisation, **overrides) -> dict:
    data = {
        "submission_key": str(uuid.uuid4()),
        "title": "Громкие чтения на переменах",
        "organisation": organisation.pk,
        "category": "reading",
        "annotation": "Старшеклассники читают вслух младшим.",
        "description": "Первый абзац <b>без</b> разметки.\n\nВторой абзац.",
        "cover_alt": "Дети читают книгу в библиотеке",
    }
    data.update(overrides)
    return data


# --- page tree ------------------------------------------------------------------


class PracticePageTreeTests(WagtailPageTestCase):
    def test_practices_live_only_in_the_library(self):
        self.assertCanCreateAt(PracticeIndexPage, PracticePage)
        self.assertCanNotCreateAt(HomePage, PracticePage)
        self.assertCanNotCreateAt(StandardPage, PracticePage)
        self.assertCanNotCreateAt(PracticePage, PracticePage)
        self.assertAllowedParentPageTypes(PracticePage, {PracticeIndexPage})
        self.assertAllowedSubpageTypes(PracticePage, set())

    def test_practice_page_is_renderable(self):
        home = home_page()
        index = PracticeIndexPage(title="Лучшие практики", slug="practices")
        home.add_child(instance=index)
        practice = PracticePage(title="Квест", slug="kvest", annotation="Игра.")
        index.add_child(instance=practice)
        self.assertPageIsRenderable(practice)
        self.assertPageIsRenderable(index)
        self.assertPageIsRenderable(index, route_path="/submit/", accept_redirect=True)


# --- listing ------------------------------------------------------------------------


def test_listing_filters_by_category_district_kind_and_text(client, make_practice):
    north = DistrictFactory(name="Северный округ")
    south = DistrictFactory(name="Южный округ")
    school = OrganisationFactory(district=north, kind="school")
    college = OrganisationFactory(district=south, kind="college", name="Колледж сервиса")
    reading = make_practice(title="Читательский марафон", category="reading", organisation=school)
    digital = make_practice(
        title="Электронный каталог",
        category="digital",
        organisation=college,
        annotation="Студенты бронируют книги с телефона.",
    )

    def titles(**params):
        body = client.get("/practices/", params).content.decode()
        return {page.title for page in (reading, digital) if page.title in body}

    assert titles() == {reading.title, digital.title}
    assert titles(category="digital") == {digital.title}
    assert titles(district=north.pk) == {reading.title}
    assert titles(kind="college") == {digital.title}
    # Case does not matter, Cyrillic included, and the annotation is searched too.
    assert titles(q="МАРАФОН") == {reading.title}
    assert titles(q="бронируют") == {digital.title}
    assert titles(organisation=college.pk) == {digital.title}
    # Malformed filter values are ignored, not errors.
    response = client.get("/practices/", {"district": "x", "category": "<script>", "page": "z"})
    assert response.status_code == 200
    assert titles(district="x") == {reading.title, digital.title}


def test_listing_queries_do_not_grow_with_the_number_of_practices(
    client, make_practice, django_assert_max_num_queries
):
    organisation = OrganisationFactory()
    for _ in range(3):
        make_practice(organisation=organisation)
    client.get("/practices/")  # warm the site-root cache like any running site
    with CaptureQueriesContext(connection) as few:
        client.get("/practices/")
    for _ in range(27):
        make_practice(organisation=OrganisationFactory())
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/practices/")
    assert response.content.decode().count('class="card practice-card') == 12
    last = client.get("/practices/", {"page": 3}).content.decode()
    assert last.count('class="card practice-card') == 6


def test_practice_page_shows_organisation_author_cover_and_files(client, make_practice, school):
    image = get_image_model().objects.create(
        title="Обложка", description="Читальный зал после ремонта", file=_image_file()
    )
    document = get_document_model().objects.create(
        title="Сценарий квеста", file=SimpleUploadedFile("scenario.pdf", b"%PDF-1.4 x")
    )
    practice = make_practice(
        title="Квест в библиотеке",
        organisation=school,
        author_name="Соколова Анна Петровна",
        cover_image=image,
    )
    practice.attachments.create(document=document)
    practice.save_revision().publish()
    html = client.get(practice.url).content.decode()
    assert f'href="/organisations/{school.pk}/"' in html
    assert school.district.name in html
    assert "Соколова Анна Петровна" in html
    assert 'alt="Читальный зал после ремонта"' in html
    assert "Сценарий квеста" in html and document.url in html

    anonymous = make_practice(title="Без автора", organisation=school)
    html = client.get(anonymous.url).content.decode()
    assert "Соколова" not in html


def _image_file():
    upload = png_file("cover.png")
    return SimpleUploadedFile(upload.name, upload.read(), content_type="image/png")


# --- proposal form ------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_sign_in(client, practice_index):
    response = client.get(SUBMIT)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert "next=/practices/submit/" in response["Location"]
    response = client.post(SUBMIT, {"title": "x"})
    assert response.status_code == 302
    assert not PracticeProposal.objects.exists()


def test_proposal_creates_a_draft_in_moderation_with_files_and_consent(
    client, practice_index, librarian, school, publish_name_consent, mailoutbox
):
    client.force_login(librarian)
    form = client.get(SUBMIT)
    assert form.status_code == 200
    assert 'enctype="multipart/form-data"' in form.content.decode()
    response = client.post(
        SUBMIT,
        form_data(
            school,
            files=[pdf_file(), png_file("foto.png")],
            cover=png_file(),
            publish_name="on",
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    proposal = PracticeProposal.objects.get()
    page = proposal.page
    assert proposal.author == librarian and proposal.status == "moderation"
    assert proposal.publish_name is True
    assert page.live is False and page.get_parent().pk == practice_index.pk
    assert page.organisation == school and page.submitted_by == librarian
    assert page.author_name == librarian.get_full_name()
    assert page.get_latest_revision() is not None
    assert page.current_workflow_state.status == "in_progress"
    # The description is escaped text in paragraphs, never markup.
    paragraphs = [block.value.source for block in page.body]
    assert paragraphs == [
        "<p>Первый абзац &lt;b&gt;без&lt;/b&gt; разметки.</p>",
        "<p>Второй абзац.</p>",
    ]
    documents = [attachment.document for attachment in page.attachments.all()]
    assert len(documents) == 2
    assert {document.collection.name for document in documents} == {"Предложенные практики"}
    assert all(document.file_size for document in documents)
    assert page.cover_image.description == "Дети читают книгу в библиотеке"
    assert page.cover_image.width == 32
    assert Consent.objects.filter(user=librarian, purpose="publish_name").exists()
    # Wagtail's own emails to the (non-admin) author are off: ours replace them.
    profile = librarian.wagtail_userprofile
    assert not profile.approved_notifications and not profile.rejected_notifications


def test_name_is_kept_private_without_the_consent(
    client, practice_index, librarian, school, publish_name_consent
):
    client.force_login(librarian)
    client.post(SUBMIT, form_data(school))
    page = PracticeProposal.objects.get().page
    assert page.author_name == ""
    assert not Consent.objects.filter(user=librarian, purpose="publish_name").exists()


def test_draft_is_not_visible_to_visitors_or_listed(client, practice_index, librarian, school):
    client.force_login(librarian)
    client.post(SUBMIT, form_data(school, title="Черновик практики"))
    page = PracticeProposal.objects.get().page
    client.logout()
    assert client.get(f"/practices/{page.slug}/").status_code == 404
    assert "Черновик практики" not in client.get("/practices/").content.decode()


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("program.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200),
        SimpleUploadedFile("notes.pdf", "Просто текст, а не PDF".encode()),
    ],
    ids=["exe", "text"],
)
def test_file_of_a_wrong_type_by_content_is_refused(
    client, practice_index, librarian, school, upload
):
    client.force_login(librarian)
    data = form_data(school, title="Моя практика", files=[upload])
    response = client.post(SUBMIT, data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "files" in errors and upload.name in errors["files"][0]
    html = response.content.decode()
    # What was typed stays; the note explains why the files must be chosen again.
    assert 'value="Моя практика"' in html and "Старшеклассники читают вслух младшим." in html
    assert response.context["form"].non_field_errors()
    assert not PracticeProposal.objects.exists() and not PracticePage.objects.exists()


def test_oversized_and_too_many_files_are_refused(
    client, practice_index, librarian, school, settings
):
    settings.PORTAL_UPLOAD_MAX_SIZE = 100
    client.force_login(librarian)
    response = client.post(SUBMIT, form_data(school, files=[pdf_file(size=200)]))
    assert "files" in response.context["form"].errors
    settings.PORTAL_UPLOAD_MAX_SIZE = 10_000
    settings.PORTAL_UPLOAD_MAX_FILES = 2
    response = client.post(
        SUBMIT, form_data(school, files=[pdf_file("a.pdf"), pdf_file("b.pdf"), pdf_file("c.pdf")])
    )
    assert "files" in response.context["form"].errors
    response = client.post(SUBMIT, form_data(school, cover=pdf_file("cover.png")))
    assert "cover" in response.context["form"].errors
    assert not PracticePage.objects.exists()
    assert not get_document_model().objects.exists()


def test_forged_organisation_is_refused_and_nothing_is_created(client, practice_index, librarian):
    stranger = OrganisationFactory(name="Чужая школа")
    client.force_login(librarian)
    response = client.post(SUBMIT, form_data(stranger))
    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors
    assert not PracticeProposal.objects.exists() and not PracticePage.objects.exists()
    # The service checks the membership itself too.
    with pytest.raises(ProposalRefused):
        practice_propose(
            user=librarian,
            organisation=stranger,
            title="Чужая практика",
            category="reading",
            annotation="…",
            description="…",
            files=[],
            cover=None,
            publish_name=False,
            submission_key=uuid.uuid4(),
        )
    assert not PracticePage.objects.exists()


def test_user_without_organisation_is_told_how_to_link_one(client, practice_index, make_user):
    client.force_login(make_user("participant"))
    response = client.get(SUBMIT)
    assert response.status_code == 200
    assert response.context["has_organisations"] is False
    assert "/cabinet/profile/" in response.content.decode()


def test_double_submit_creates_one_practice(client, practice_index, librarian, school):
    client.force_login(librarian)
    data = form_data(school)
    first = client.post(SUBMIT, {**data, "files": [pdf_file()]})
    second = client.post(SUBMIT, {**data, "files": [pdf_file()]})
    assert first.status_code == second.status_code == 302
    assert PracticeProposal.objects.count() == 1
    assert PracticePage.objects.count() == 1
    assert get_document_model().objects.count() == 1
    # Another user replaying the same key gets nothing of the first author's.
    other = OrganisationFactory()
    intruder = Membership.objects.create(
        user=librarian.__class__.objects.create_user(email="x@example.org", password="p-2026-x"),
        organisation=other,
    ).user
    with pytest.raises(ProposalRefused):
        practice_propose(
            user=intruder,
            organisation=other,
            title="Повтор",
            category="reading",
            annotation="…",
            description="…",
            files=[],
            cover=None,
            publish_name=False,
            submission_key=uuid.UUID(data["submission_key"]),
        )


# --- registry contributions -------------------------------------------------------------


def _request(user=None):
    request = RequestFactory().get("/")
    request.user = user or AnonymousUser()
    return request


def test_cabinet_section_lists_proposals_in_constant_queries(
    practice_index, librarian, school, django_assert_max_num_queries
):
    def propose(number):
        proposal, _ = practice_propose(
            user=librarian,
            organisation=school,
            title=f"Практика {number}",
            category="reading",
            annotation="…",
            description="…",
            files=[],
            cover=None,
            publish_name=False,
            submission_key=uuid.uuid4(),
        )
        return proposal

    def render():
        (section,) = practice_cabinet_sections(_request(librarian))
        return render_to_string(section.template, {"data": section.context})

    published = propose(0)
    published.page.save_revision().publish()
    propose(1)
    render()
    with CaptureQueriesContext(connection) as few:
        html = render()
    assert published.page.url in html
    for number in range(2, 12):
        propose(number).page.save_revision().publish()
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = render()
    assert html.count("<li>") == 12


def test_home_and_organisation_sections_show_published_practices(make_practice, school):
    assert practice_home_sections(_request()) == []
    mine = make_practice(title="Наша практика", organisation=school)
    other = make_practice(title="Соседская практика", organisation=OrganisationFactory())
    (home,) = practice_home_sections(_request())
    assert {page.pk for page in home.context["practices"]} == {mine.pk, other.pk}
    (profile,) = practice_organisation_sections(_request(), school)
    assert [page.pk for page in profile.context["practices"]] == [mine.pk]
    html = render_to_string(profile.template, {"data": profile.context})
    assert "Наша практика" in html and "Соседская практика" not in html
    assert practice_organisation_sections(_request(), OrganisationFactory()) == []


def test_demo_practices_are_seeded_once(db, roles):
    from cms import demo as cms_demo
    from cms.demo_practices import seed_practices
    from core import demo as core_demo

    def log(message):
        return None

    core_demo.seed(log)
    cms_demo.seed(log)
    seed_practices(log)
    snapshot = (Page.objects.count(), PracticeProposal.objects.count())
    seed_practices(log)
    assert (Page.objects.count(), PracticeProposal.objects.count()) == snapshot
    assert PracticePage.objects.live().count() >= 10
    assert PracticePage.objects.live().exclude(author_name="").exists()
    statuses = set(PracticeProposal.objects.values_list("status", flat=True))
    assert statuses == {"moderation", "changes"}
    returned = PracticeProposal.objects.get(status="changes")
    assert returned.editor_comment

"""Consultation desk, the librarian's side: the FAQ pages, asking, my questions, attachments.

Real files go through the real upload checks into the private storage; the
only way back out is the permission-checked attachment view.
"""

import datetime as dt
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.test.utils import WagtailPageTestCase

from cms.consultations.models import ConsultationAnswerPage, Question, QuestionStatus
from cms.consultations.services import (
    question_answer,
    question_ask,
    question_publish_faq,
    question_text_anonymised,
    text_anonymise,
)
from cms.models import ConsultationIndexPage, HomePage, StandardPage, Topic
from core.models import Consent, ConsentDocument, Notification
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

QUESTION = (
    "Здравствуйте! Я Белова Светлана Игоревна, библиотекарь. Как списать учебники, "
    "исключённые из федерального перечня? Звоните: +7 (913) 555-12-34, пишите на "
    "belova.si@example.org."
)


def pdf_bytes() -> bytes:
    """A valid one-page PDF with a correct cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref_at = len(out)
    out += b"xref\n0 4\n0000000000 65535 f \n"
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


def publish(page):
    page.save_revision().publish()
    page.refresh_from_db()
    return page


@pytest.fixture
def consent_text(db):
    return ConsentDocument.objects.create(
        purpose="personal_data",
        version="1.0",
        title="Согласие на обработку персональных данных",
        text="Я даю согласие на обработку моих персональных данных.",
        published_at=timezone.now() - dt.timedelta(days=1),
    )


@pytest.fixture
def index(db):
    root = Site.objects.get(is_default_site=True).root_page
    page = ConsultationIndexPage(title="Консультации", slug="consultations")
    root.add_child(instance=page)
    return publish(page)


@pytest.fixture
def topic(db):
    return Topic.objects.create(name="Работа с фондом", slug="rabota-s-fondom")


@pytest.fixture
def asker(make_user, consent_text):
    user = make_user(
        "participant",
        email="belova.si@example.org",
        last_name="Белова",
        first_name="Светлана",
        patronymic="Игоревна",
    )
    MembershipFactory(user=user, organisation=OrganisationFactory(name="МБОУ «Ключевская ООШ»"))
    return user


@pytest.fixture
def methodist(make_user):
    return make_user("methodist", email="metodist@example.org", last_name="Кузнецова")


def ask(asker, topic, *, text=QUESTION, attachment=None, kind=""):
    question, _created = question_ask(
        asker=asker,
        topic=topic,
        text=text,
        client_token=uuid.uuid4(),
        attachment=attachment,
        attachment_kind=kind,
        consent_given=True,
    )
    return question


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def ask_url(index) -> str:
    return index.url + "ask/"


def form_data(topic, **extra) -> dict:
    return {
        "client_token": str(uuid.uuid4()),
        "topic": topic.pk,
        "text": QUESTION,
        "consent": "on",
        **extra,
    }


# --- the page tree ----------------------------------------------------------------


class ConsultationPageTreeTests(WagtailPageTestCase):
    def test_faq_entries_live_only_under_the_consultation_desk(self):
        self.assertAllowedSubpageTypes(
            ConsultationIndexPage, {StandardPage, ConsultationAnswerPage}
        )
        self.assertAllowedParentPageTypes(ConsultationAnswerPage, {ConsultationIndexPage})
        self.assertAllowedSubpageTypes(ConsultationAnswerPage, set())
        self.assertCanCreateAt(ConsultationIndexPage, ConsultationAnswerPage)
        self.assertCanNotCreateAt(HomePage, ConsultationAnswerPage)
        self.assertCanNotCreateAt(Page, ConsultationAnswerPage)
        self.assertCanNotCreateAt(ConsultationAnswerPage, ConsultationAnswerPage)
        self.assertEqual(ConsultationIndexPage.max_count, 1)

    def test_both_page_types_render(self):
        root = Site.objects.get(is_default_site=True).root_page
        index = ConsultationIndexPage(title="Консультации", slug="consultations")
        root.add_child(instance=index)
        entry = ConsultationAnswerPage(
            title="Как списать учебники?",
            slug="kak-spisat",
            question_text="Как списать учебники, исключённые из перечня?",
            answer=[{"type": "paragraph", "value": "<p>По акту комиссии.</p>"}],
        )
        index.add_child(instance=entry)
        self.assertPageIsRenderable(index)
        self.assertPageIsRenderable(entry)
        for route in ("ask/", "my/", "queue/"):
            self.assertPageIsRoutable(index, route)


# --- the public FAQ -------------------------------------------------------------------


def make_entry(index, number: int, topic=None, **fields) -> ConsultationAnswerPage:
    entry = ConsultationAnswerPage(
        title=fields.pop("title", f"Вопрос о фонде № {number}"),
        slug=f"vopros-{number}",
        question_text=fields.pop("question_text", "Как учитывать подарочные издания?"),
        answer=[{"type": "paragraph", "value": "<p>По накладной или акту приёма.</p>"}],
        topic=topic,
        **fields,
    )
    index.add_child(instance=entry)
    return publish(entry)


def test_faq_list_filters_by_topic_and_text(client, index, topic):
    other = Topic.objects.create(name="Нормативная база", slug="normativnaya-baza")
    fund = make_entry(index, 1, topic, title="Как списать учебники?")
    law = make_entry(index, 2, other, title="Сверка с Федеральным списком")

    body = client.get(index.url).content.decode()
    assert fund.title in body and law.title in body
    assert "Задать вопрос" in body or "Ask a question" in body

    body = client.get(index.url, {"topic": other.slug}).content.decode()
    assert law.title in body and fund.title not in body

    body = client.get(index.url, {"q": "сверка"}).content.decode()
    assert law.title in body and fund.title not in body
    assert client.get(index.url, {"page": "abc", "topic": "no-such"}).status_code == 200


def test_faq_list_queries_do_not_grow_with_the_number_of_entries(
    client, index, topic, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for number in range(3):
        make_entry(index, number, topic)
    with CaptureQueriesContext(connection) as few:
        client.get(index.url)
    for number in range(3, 30):
        make_entry(index, number, topic)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(index.url)
    assert response.content.decode().count('class="card faq-entry"') == 15


def test_draft_and_private_faq_entries_are_hidden(client, index, topic, make_user):
    draft = ConsultationAnswerPage(
        title="Черновик ответа о дарах",
        slug="draft",
        question_text="Можно ли принимать дары?",
        answer=[{"type": "paragraph", "value": "<p>Да.</p>"}],
        topic=topic,
        live=False,
    )
    index.add_child(instance=draft)
    draft.save_revision()
    private = make_entry(index, 2, topic, title="Ответ только для сотрудников")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)

    body = client.get(index.url).content.decode()
    assert draft.title not in body and private.title not in body
    assert client.get(draft.url or f"{index.url}draft/").status_code == 404
    response = client.get(private.url)
    assert response.status_code == 302 and "/login" in response["Location"]

    participant = login(make_user("participant"))
    assert participant.get(f"{index.url}draft/").status_code == 404
    assert draft.title not in participant.get(index.url).content.decode()


def test_an_unpublished_or_private_desk_shows_nothing(client, index, topic, make_user):
    entry = make_entry(index, 1, topic, title="Ответ о дарах")
    PageViewRestriction.objects.create(
        page=index, restriction_type=PageViewRestriction.PASSWORD, password="секрет"
    )
    for url in (index.url, entry.url):
        body = client.get(url).content.decode()
        assert "Ответ о дарах" not in body and 'name="password"' in body
    PageViewRestriction.objects.all().delete()

    index.unpublish()
    participant = login(make_user("participant"))
    for url in (index.url, f"{index.url}ask/", f"{index.url}my/", f"{index.url}queue/"):
        assert client.get(url).status_code == 404, url
        assert participant.get(url).status_code == 404, url


# --- asking -------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_sign_in(client, index):
    for route in ("ask/", "my/", "queue/"):
        response = client.get(index.url + route)
        assert response.status_code == 302
        assert "/login" in response["Location"]


def test_asking_with_a_real_pdf(index, topic, asker, methodist, mailoutbox):
    client = login(asker)
    page = client.get(ask_url(index)).content.decode()
    assert 'name="client_token"' in page and 'enctype="multipart/form-data"' in page

    upload = SimpleUploadedFile("Акт списания (черновик).pdf", pdf_bytes(), "application/pdf")
    response = client.post(ask_url(index), form_data(topic, attachment=upload))

    assert response.status_code == 302 and response["Location"].endswith("/my/")
    question = Question.objects.get()
    assert question.asker == asker and question.status == QuestionStatus.NEW
    assert question.organisation.name == "МБОУ «Ключевская ООШ»"
    assert question.attachment_kind == "pdf"
    assert question.attachment_name == "Акт списания (черновик).pdf"
    stored = Path(question.attachment.path)
    assert stored.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT) / "consultations")
    assert not stored.is_relative_to(Path(settings.MEDIA_ROOT))
    assert " " not in stored.name and "(" not in stored.name
    assert stored.read_bytes() == pdf_bytes()
    # Methodists learn of it in the site only.
    assert Notification.objects.filter(
        recipient=methodist, kind="consultations.new", send_email=False
    ).exists()
    assert mailoutbox == []
    assert QUESTION.split(".")[0] in client.get(index.url + "my/").content.decode()


def test_a_file_of_the_wrong_type_is_refused_and_the_text_kept(index, topic, asker):
    client = login(asker)
    fake = SimpleUploadedFile("akt.pdf", b"#!/bin/sh\necho not a pdf\n", "application/pdf")
    response = client.post(ask_url(index), form_data(topic, text="Вопрос о фонде", attachment=fake))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Вопрос о фонде" in body
    assert "PDF" in body  # the list of accepted types
    assert not Question.objects.exists()


def test_a_file_over_the_limit_is_refused(index, topic, asker, settings):
    settings.PORTAL_UPLOAD_MAX_SIZE = 100
    client = login(asker)
    upload = SimpleUploadedFile("akt.pdf", pdf_bytes(), "application/pdf")
    response = client.post(ask_url(index), form_data(topic, attachment=upload))
    assert response.status_code == 200
    assert response.context["form"].has_error("attachment", "too_large")
    assert not Question.objects.exists()


def test_without_consent_the_form_comes_back_with_the_text(index, topic, make_user, consent_text):
    user = make_user("participant")
    client = login(user)
    assert 'name="consent"' in client.get(ask_url(index)).content.decode()
    data = form_data(topic, text="Как вести журнал сверки?")
    del data["consent"]
    response = client.post(ask_url(index), data)
    assert response.status_code == 200
    assert "Как вести журнал сверки?" in response.content.decode()
    assert response.context["form"].has_error("consent")
    assert not Question.objects.exists()

    response = client.post(ask_url(index), {**data, "consent": "on"})
    assert response.status_code == 302
    assert Consent.objects.filter(user=user, purpose="personal_data").exists()
    # Once given, the consent is not asked again.
    assert 'name="consent"' not in client.get(ask_url(index)).content.decode()


def test_a_double_submit_makes_one_question(index, topic, asker):
    client = login(asker)
    data = form_data(topic)
    first = client.post(ask_url(index), data)
    second = client.post(ask_url(index), data)
    assert first.status_code == second.status_code == 302
    assert Question.objects.count() == 1


def test_someone_elses_form_token_is_not_reused(index, topic, asker, make_user, consent_text):
    question = ask(asker, topic)
    other = make_user("participant")
    client = login(other)
    data = form_data(topic, text="Мой собственный вопрос", client_token=str(question.client_token))
    response = client.post(ask_url(index), data)
    assert response.status_code == 200
    assert "Мой собственный вопрос" in response.content.decode()
    assert Question.objects.filter(asker=other).count() == 0
    # The form comes back with a fresh token: sending it again works.
    fresh = response.context["form"].data["client_token"]
    assert fresh != str(question.client_token)
    assert client.post(ask_url(index), {**data, "client_token": fresh}).status_code == 302
    assert Question.objects.filter(asker=other).count() == 1


def test_text_over_5000_characters_is_refused(index, topic, asker):
    client = login(asker)
    response = client.post(ask_url(index), form_data(topic, text="а" * 5001))
    assert response.status_code == 200 and response.context["form"].has_error("text")


# --- attachments ------------------------------------------------------------------------


@pytest.fixture
def question_with_file(asker, topic):
    upload = SimpleUploadedFile("Инвентарная книга.pdf", pdf_bytes(), "application/pdf")
    return ask(asker, topic, attachment=upload, kind="pdf")


def attachment_url(index, question) -> str:
    return f"{index.url}question/{question.pk}/attachment/"


def test_the_asker_and_methodists_download_the_attachment(
    index, question_with_file, asker, methodist
):
    for user in (asker, methodist):
        response = login(user).get(attachment_url(index, question_with_file))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == pdf_bytes()
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith("attachment;")


def test_nobody_else_gets_the_attachment(client, index, question_with_file, make_user):
    url = attachment_url(index, question_with_file)
    assert login(make_user("participant")).get(url).status_code == 404
    assert login(make_user("expert")).get(url).status_code == 404
    anonymous = client.get(url)
    assert anonymous.status_code in (302, 404)
    if anonymous.status_code == 302:
        assert "/login" in anonymous["Location"]
    # The file is not reachable as public media either.
    name = question_with_file.attachment.name
    assert client.get(f"/media/{name}").status_code == 404
    assert (
        login(make_user("methodist")).get(f"{index.url}question/999999/attachment/").status_code
        == 404
    )


# --- answers and the public FAQ -----------------------------------------------------------


def test_the_answer_reaches_the_asker_in_the_site_and_by_email(
    index, topic, asker, methodist, mailoutbox, django_capture_on_commit_callbacks
):
    question = ask(asker, topic)
    client = login(methodist)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{index.url}queue/{question.pk}/answer/",
            {"answer": "Списание оформляется актом комиссии."},
        )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.status == QuestionStatus.ANSWERED and question.answered_by == methodist
    notification = Notification.objects.get(recipient=asker, kind="consultations.answered")
    assert "Работа с фондом" in notification.title
    assert notification.url.endswith(f"/my/#question-{question.pk}")
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [asker.email]
    assert "Списание оформляется актом комиссии." in mailoutbox[0].body
    assert (
        "Списание оформляется актом комиссии."
        in login(asker).get(index.url + "my/").content.decode()
    )


def test_anonymised_text_has_no_name_email_or_phone(asker, topic):
    question = ask(asker, topic)
    text = question_text_anonymised(question)
    for secret in ("Белова", "Светлана", "Игоревна", "belova.si@example.org", "555-12-34"):
        assert secret not in text
    assert "Как списать учебники" in text
    kept = "Приказ № 436-ФЗ от 29.12.2010, 2023-12-01, тираж 1 250 000"
    assert text_anonymise(kept, names=["Белова"]) == kept
    assert "Беловой" not in text_anonymise("Передайте Беловой акт", names=["Белова"])
    assert "Аннотация" in text_anonymise("Аннотация для Анны", names=["Анна"])


def test_published_answer_is_public_and_anonymous(client, index, topic, asker, methodist):
    question = ask(asker, topic)
    question_answer(question_id=question.pk, actor=methodist, answer="Оформите акт списания.")
    staff = login(methodist)
    detail = staff.get(f"{index.url}queue/{question.pk}/")
    prefilled = detail.context["publish_form"].initial
    assert "Белова" not in prefilled["question_text"]
    response = staff.post(
        f"{index.url}queue/{question.pk}/publish/",
        {**prefilled, "topic": topic.pk, "title": "Как списать учебники?"},
    )
    assert response.status_code == 302
    question.refresh_from_db()
    entry = question.faq_page
    assert entry.live and entry.get_parent().pk == index.pk
    assert entry.get_latest_revision().user == methodist

    listing = client.get(index.url).content.decode()
    assert "Как списать учебники?" in listing
    page = client.get(entry.url).content.decode()
    assert "Оформите акт списания." in page
    for secret in ("Белова", "Светлана", asker.email, "555-12-34", "Ключевская"):
        assert secret not in page and secret not in listing

    # Publishing again updates the same entry.
    staff.post(
        f"{index.url}queue/{question.pk}/publish/",
        {**prefilled, "topic": topic.pk, "title": "Как списать устаревшие учебники?"},
    )
    assert ConsultationAnswerPage.objects.count() == 1
    entry.refresh_from_db()
    assert entry.title == "Как списать устаревшие учебники?"
    assert entry.revisions.count() == 2


def test_a_question_without_answer_cannot_be_published(index, topic, asker, methodist):
    from cms.consultations.services import QuestionRefused

    question = ask(asker, topic)
    with pytest.raises(QuestionRefused):
        question_publish_faq(
            question_id=question.pk,
            actor=methodist,
            index=index,
            title="Заголовок",
            question_text="Вопрос",
            answer="Ответ",
            topic=topic,
        )
    assert not ConsultationAnswerPage.objects.exists()


def test_my_questions_show_only_my_own(index, topic, asker, make_user, consent_text):
    mine = ask(asker, topic, text="Мой вопрос о списании")
    other = ask(make_user("participant"), topic, text="Чужой вопрос о сверке")
    body = login(asker).get(index.url + "my/").content.decode()
    assert mine.text in body and other.text not in body


# --- demo ---------------------------------------------------------------------------------


def test_demo_publishes_answers_and_fills_the_queue_once(client, demo_site):
    from django.core.management import call_command
    from wagtail.models import Revision

    index = ConsultationIndexPage.objects.get()
    entries = ConsultationAnswerPage.objects.live().child_of(index)
    assert entries.count() >= 5
    assert Question.objects.filter(status__in=["new", "assigned"]).count() >= 2
    body = client.get(index.url).content.decode()
    assert "Федеральным списком" in body
    for entry in entries:
        page = client.get(entry.url).content.decode()
        assert "Соколова" not in page and "@example.org" not in page and "555-12-34" not in page

    before = (Question.objects.count(), Revision.objects.count())
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (Question.objects.count(), Revision.objects.count()) == before

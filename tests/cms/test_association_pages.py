"""Association pages: the page tree, drafts, and members-only pages and files.

Members-only content is protected by Wagtail's own privacy (a GROUPS page view
restriction and a GROUPS collection view restriction), so these tests go
through the real page serving and the real ``/files/`` document view.
"""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model
from wagtail.models import Collection, Page, PageViewRestriction, Site
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import (
    inline_formset,
    nested_form_data,
    rich_text,
    streamfield,
)

from cms.association.models import (
    AssociationPostAttachment,
    AssociationPostPage,
    AssociationSectionPage,
)
from cms.association.selectors import MEMBERS_GROUP_NAME
from cms.association.services import (
    association_collection_ensure,
    association_membership_decide,
    association_membership_leave,
    association_membership_request,
)
from cms.models import AssociationIndexPage, HomePage, StandardPage
from core.models import ConsentDocument, User
from core.roles import role_group_name
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

SECRET = "Решение о подготовке сводного перечня ЭБС"
FILE_BYTES = b"%PDF-1.4\n% protocol of the association\n"
Document = get_document_model()


def publish(page):
    page.save_revision().publish()
    page.refresh_from_db()
    return page


@pytest.fixture
def index(db):
    root = Site.objects.get(is_default_site=True).root_page
    page = AssociationIndexPage(title="Методическое объединение библиотекарей СПО", slug="assoc")
    root.add_child(instance=page)
    return publish(page)


@pytest.fixture
def announcements(index):
    section = AssociationSectionPage(title="Объявления", slug="announcements")
    index.add_child(instance=section)
    return publish(section)


@pytest.fixture
def materials(index):
    section = AssociationSectionPage(
        title="Протоколы и материалы", slug="materials", members_only=True
    )
    index.add_child(instance=section)
    return publish(section)


def make_document(title: str, collection: Collection | None = None):
    document = Document(title=title, collection=collection or Collection.get_first_root_node())
    document.file.save("protokol.pdf", ContentFile(FILE_BYTES), save=False)
    document.save()
    return document


@pytest.fixture
def protocol(materials):
    document = make_document("Протокол № 2", association_collection_ensure())
    post = AssociationPostPage(
        title="Протокол заседания № 2",
        slug="protokol-2",
        kind="protocol",
        date=dt.date(2026, 11, 20),
        summary=SECRET,
        attachments=[AssociationPostAttachment(document=document)],
    )
    materials.add_child(instance=post)
    return publish(post)


@pytest.fixture
def member(make_user, index):
    college = OrganisationFactory(kind="college", name="КГБПОУ «Речной медицинский колледж»")
    user = make_user("participant", email="member@example.org", last_name="Белова")
    MembershipFactory(user=user, organisation=college, is_confirmed=True)
    ConsentDocument.objects.get_or_create(
        purpose="personal_data",
        version="1.0",
        defaults={
            "title": "Согласие",
            "text": "Текст",
            "published_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        },
    )
    membership = association_membership_request(
        user=user, organisation_id=college.pk, consent_given=True
    )
    association_membership_decide(
        membership_id=membership.pk, actor=make_user("methodist"), approve=True
    )
    return user


def served_bytes(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


class AssociationPageTreeTests(WagtailPageTestCase):
    def test_where_association_pages_may_live(self):
        self.assertAllowedSubpageTypes(AssociationIndexPage, {StandardPage, AssociationSectionPage})
        self.assertAllowedParentPageTypes(AssociationSectionPage, {AssociationIndexPage})
        self.assertAllowedSubpageTypes(AssociationSectionPage, {AssociationPostPage})
        self.assertAllowedParentPageTypes(AssociationPostPage, {AssociationSectionPage})
        self.assertAllowedSubpageTypes(AssociationPostPage, set())
        self.assertCanCreateAt(AssociationIndexPage, AssociationSectionPage)
        self.assertCanCreateAt(AssociationIndexPage, StandardPage)
        self.assertCanCreateAt(AssociationSectionPage, AssociationPostPage)
        self.assertCanNotCreateAt(HomePage, AssociationSectionPage)
        self.assertCanNotCreateAt(AssociationIndexPage, AssociationPostPage)
        self.assertCanNotCreateAt(AssociationPostPage, AssociationPostPage)
        self.assertEqual(AssociationIndexPage.max_count, 1)

    def test_every_page_type_renders(self):
        root = Site.objects.get(is_default_site=True).root_page
        index = AssociationIndexPage(title="МО", slug="mo")
        root.add_child(instance=index)
        publish(index)
        section = AssociationSectionPage(title="Объявления", slug="news")
        index.add_child(instance=section)
        publish(section)
        post = AssociationPostPage(title="Заседание", slug="zasedanie", kind="announcement")
        section.add_child(instance=post)
        publish(post)
        private = AssociationSectionPage(title="Протоколы", slug="protocols", members_only=True)
        index.add_child(instance=private)
        publish(private)
        for page in (index, section, post):
            self.assertPageIsRenderable(page)
        self.assertPageIsRenderable(private, accept_redirect=True)
        # (assertPageIsRenderable's ``user`` logs in through the first backend, django-axes.)
        self.client.force_login(
            User.objects.create_superuser(email="admin@example.org", password="x-2026-pass")
        )
        self.assertPageIsRenderable(private)


def test_members_only_page_and_file_need_membership(client, protocol, member, make_user):
    document = protocol.attachments.get().document
    urls = (protocol.get_parent().url, protocol.url)

    # Anonymous visitors are sent to sign in; nothing of the content leaks.
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
        assert SECRET.encode() not in response.content
    response = client.get(document.url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert FILE_BYTES not in served_bytes(response)

    # A signed-in library worker who is not a member is told it is for members.
    client.force_login(make_user("participant"))
    for url in (*urls, document.url):
        response = client.get(url)
        assert response.status_code == 403, url
        body = served_bytes(response)
        assert SECRET.encode() not in body
        assert FILE_BYTES not in body
        assert f'href="{protocol.get_parent().get_parent().url}join/"'.encode() in body

    # A member sees the page, its listing and the file.
    client.force_login(member)
    response = client.get(protocol.url)
    assert response.status_code == 200
    assert SECRET in response.content.decode()
    assert document.url in response.content.decode()
    assert protocol.title in client.get(protocol.get_parent().url).content.decode()
    response = client.get(document.url)
    assert response.status_code == 200
    assert served_bytes(response) == FILE_BYTES

    # Leaving takes the access away again.
    association_membership_leave(user=member)
    assert not member.groups.filter(name=MEMBERS_GROUP_NAME).exists()
    client.force_login(User.objects.get(pk=member.pk))
    assert client.get(protocol.url).status_code == 403
    assert client.get(document.url).status_code == 403


@pytest.mark.parametrize("role", ["methodist", "head", "administrator"])
def test_department_staff_see_members_only_content(client, protocol, make_user, role):
    client.force_login(make_user(role))
    response = client.get(protocol.url)
    assert response.status_code == 200
    assert SECRET in response.content.decode()
    assert served_bytes(client.get(protocol.attachments.get().document.url)) == FILE_BYTES


@pytest.mark.parametrize("role", ["participant", "expert", "moderator"])
def test_other_roles_do_not_see_members_only_content(client, protocol, make_user, role):
    client.force_login(make_user(role))
    response = client.get(protocol.url)
    assert response.status_code == 403
    assert SECRET.encode() not in response.content


def test_privacy_is_wagtails_own_restriction_for_members_and_staff(materials):
    restriction = PageViewRestriction.objects.get(page=materials)
    assert restriction.restriction_type == PageViewRestriction.GROUPS
    expected = {
        MEMBERS_GROUP_NAME,
        *(role_group_name(r) for r in ("methodist", "head", "administrator")),
    }
    assert set(restriction.groups.values_list("name", flat=True)) == expected
    collection = association_collection_ensure()
    (collection_restriction,) = collection.get_view_restrictions()
    assert set(collection_restriction.groups.values_list("name", flat=True)) == expected


def test_members_only_pages_stay_out_of_search_sitemap_and_public_listings(
    client, index, announcements, protocol
):
    public = AssociationPostPage(
        title="Открытое объявление", slug="open", kind="announcement", summary="Для всех"
    )
    announcements.add_child(instance=public)
    publish(public)
    public_pages = Page.objects.live().public()
    assert public_pages.filter(pk=public.pk).exists()
    assert not public_pages.filter(pk=protocol.pk).exists()
    assert not public_pages.filter(pk=protocol.get_parent().pk).exists()

    sitemap = client.get("/sitemap.xml").content.decode()
    assert public.url in sitemap
    assert protocol.url not in sitemap

    response = client.get("/search/", {"q": "Протокол заседания"})
    assert response.status_code == 200
    assert protocol.url not in response.content.decode()

    html = client.get(index.url).content.decode()
    assert public.title in html
    assert protocol.title not in html
    assert protocol.get_parent().url not in html


def test_drafts_are_never_visible(client, index, announcements, materials, make_user, member):
    draft_post = AssociationPostPage(title="Черновик объявления", slug="draft", kind="announcement")
    draft_post.live = False
    announcements.add_child(instance=draft_post)
    draft_post.save_revision()
    draft_section = AssociationSectionPage(title="Черновик раздела", slug="draft-section")
    draft_section.live = False
    index.add_child(instance=draft_section)
    draft_section.save_revision()
    draft_protocol = AssociationPostPage(
        title="Черновик протокола", slug="draft-p", kind="protocol"
    )
    draft_protocol.live = False
    materials.add_child(instance=draft_protocol)
    draft_protocol.save_revision()

    for user in (None, make_user("participant"), member):
        if user is not None:
            client.force_login(user)
        for page in (draft_post, draft_section, draft_protocol):
            response = client.get(page.url or f"{page.get_parent().url}{page.slug}/")
            assert response.status_code in (302, 404), (user, page.slug)
            assert page.title.encode() not in response.content
        for url in (index.url, announcements.url, materials.url):
            body = client.get(url).content.decode()
            assert "Черновик" not in body, (user, url)


def test_a_draft_cannot_open_or_close_a_live_members_only_section(client, materials, make_user):
    restriction_count = PageViewRestriction.objects.filter(page=materials).count
    assert restriction_count() == 1
    # An editor unticks "members only" in a draft: the live section stays closed.
    materials.members_only = False
    materials.save_revision()
    assert restriction_count() == 1
    assert client.get(materials.url).status_code == 302
    # Publishing the change opens it.
    materials.get_latest_revision().publish()
    assert restriction_count() == 0
    assert client.get(materials.url).status_code == 200
    # And ticking it again closes it on publish.
    materials.refresh_from_db()
    materials.members_only = True
    publish(materials)
    assert restriction_count() == 1
    assert client.get(materials.url).status_code == 302


def test_the_members_group_alone_is_what_opens_the_section(client, materials, make_user):
    """A person put into the group (by a service or an administrator) gets in; nobody else."""
    user = make_user("participant")
    client.force_login(user)
    assert client.get(materials.url).status_code == 403
    user.groups.add(Group.objects.get(name=MEMBERS_GROUP_NAME))
    assert client.get(materials.url).status_code == 200


class AssociationAdminTests(WagtailPageTestCase):
    """Files of members-only posts must sit in the restricted collection."""

    def setUp(self):
        root = Site.objects.get(is_default_site=True).root_page
        self.index = AssociationIndexPage(title="МО", slug="mo-admin")
        root.add_child(instance=self.index)
        self.materials = AssociationSectionPage(title="Протоколы", slug="p", members_only=True)
        self.index.add_child(instance=self.materials)
        self.client.force_login(
            User.objects.create_superuser(email="editor@example.org", password="x-2026-pass")
        )

    def post_data(self, slug, document):
        return nested_form_data(
            {
                "title": "Протокол заседания № 3",
                "slug": slug,
                "kind": "protocol",
                "date": "2027-02-10",
                "summary": "",
                "body": streamfield([]),
                "attachments": inline_formset([{"document": document.pk, "title": ""}]),
            }
        )

    def test_a_public_file_is_refused_in_a_members_only_post(self):
        public_file = make_document("Открытый файл")
        url = f"/admin/pages/add/association/associationpostpage/{self.materials.pk}/"
        response = self.client.post(url, self.post_data("p3", public_file))
        self.assertEqual(response.status_code, 200)
        attachment_errors = response.context["form"].formsets["attachments"].forms[0].errors
        self.assertEqual(list(attachment_errors), ["document"])
        self.assertFalse(AssociationPostPage.objects.filter(slug="p3").exists())

    def test_a_public_file_linked_from_the_text_is_refused_too(self):
        public_file = make_document("Открытый файл")
        link = f'<p><a linktype="document" id="{public_file.pk}">Протокол</a></p>'
        data = self.post_data("p5", make_document("Закрытый", association_collection_ensure()))
        data.update(nested_form_data({"body": streamfield([("paragraph", rich_text(link))])}))
        url = f"/admin/pages/add/association/associationpostpage/{self.materials.pk}/"
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(list(response.context["form"].errors), ["body"])
        self.assertFalse(AssociationPostPage.objects.filter(slug="p5").exists())
        # The same text in a members-only section's introduction is refused as well.
        section = {"title": "Ещё раздел", "slug": "more", "members_only": "on"}
        section["body"] = streamfield([("paragraph", rich_text(link))])
        url = f"/admin/pages/add/association/associationsectionpage/{self.index.pk}/"
        response = self.client.post(url, nested_form_data(section))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(list(response.context["form"].errors), ["body"])
        self.assertFalse(AssociationSectionPage.objects.filter(slug="more").exists())

    def test_an_editor_makes_a_members_only_section_by_ticking_a_box(self):
        data = {"title": "Рабочие материалы", "slug": "work", "members_only": "on"}
        data["body"] = streamfield([])
        self.assertCanCreate(self.index, AssociationSectionPage, nested_form_data(data))
        section = AssociationSectionPage.objects.get(slug="work")
        restriction = PageViewRestriction.objects.get(page=section)
        self.assertIn(MEMBERS_GROUP_NAME, restriction.groups.values_list("name", flat=True))
        self.client.logout()
        self.assertEqual(self.client.get(section.url).status_code, 302)

    def test_a_file_from_the_restricted_collection_is_accepted(self):
        restricted = make_document("Закрытый файл", association_collection_ensure())
        self.assertCanCreate(self.materials, AssociationPostPage, self.post_data("p4", restricted))
        post = AssociationPostPage.objects.get(slug="p4")
        self.assertEqual(post.attachments.get().document, restricted)


def test_demo_seeds_an_association_with_members_and_closed_protocols(client):
    from cms import demo as cms_demo
    from cms.association import demo
    from cms.association.models import AssociationMembership
    from core import demo as core_demo

    def seed():
        for module in (core_demo, cms_demo, demo):
            module.seed(lambda line: None)

    seed()
    counts = (
        Page.objects.count(),
        User.objects.count(),
        Document.objects.count(),
        AssociationMembership.objects.count(),
    )
    seed()
    assert counts == (
        Page.objects.count(),
        User.objects.count(),
        Document.objects.count(),
        AssociationMembership.objects.count(),
    )

    assert 3 <= AssociationMembership.objects.filter(status="approved").count() <= 5
    assert AssociationMembership.objects.filter(status="pending").count() == 1
    assert AssociationMembership.objects.filter(organisation__kind="college").count() == 5
    assert Group.objects.get(name=MEMBERS_GROUP_NAME).user_set.count() == 4

    index = AssociationIndexPage.objects.get()
    protocols = AssociationPostPage.objects.filter(kind="protocol").live()
    assert protocols.count() == 2
    assert not protocols.public().exists()
    assert AssociationPostPage.objects.filter(kind="announcement").live().public().count() == 3
    assert AssociationPostPage.objects.filter(kind="plan").live().public().count() == 1
    assert index.get_children().type(StandardPage).live().public().exists()

    html = client.get(index.url).content.decode()
    assert "Северный педагогический колледж" in html
    assert "Григорьева" not in html
    protocol = protocols.first()
    document = protocol.specific.attachments.get().document
    with document.file.open("rb") as stored:
        assert stored.read().startswith(b"%PDF-")
    assert client.get(protocol.url).status_code == 302
    assert client.get(document.url).status_code == 302

    client.force_login(User.objects.get(email="grigorieva@demo.ibc-portal.ru"))
    assert client.get(protocol.url).status_code == 200
    assert served_bytes(client.get(document.url)).startswith(b"%PDF-")
    assert "Григорьева" in client.get(f"{index.url}members/").content.decode()

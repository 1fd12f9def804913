"""Joining the association, the coordinator's decisions, leaving, members list, cabinet."""

import datetime as dt
import threading

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError, connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import Site

from cms.association.models import AssociationMembership, AssociationSectionPage
from cms.association.selectors import MEMBERS_GROUP_NAME
from cms.association.services import (
    MembershipRefused,
    association_membership_decide,
    association_membership_request,
)
from cms.models import AssociationIndexPage
from core import plugins
from core.models import Consent, ConsentDocument, Notification
from tests.conftest import need, postgres_available
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


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
def materials(index):
    section = AssociationSectionPage(
        title="Протоколы и материалы", slug="materials", members_only=True
    )
    index.add_child(instance=section)
    return publish(section)


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
def college(db):
    return OrganisationFactory(kind="college", name="КГБПОУ «Северный педагогический колледж»")


@pytest.fixture
def librarian(make_user, college, consent_text):
    user = make_user(
        "participant", email="grigorieva@example.org", last_name="Григорьева", first_name="Татьяна"
    )
    MembershipFactory(user=user, organisation=college, is_confirmed=True)
    return user


@pytest.fixture
def coordinator(make_user):
    return make_user("methodist", email="methodist@example.org", last_name="Кузнецова")


def join_url(index):
    return f"{index.url}join/"


def url(index, route):
    return f"{index.url}{route}/"


def request_membership(user, organisation):
    return association_membership_request(
        user=user, organisation_id=organisation.pk, consent_given=True
    )


@pytest.fixture
def make_member(make_user, coordinator, consent_text):
    """An approved member working at ``college`` (a new college by default)."""

    def make(*, number: int, college=None):
        college = college or OrganisationFactory(kind="college", name=f"Колледж № {number}")
        user = make_user(
            "participant", email=f"member{number}@example.org", last_name=f"Член{number}"
        )
        MembershipFactory(user=user, organisation=college)
        membership = request_membership(user, college)
        association_membership_decide(membership_id=membership.pk, actor=coordinator, approve=True)
        return user

    return make


# --- permissions -----------------------------------------------------------


def test_coordination_is_a_permission_of_staff_roles(make_user):
    for role in ("methodist", "head", "administrator"):
        assert make_user(role).has_perm("association.coordinate"), role
    for role in ("participant", "expert", "moderator"):
        assert not make_user(role).has_perm("association.coordinate"), role
    kinds = plugins.notification_kinds()
    assert {"association.membership", "association.request"} <= set(kinds)


def test_requests_page_is_for_coordinators_only(client, index, librarian, college, make_user):
    membership = request_membership(librarian, college)
    decide = f"{url(index, 'requests')}{membership.pk}/"

    response = client.get(url(index, "requests"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    for user in (librarian, make_user("expert"), make_user("moderator")):
        client.force_login(user)
        assert client.get(url(index, "requests")).status_code == 403
        assert client.post(decide, {f"m{membership.pk}-decision": "approve"}).status_code == 403
    membership.refresh_from_db()
    assert membership.status == "pending"


def test_forged_ids_answer_404(client, index, coordinator):
    client.force_login(coordinator)
    response = client.post(f"{url(index, 'requests')}999999/", {"m999999-decision": "approve"})
    assert response.status_code == 404
    assert client.post(f"{url(index, 'members')}999999/remove/").status_code == 404


def test_forms_need_post_and_a_csrf_token(index, librarian, college):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(librarian)
    response = csrf_client.post(join_url(index), {"organisation": college.pk})
    assert response.status_code == 403
    assert csrf_client.post(url(index, "leave")).status_code == 403
    assert not AssociationMembership.objects.exists()
    assert csrf_client.get(url(index, "leave")).status_code == 405


# --- joining ---------------------------------------------------------------


def test_join_needs_sign_in(client, index):
    response = client.get(join_url(index))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_only_my_own_college_can_be_chosen(client, index, librarian, consent_text):
    school = OrganisationFactory(kind="school", name="МБОУ «СОШ № 1»")
    MembershipFactory(user=librarian, organisation=school)
    foreign_college = OrganisationFactory(kind="college", name="КГБПОУ «Чужой колледж»")
    client.force_login(librarian)

    html = client.get(join_url(index)).content.decode()
    assert "Северный педагогический колледж" in html
    assert "СОШ № 1" not in html and "Чужой колледж" not in html

    for organisation in (school, foreign_college):
        response = client.post(
            join_url(index),
            {"organisation": organisation.pk, "motivation": "Хочу делиться опытом"},
        )
        assert response.status_code == 200
        assert 'class="error"' in response.content.decode()
        # What the person typed is kept.
        assert "Хочу делиться опытом" in response.content.decode()
    assert not AssociationMembership.objects.exists()

    # The service refuses them too, whatever the form lets through.
    with pytest.raises(MembershipRefused) as refusal:
        request_membership(librarian, school)
    assert refusal.value.code == "not_college"
    with pytest.raises(MembershipRefused) as refusal:
        request_membership(librarian, foreign_college)
    assert refusal.value.code == "not_staff"


def test_a_worker_of_no_college_is_told_how_to_get_there(client, index, make_user):
    user = make_user("participant")
    MembershipFactory(user=user, organisation=OrganisationFactory(kind="school"))
    client.force_login(user)
    response = client.get(join_url(index))
    assert response.status_code == 200
    assert "/cabinet/profile/" in response.content.decode()
    assert '<form method="post" class="stack-form"' not in response.content.decode()


def test_joining_asks_for_consent_to_personal_data(client, index, college, make_user, consent_text):
    user = make_user("participant")
    MembershipFactory(user=user, organisation=college)
    client.force_login(user)
    response = client.post(join_url(index), {"organisation": college.pk})
    assert response.status_code == 200
    assert not AssociationMembership.objects.exists()
    response = client.post(join_url(index), {"organisation": college.pk, "consent": "on"})
    assert response.status_code == 302
    assert AssociationMembership.objects.get(user=user).status == "pending"
    assert Consent.objects.filter(user=user, purpose="personal_data", withdrawn_at__isnull=True)


def test_a_double_submitted_request_is_stored_once(
    client, index, librarian, college, coordinator, django_capture_on_commit_callbacks
):
    client.force_login(librarian)
    data = {"organisation": college.pk, "motivation": "Обмен опытом", "consent": "on"}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(join_url(index), data).status_code == 302
        assert client.post(join_url(index), data).status_code == 302
    assert AssociationMembership.objects.filter(user=librarian).count() == 1
    # The coordinator hears about it once.
    notices = Notification.objects.filter(recipient=coordinator, kind="association.request")
    assert notices.count() == 1
    assert notices.get().url == url(index, "requests")


def test_one_open_request_per_person_is_a_database_rule(librarian, college):
    AssociationMembership.objects.create(user=librarian, organisation=college)
    with pytest.raises(IntegrityError), transaction.atomic():
        AssociationMembership.objects.create(user=librarian, organisation=college)
    AssociationMembership.objects.create(user=librarian, organisation=college, status="left")


# --- decisions -------------------------------------------------------------


def test_approval_makes_a_member_who_can_open_the_protocols(
    client,
    index,
    materials,
    librarian,
    college,
    coordinator,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    membership = request_membership(librarian, college)
    client.force_login(librarian)
    assert client.get(materials.url).status_code == 403
    # Pending: the index offers to withdraw the request instead of joining.
    html = client.get(index.url).content.decode()
    assert f'action="{url(index, "leave")}"' in html
    assert f'href="{join_url(index)}"' not in html

    client.force_login(coordinator)
    response = client.get(url(index, "requests"))
    assert "Григорьева" in response.content.decode()
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{url(index, 'requests')}{membership.pk}/", {f"m{membership.pk}-decision": "approve"}
        )
        # A second click does nothing more.
        client.post(
            f"{url(index, 'requests')}{membership.pk}/", {f"m{membership.pk}-decision": "approve"}
        )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.status == "approved"
    assert membership.decided_by == coordinator and membership.decided_at
    assert librarian.groups.filter(name=MEMBERS_GROUP_NAME).exists()
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [librarian.email]
    assert (
        Notification.objects.filter(recipient=librarian, kind="association.membership").count() == 1
    )

    client.force_login(librarian)
    assert client.get(materials.url).status_code == 200
    # A rejection cannot undo a decision already taken.
    with pytest.raises(MembershipRefused):
        association_membership_decide(
            membership_id=membership.pk, actor=coordinator, approve=False, comment="Ошибка"
        )


def test_rejection_needs_a_comment_and_emails_it(
    client, index, librarian, college, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    membership = request_membership(librarian, college)
    decide = f"{url(index, 'requests')}{membership.pk}/"
    client.force_login(coordinator)
    response = client.post(decide, {f"m{membership.pk}-decision": "reject"})
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()
    membership.refresh_from_db()
    assert membership.status == "pending"

    mailoutbox.clear()
    comment = "Подтвердите место работы в профиле"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            decide, {f"m{membership.pk}-decision": "reject", f"m{membership.pk}-comment": comment}
        )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.status == "rejected" and membership.decision_comment == comment
    assert not librarian.groups.filter(name=MEMBERS_GROUP_NAME).exists()
    assert len(mailoutbox) == 1 and comment in mailoutbox[0].body

    # The applicant sees the reason and may ask again.
    client.force_login(librarian)
    assert comment in client.get(index.url).content.decode()
    response = client.post(join_url(index), {"organisation": college.pk})
    assert response.status_code == 302
    assert AssociationMembership.objects.filter(user=librarian, status="pending").exists()


# --- leaving and removal ---------------------------------------------------


def test_a_member_leaves_and_loses_access(
    client, index, materials, librarian, college, coordinator
):
    membership = request_membership(librarian, college)
    association_membership_decide(membership_id=membership.pk, actor=coordinator, approve=True)
    client.force_login(librarian)
    assert client.get(materials.url).status_code == 200
    response = client.post(url(index, "leave"))
    assert response.status_code == 302
    assert client.post(url(index, "leave")).status_code == 302  # a double click is harmless
    membership.refresh_from_db()
    assert membership.status == "left" and membership.ended_at and membership.ended_by is None
    assert not librarian.groups.filter(name=MEMBERS_GROUP_NAME).exists()
    assert client.get(materials.url).status_code == 403


def test_a_coordinator_removes_a_member(client, index, make_member, coordinator, materials):
    member = make_member(number=1)
    membership = AssociationMembership.objects.get(user=member)
    client.force_login(coordinator)
    remove = f"{url(index, 'members')}{membership.pk}/remove/"
    assert client.post(remove, {"comment": "По личной просьбе"}).status_code == 302
    assert client.post(remove, {"comment": "По личной просьбе"}).status_code == 302
    membership.refresh_from_db()
    assert membership.status == "left" and membership.ended_by == coordinator
    assert not member.groups.filter(name=MEMBERS_GROUP_NAME).exists()
    assert Notification.objects.filter(recipient=member, kind="association.membership").count() == 2

    client.force_login(member)
    assert client.post(remove).status_code == 403


# --- who sees whom ---------------------------------------------------------


def test_people_are_shown_only_to_members_and_staff(
    client, index, make_member, make_user, coordinator, college
):
    member = make_member(number=1, college=college)
    members = url(index, "members")

    html = client.get(index.url).content.decode()
    assert "Северный педагогический колледж" in html
    assert member.last_name not in html
    assert members not in html
    assert client.get(members).status_code == 302

    client.force_login(make_user("participant"))
    assert client.get(members).status_code == 403
    assert member.last_name not in client.get(index.url).content.decode()

    client.force_login(member)
    html = client.get(members).content.decode()
    assert member.last_name in html
    assert member.email not in html

    client.force_login(coordinator)
    html = client.get(members).content.decode()
    assert member.last_name in html and member.email in html


def test_members_list_queries_do_not_grow_with_members(
    client, index, make_member, coordinator, django_assert_max_num_queries
):
    for number in range(3):
        make_member(number=number)
    client.force_login(coordinator)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url(index, "members")).status_code == 200
    for number in range(3, 30):
        make_member(number=number)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url(index, "members"))
    assert response.content.decode().count("@example.org</a>") == 30
    with CaptureQueriesContext(connection) as few:
        client.get(index.url)
    for number in range(30, 33):
        make_member(number=number)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(index.url)


# --- cabinet and meetings --------------------------------------------------


def test_cabinet_shows_my_status_and_the_coordinators_queue(
    client, index, librarian, college, coordinator, make_user
):
    client.force_login(librarian)
    html = client.get("/cabinet/").content.decode()
    assert 'id="cabinet-association"' in html
    assert join_url(index) in html

    request_membership(librarian, college)
    html = client.get("/cabinet/").content.decode()
    assert join_url(index) not in html

    client.force_login(coordinator)
    html = client.get("/cabinet/").content.decode()
    assert f'href="{url(index, "requests")}"' in html

    # Someone with nothing to do with the association gets no section.
    client.force_login(make_user("expert"))
    assert 'id="cabinet-association"' not in client.get("/cabinet/").content.decode()


def test_upcoming_meetings_come_from_the_events_plugin(client, index):
    from lms.models import EventIndexPage, EventPage

    root = Site.objects.get(is_default_site=True).root_page
    events = EventIndexPage(title="Мероприятия", slug="events")
    root.add_child(instance=events)
    publish(events)
    start = timezone.now() + dt.timedelta(days=5)
    for title, audience in (
        ("Заседание МО библиотекарей СПО", "college"),
        ("Семинар для школьных библиотекарей", "school"),
    ):
        event = EventPage(
            title=title,
            slug=f"event-{audience}",
            kind="association_meeting",
            audience=audience,
            start=start,
            end=start + dt.timedelta(hours=2),
        )
        events.add_child(instance=event)
        publish(event)

    expected = plugins.upcoming_events(None, audience="college", limit=5)
    assert [item.title for item in expected] == ["Заседание МО библиотекарей СПО"]
    html = client.get(index.url).content.decode()
    assert "Заседание МО библиотекарей СПО" in html
    assert "Семинар для школьных библиотекарей" not in html
    assert expected[0].url in html


def test_members_group_is_created_on_demand(librarian, college, coordinator):
    assert not Group.objects.filter(name=MEMBERS_GROUP_NAME).exists()
    membership = request_membership(librarian, college)
    association_membership_decide(membership_id=membership.pk, actor=coordinator, approve=True)
    assert Group.objects.get(name=MEMBERS_GROUP_NAME).user_set.get() == librarian


def test_a_coordinator_does_not_decide_on_their_own_request(make_user, college, consent_text):
    methodist = make_user("methodist")
    MembershipFactory(user=methodist, organisation=college)
    membership = request_membership(methodist, college)
    with pytest.raises(MembershipRefused) as refusal:
        association_membership_decide(membership_id=membership.pk, actor=methodist, approve=True)
    assert refusal.value.code == "own_request"
    membership.refresh_from_db()
    assert membership.status == "pending"


# --- concurrency (PostgreSQL row locks) ------------------------------------


def _in_parallel(calls) -> list[Exception]:
    """Run the calls in threads released at the same instant; collect unexpected errors."""
    barrier = threading.Barrier(len(calls))
    errors = []

    def run(call):
        try:
            barrier.wait()
            call()
        except MembershipRefused:
            pass
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_clicks_and_decisions_leave_one_outcome(
    librarian, college, coordinator, make_user
):
    need(postgres_available(), "DATABASE_URL does not point at PostgreSQL")
    calls = [lambda: request_membership(librarian, college) for _ in range(8)]
    assert _in_parallel(calls) == []
    membership = AssociationMembership.objects.get(user=librarian)

    other = make_user("head")
    calls = [
        lambda: association_membership_decide(
            membership_id=membership.pk, actor=coordinator, approve=True
        ),
        lambda: association_membership_decide(
            membership_id=membership.pk, actor=other, approve=False, comment="Нет мест"
        ),
    ] * 3
    assert _in_parallel(calls) == []
    membership.refresh_from_db()
    decisions = Notification.objects.filter(recipient=librarian, kind="association.membership")
    assert decisions.count() == 1
    in_group = librarian.groups.filter(name=MEMBERS_GROUP_NAME).exists()
    assert in_group == (membership.status == "approved")

"""Enroll and withdraw on the course page, the cohort box, staff rosters and decisions."""

import csv
import io

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.utils import translation
from openpyxl import load_workbook

from core.models import Notification
from lms.courses.models import Enrollment, LearnerProfile
from lms.courses.selectors.enrollment import course_cohort_offers
from lms.courses.services.enrollment import enrollment_request
from lms.courses.views.enrollment import cabinet_enrollment_sections
from tests.lms.courses.enrollment_helpers import (
    grant_cohort_management,
    make_cohort,
    make_course,
    make_profile,
    profile_post_data,
)


@pytest.fixture(autouse=True)
def _english(settings):
    """The assertions quote the English messages; the site's default is Russian."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer(make_user, consent_text):
    """A participant with no ДПО data and no consent yet."""
    return make_user("participant", email="olga@example.org", last_name="Соколова")


@pytest.fixture
def ready_learner(make_user, consent_text):
    from core.services.consent import consent_grant

    user = make_user("participant", email="irina@example.org", last_name="Белова")
    make_profile(user)
    consent_grant(user=user, purpose="personal_data")
    return user


def enroll_url(cohort):
    return cohort.course.url + f"enroll/{cohort.pk}/"


def withdraw_url(cohort):
    return cohort.course.url + f"withdraw/{cohort.pk}/"


def roster_url(cohort):
    return f"/cabinet/cohorts/{cohort.pk}/roster/"


# --- enroll -----------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client):
    cohort = make_cohort()
    response = client.get(enroll_url(cohort))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert client.post(enroll_url(cohort)).status_code == 302
    assert not Enrollment.objects.exists()


def test_first_enrollment_collects_dpo_data_and_consent_then_enrolls(client, newcomer):
    cohort = make_cohort()
    client.force_login(newcomer)
    page = client.get(enroll_url(cohort))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="profile-snils"' in html
    assert 'name="consent"' in html
    assert 'name="invitation_code"' not in html

    # A wrong checksum: nothing is saved, what was typed stays in the form.
    data = profile_post_data("profile", snils="112-233-445 96", diploma_number="7777777")
    data["consent"] = "on"
    response = client.post(enroll_url(cohort), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "7777777" in html
    assert "112-233-445 96" in html
    assert 'class="error"' in html
    assert not LearnerProfile.objects.exists()
    assert not Enrollment.objects.exists()

    # Without consent: refused on the form.
    response = client.post(enroll_url(cohort), profile_post_data("profile"))
    assert response.status_code == 200
    assert not Enrollment.objects.exists()

    data = profile_post_data("profile", snils="112 233 445 95")
    data["consent"] = "on"
    response = client.post(enroll_url(cohort), data)
    assert response.status_code == 302
    assert response["Location"] == cohort.course.url
    profile = LearnerProfile.objects.get(user=newcomer)
    assert profile.snils == "112-233-445 95"
    assert Enrollment.objects.get(user=newcomer).status == "enrolled"
    assert newcomer.consents.filter(purpose="personal_data", withdrawn_at__isnull=True).exists()


def test_data_on_file_is_reused_with_a_link_to_edit(client, ready_learner):
    cohort = make_cohort()
    client.force_login(ready_learner)
    html = client.get(enroll_url(cohort)).content.decode()
    assert 'name="profile-snils"' not in html
    assert 'name="consent"' not in html
    assert "/cabinet/dpo/?next=" in html
    response = client.post(enroll_url(cohort), {})
    assert response.status_code == 302
    assert Enrollment.objects.get(user=ready_learner).status == "enrolled"
    # A second press is harmless.
    response = client.post(enroll_url(cohort), {})
    assert response.status_code == 302
    assert Enrollment.objects.filter(user=ready_learner).count() == 1


def test_wrong_invitation_code_is_a_field_error_and_keeps_the_input(client, ready_learner):
    cohort = make_cohort(mode="code", invitation_code="ИБЦ-ВЕСНА")
    client.force_login(ready_learner)
    response = client.post(enroll_url(cohort), {"invitation_code": "ИБЦ-ОСЕНЬ"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="ИБЦ-ОСЕНЬ"' in html
    assert 'id="id_invitation_code_error"' in html
    assert not Enrollment.objects.exists()
    response = client.post(enroll_url(cohort), {"invitation_code": "ибц-весна"})
    assert response.status_code == 302
    assert Enrollment.objects.get(user=ready_learner).status == "enrolled"


def test_forged_and_foreign_cohort_ids_are_404(client, ready_learner):
    cohort = make_cohort()
    other_course = make_course()
    client.force_login(ready_learner)
    assert client.get(other_course.url + f"enroll/{cohort.pk}/").status_code == 404
    assert client.post(other_course.url + f"enroll/{cohort.pk}/").status_code == 404
    assert client.post(cohort.course.url + "enroll/999999/").status_code == 404
    assert client.post(cohort.course.url + "withdraw/999999/").status_code == 404
    assert not Enrollment.objects.exists()


def test_closed_enrollment_shows_why_and_post_changes_nothing(client, ready_learner):
    import datetime as dt

    from django.utils import timezone

    cohort = make_cohort(enrollment_opens=timezone.now() + dt.timedelta(days=2))
    client.force_login(ready_learner)
    response = client.get(enroll_url(cohort))
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert "<form" not in response.content.decode().split("<main", 1)[1].split("</main>")[0]
    assert client.post(enroll_url(cohort)).status_code == 302
    assert not Enrollment.objects.exists()


def test_post_without_csrf_token_is_refused(ready_learner):
    cohort = make_cohort()
    client = Client(enforce_csrf_checks=True)
    client.force_login(ready_learner)
    assert client.post(enroll_url(cohort)).status_code == 403
    assert not Enrollment.objects.exists()


def test_withdraw_asks_first_then_frees_the_place(client, ready_learner, make_user):
    cohort = make_cohort(capacity=1)
    enrollment_request(cohort_id=cohort.pk, user=ready_learner)
    waiting = make_user("participant")
    make_profile(waiting)
    enrollment_request(cohort_id=cohort.pk, user=waiting, consent_given=True)
    client.force_login(ready_learner)

    confirm = client.get(withdraw_url(cohort))
    assert confirm.status_code == 200
    assert "<form" in confirm.content.decode()
    assert Enrollment.objects.get(user=ready_learner).status == "enrolled"

    response = client.post(withdraw_url(cohort))
    assert response.status_code == 302
    assert Enrollment.objects.get(user=ready_learner).status == "withdrawn"
    assert Enrollment.objects.get(user=waiting).status == "enrolled"
    # Not enrolled any more: the confirmation page sends back to the course.
    assert client.get(withdraw_url(cohort)).status_code == 302


# --- the cohort box on the course page --------------------------------------------------------


def _box(cohort, enrollment, user):
    request = RequestFactory().get("/")
    request.user = user
    return render_to_string(
        "courses/includes/cohort_enroll_box.html",
        {"cohort": cohort, "enrollment": enrollment, "user": user},
        request=request,
    )


def test_cohort_box_shows_places_and_the_right_action(ready_learner, make_user):
    from django.contrib.auth.models import AnonymousUser

    course = make_course()
    cohort = make_cohort(course, capacity=2, title="Весенний поток")
    approval = make_cohort(course, mode="approval", title="Поток по заявкам")
    [offer, approval_offer] = course_cohort_offers(course, user=ready_learner)

    html = _box(offer.cohort, offer.enrollment, ready_learner)
    assert "Весенний поток" in html
    assert f"enroll/{cohort.pk}/" in html
    assert "2" in html
    assert f"enroll/{approval.pk}/" in _box(approval_offer.cohort, None, ready_learner)

    anonymous_html = _box(offer.cohort, None, AnonymousUser())
    assert "/accounts/login/?next=" in anonymous_html

    enrollment_request(cohort_id=cohort.pk, user=ready_learner)
    [offer, _] = course_cohort_offers(course, user=ready_learner)
    html = _box(offer.cohort, offer.enrollment, ready_learner)
    assert f"withdraw/{cohort.pk}/" in html
    assert f"enroll/{cohort.pk}/" not in html


def test_course_page_context_lists_offers_in_constant_queries(
    ready_learner, django_assert_max_num_queries
):
    course = make_course()
    for _ in range(3):
        make_cohort(course)
    with django_assert_max_num_queries(2):
        offers = course_cohort_offers(course, user=ready_learner)
        for offer in offers:
            assert offer.cohort.places_left is None
            assert offer.cohort.course.title == course.title


# --- staff: roster and decisions ---------------------------------------------------------------


def _fill(cohort, people):
    for user in people:
        make_profile(user)
        enrollment_request(cohort_id=cohort.pk, user=user, consent_given=True)


def test_roster_is_for_the_cohorts_teachers_and_managers_only(client, make_user, consent_text):
    cohort = make_cohort()
    other = make_cohort()
    teacher = make_user("participant")
    cohort.teachers.add(teacher)
    other_teacher = make_user("participant")
    other.teachers.add(other_teacher)
    manager = grant_cohort_management(make_user("methodist"))
    participant = make_user("participant")

    assert client.get(roster_url(cohort)).status_code == 302  # sign in first
    client.force_login(teacher)
    assert client.get(roster_url(cohort)).status_code == 200
    assert client.get(roster_url(other)).status_code == 404
    client.force_login(other_teacher)
    assert client.get(roster_url(cohort)).status_code == 404
    client.force_login(participant)
    assert client.get(roster_url(cohort)).status_code == 404
    assert client.get("/cabinet/cohorts/").status_code == 403
    client.force_login(manager)
    assert client.get(roster_url(cohort)).status_code == 200
    assert client.get(roster_url(other)).status_code == 200


def test_cohort_list_shows_only_my_cohorts(client, make_user):
    mine = make_cohort(title="Мой поток")
    make_cohort(title="Чужой поток")
    teacher = make_user("participant")
    mine.teachers.add(teacher)
    client.force_login(teacher)
    html = client.get("/cabinet/cohorts/").content.decode()
    assert "Мой поток" in html
    assert "Чужой поток" not in html


def test_approve_and_decline_from_the_roster(client, make_user, consent_text):
    cohort = make_cohort(mode="approval", capacity=5)
    teacher = make_user("participant")
    cohort.teachers.add(teacher)
    applicants = [make_user("participant") for _ in range(2)]
    _fill(cohort, applicants)
    first, second = Enrollment.objects.filter(cohort=cohort).order_by("pk")
    client.force_login(teacher)

    html = client.get(roster_url(cohort) + "?status=requested").content.decode()
    assert f"/roster/{first.pk}/" in html

    decide = roster_url(cohort) + f"{first.pk}/"
    response = client.post(decide, {"action": "approve", "return_to": roster_url(cohort)})
    assert response.status_code == 302
    assert response["Location"] == roster_url(cohort)
    assert Enrollment.objects.get(pk=first.pk).status == "enrolled"
    # Replaying the same POST changes nothing.
    client.post(decide, {"action": "approve"})
    assert (
        Notification.objects.filter(recipient=applicants[0], title__contains="enrolled").count()
        == 1
    )

    refuse = roster_url(cohort) + f"{second.pk}/"
    client.post(refuse, {"action": "reject", "note": ""})
    assert Enrollment.objects.get(pk=second.pk).status == "requested"
    client.post(refuse, {"action": "reject", "note": "Нет документа об образовании"})
    assert Enrollment.objects.get(pk=second.pk).status == "rejected"

    # Forged ids, other cohorts' enrollments, unknown actions and GET change nothing.
    other = make_cohort(mode="approval")
    other.teachers.add(teacher)
    stranger = make_user("participant")
    _fill(other, [stranger])
    foreign = Enrollment.objects.get(user=stranger)
    assert (
        client.post(roster_url(cohort) + f"{foreign.pk}/", {"action": "approve"}).status_code == 404
    )
    assert client.post(roster_url(cohort) + "999999/", {"action": "approve"}).status_code == 404
    assert client.get(decide).status_code == 405
    client.post(roster_url(other) + f"{foreign.pk}/", {"action": "explode"})
    assert Enrollment.objects.get(pk=foreign.pk).status == "requested"
    # An open redirect through return_to is not followed.
    response = client.post(
        roster_url(other) + f"{foreign.pk}/",
        {"action": "approve", "return_to": "https://evil.example.org/"},
    )
    assert response["Location"] == roster_url(other)


def test_roster_exports_read_back(client, make_user, consent_text):
    cohort = make_cohort(capacity=1)
    manager = grant_cohort_management(make_user("methodist"))
    people = [
        make_user("participant", last_name="Андреева", email="a@example.org"),
        make_user("participant", last_name="Борисова", email="b@example.org"),
    ]
    _fill(cohort, people)
    client.force_login(manager)

    response = client.get(roster_url(cohort) + "?export=csv")
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(rows) == 3
    assert rows[1][1].startswith("Андреева")
    assert rows[2][2] == "b@example.org"

    response = client.get(roster_url(cohort) + "?export=xlsx&status=waitlisted")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][0] == str(cohort)
    assert len(values) == 3  # caption, header, the one waiting
    assert values[2][2] == "b@example.org"


@pytest.mark.parametrize("learners", [3, 30])
def test_roster_renders_in_constant_queries(
    client, make_user, consent_text, django_assert_max_num_queries, learners
):
    cohort = make_cohort(capacity=learners // 2)
    _fill(cohort, [make_user("participant") for _ in range(learners)])
    manager = grant_cohort_management(make_user("methodist"))
    client.force_login(manager)
    # Session, user, permissions, navigation (first run also fills the content-type
    # cache) and five of the roster's own: the same bound for 3 and for 30 learners.
    with django_assert_max_num_queries(15):
        response = client.get(roster_url(cohort))
    assert response.status_code == 200
    assert response.content.decode().count("<tr>") == learners + 1


@pytest.mark.parametrize("cohorts", [2, 12])
def test_cohort_list_renders_in_constant_queries(
    client, make_user, consent_text, django_assert_max_num_queries, cohorts
):
    teacher = make_user("participant")
    for _ in range(cohorts):
        cohort = make_cohort()
        cohort.teachers.add(teacher)
        _fill(cohort, [make_user("participant")])
    client.force_login(teacher)
    with django_assert_max_num_queries(12):
        response = client.get("/cabinet/cohorts/")
    assert response.status_code == 200


def test_cabinet_sections_for_teachers_and_learners(make_user, ready_learner):
    cohort = make_cohort()
    teacher = make_user("participant")
    cohort.teachers.add(teacher)
    request = RequestFactory().get("/cabinet/")

    def render(section):
        return render_to_string(section.template, {"section": section, "data": section.context})

    request.user = teacher
    [section] = cabinet_enrollment_sections(request)
    assert section.key == "cohorts"
    assert f"/cabinet/cohorts/{cohort.pk}/roster/" in render(section)
    request.user = ready_learner
    [section] = cabinet_enrollment_sections(request)
    assert section.key == "dpo"
    assert section.context["complete"] is True
    assert "/cabinet/dpo/" in render(section)
    request.user = make_user("participant")
    assert list(cabinet_enrollment_sections(request)) == []


def test_staff_roles_manage_cohorts_and_participants_do_not(make_user):
    """The role wiring of LmsConfig.get_role_permissions (synced into the role groups)."""
    for role in ("methodist", "head", "administrator"):
        assert make_user(role).has_perm("courses.manage_cohort"), role
    for role in ("participant", "expert", "moderator"):
        assert not make_user(role).has_perm("courses.manage_cohort"), role

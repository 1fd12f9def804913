"""The learner's ДПО data: СНИЛС checks, age limits, the /cabinet/dpo/ form, staff read-only."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.models import AuditLogEntry
from lms.courses.forms import LearnerProfileForm
from lms.courses.models import LearnerProfile
from lms.courses.validators import normalise_snils, validate_snils
from tests.lms.courses.enrollment_helpers import make_profile, profile_post_data

URL = "/cabinet/dpo/"


@pytest.mark.parametrize("value", ["112-233-445 95", "11223344595", "112 233 445 95"])
def test_valid_snils_in_any_usual_format(value):
    validate_snils(value)
    assert normalise_snils(value) == "112-233-445 95"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("112-233-445 96", "checksum"),
        ("112-233-445 59", "checksum"),
        ("1122334459", "format"),
        ("112233445951", "format"),
        ("112-233-ABC 95", "format"),
        ("", "format"),
    ],
)
def test_invalid_snils_is_refused_with_a_reason(value, code):
    with pytest.raises(ValidationError) as error:
        validate_snils(value)
    assert error.value.code == code


def test_checksums_over_a_hundred_wrap_as_the_pension_fund_rules_say():
    from lms.courses.validators import snils_checksum

    assert snils_checksum("999999999") == 405 % 101  # weighted sum 405
    validate_snils("100-079-190 00")  # weighted sum 101 → 00
    with pytest.raises(ValidationError):
        validate_snils("100-079-190 01")


def _form(data, **kwargs):
    return LearnerProfileForm(data, **kwargs)


@pytest.mark.django_db
def test_form_normalises_snils_and_checks_the_age():
    form = _form(profile_post_data(snils="112 233 445 95"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["snils"] == "112-233-445 95"

    today = timezone.localdate()
    too_young = today.replace(year=today.year - 15).isoformat()
    form = _form(profile_post_data(birth_date=too_young))
    assert not form.is_valid()
    assert "birth_date" in form.errors
    form = _form(profile_post_data(birth_date="1900-01-01"))
    assert "birth_date" in form.errors
    sixteen = (today.replace(year=today.year - 16) - dt.timedelta(days=1)).isoformat()
    assert _form(profile_post_data(birth_date=sixteen)).is_valid()

    form = _form(profile_post_data(citizenship="RUS", education_level="school"))
    assert set(form.errors) == {"citizenship", "education_level"}


@pytest.mark.django_db
def test_form_asks_for_consent_only_when_asked_to():
    assert "consent" not in _form(profile_post_data()).fields
    form = _form(profile_post_data(), ask_consent=True)
    assert not form.is_valid()
    assert "consent" in form.errors


@pytest.mark.django_db
def test_cabinet_form_saves_once_and_is_reused(client, make_user, consent_text):
    user = make_user("participant")
    assert client.get(URL).status_code == 302  # sign in first
    client.force_login(user)
    html = client.get(URL).content.decode()
    assert 'name="consent"' in html

    bad = profile_post_data(snils="112-233-445 96", diploma_surname="Кузнецова")
    bad["consent"] = "on"
    response = client.post(URL, bad)
    assert response.status_code == 200
    assert "Кузнецова" in response.content.decode()
    assert not LearnerProfile.objects.exists()

    good = profile_post_data(snils="11223344595")
    good["consent"] = "on"
    response = client.post(URL, good)
    assert response.status_code == 302
    profile = LearnerProfile.objects.get(user=user)
    assert profile.snils == "112-233-445 95"
    assert profile.is_complete()
    assert user.consents.filter(purpose="personal_data", withdrawn_at__isnull=True).exists()
    # The audit trail records the change but not the personal data itself.
    entry = AuditLogEntry.objects.get(action="course.profile_create")
    assert "112" not in str(entry.data)

    # Consent on file: the form no longer asks; an edit updates the same record.
    html = client.get(URL).content.decode()
    assert 'name="consent"' not in html
    assert "112-233-445 95" in html
    response = client.post(URL, profile_post_data(diploma_number="9999999"))
    assert response.status_code == 302
    assert LearnerProfile.objects.get(user=user).diploma_number == "9999999"
    assert LearnerProfile.objects.count() == 1


@pytest.mark.django_db
def test_next_goes_back_only_within_the_site(client, make_user, consent_text):
    user = make_user("participant")
    make_profile(user)
    from core.services.consent import consent_grant

    consent_grant(user=user, purpose="personal_data")
    client.force_login(user)
    data = profile_post_data(next="/courses/some-course/enroll/1/")
    assert client.post(URL, data)["Location"] == "/courses/some-course/enroll/1/"
    data = profile_post_data(next="https://evil.example.org/")
    assert client.post(URL, data)["Location"] == URL


@pytest.mark.django_db
def test_staff_can_only_look_at_learners_data_in_the_admin(client, make_user):
    learner = make_user("participant")
    profile = make_profile(learner)
    staff = make_user("methodist")
    staff.user_permissions.add(
        Permission.objects.get(content_type__app_label="courses", codename="view_learnerprofile")
    )
    client.force_login(staff)
    index = client.get("/admin/courses/learners/")
    assert index.status_code == 200
    assert learner.last_name in index.content.decode()
    inspect = client.get(f"/admin/courses/learners/inspect/{profile.pk}/")
    assert inspect.status_code == 200
    assert "112-233-445 95" in inspect.content.decode()
    for url in (
        "/admin/courses/learners/new/",
        f"/admin/courses/learners/edit/{profile.pk}/",
        f"/admin/courses/learners/delete/{profile.pk}/",
    ):
        response = client.get(url)
        assert response.status_code in (302, 403), url
    assert client.post(f"/admin/courses/learners/delete/{profile.pk}/").status_code in (
        302,
        403,
    )
    assert LearnerProfile.objects.filter(pk=profile.pk).exists()
    # A participant without the permission does not get in at all.
    client.force_login(learner)
    assert client.get("/admin/courses/learners/").status_code in (302, 403)

import re

import pytest
from django.core import mail
from django.urls import reverse

from core.models import AuditLogEntry, Consent, Membership, User
from tests.factories import DEFAULT_PASSWORD, OrganisationFactory

pytestmark = pytest.mark.django_db

CONFIRM_LINK = re.compile(r"/accounts/confirm/(?P<uid>[\w-]+)/(?P<token>[\w-]+)/")


def registration_data(**overrides):
    data = {
        "last_name": "Петрова",
        "first_name": "Светлана",
        "patronymic": "Игоревна",
        "email": "Petrova@Example.org",
        "position": "педагог-библиотекарь",
        "password1": "Kniga-Chitatel-77",
        "password2": "Kniga-Chitatel-77",
        "personal_data_consent": "on",
    }
    data.update(overrides)
    return data


@pytest.fixture
def consent_texts(demo_site):
    return demo_site


def test_registration_creates_inactive_user_records_consent_and_sends_link(
    client, consent_texts, django_capture_on_commit_callbacks
):
    organisation = OrganisationFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("core:register"),
            registration_data(organisation=organisation.pk, mailing_consent="on"),
            REMOTE_ADDR="10.1.2.3",
        )
    assert response.status_code == 200
    user = User.objects.get(email="petrova@example.org")
    assert not user.is_active
    assert user.get_full_name() == "Петрова Светлана Игоревна"
    assert user.groups.filter(name="Участники").exists()
    consents = {c.purpose: c for c in Consent.objects.filter(user=user)}
    assert set(consents) == {"personal_data", "mailing"}
    assert consents["personal_data"].granted_ip == "10.1.2.3"
    assert consents["personal_data"].document.version == "1.0"
    assert Membership.objects.filter(user=user, organisation=organisation).exists()
    assert AuditLogEntry.objects.filter(action="user.register", actor=user).exists()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["petrova@example.org"]
    assert CONFIRM_LINK.search(mail.outbox[0].body)


def test_confirmation_link_activates_once(
    client, consent_texts, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("core:register"), registration_data())
    path = CONFIRM_LINK.search(mail.outbox[0].body).group(0)
    response = client.get(path)
    assert response.status_code == 302
    assert response.url == reverse("core:login")
    user = User.objects.get(email="petrova@example.org")
    assert user.is_active and user.email_confirmed_at is not None
    assert client.get(path).status_code == 400


def test_forged_confirmation_link_is_rejected(client, consent_texts):
    assert client.get("/accounts/confirm/Zm9v/abc-def/").status_code == 400
    assert client.get("/accounts/confirm/!!!/abc-def/").status_code == 400


def test_registration_errors_keep_the_form_filled_and_create_nothing(client, consent_texts):
    response = client.post(
        reverse("core:register"),
        registration_data(password2="something-else-1", personal_data_consent=""),
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert 'value="Петрова"' in content
    assert 'value="petrova@example.org"' in content or 'value="Petrova@Example.org"' in content
    form = response.context["form"]
    assert "password2" in form.errors
    assert "personal_data_consent" in form.errors
    assert not User.objects.filter(email__iexact="petrova@example.org").exists()
    assert not mail.outbox


def test_duplicate_email_is_refused_case_insensitively(client, consent_texts, make_user):
    make_user(email="petrova@example.org")
    response = client.post(reverse("core:register"), registration_data())
    assert "email" in response.context["form"].errors
    assert User.objects.filter(email__iexact="petrova@example.org").count() == 1


def test_unconfirmed_user_is_told_to_confirm(
    client, consent_texts, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("core:register"), registration_data())
    response = client.post(
        reverse("core:login"),
        {"username": "petrova@example.org", "password": "Kniga-Chitatel-77"},
    )
    assert response.status_code == 200
    assert "unconfirmed" in [e.code for e in response.context["form"].non_field_errors().as_data()]


def test_login_is_case_insensitive_on_email(client, make_user):
    make_user(email="reader@example.org")
    response = client.post(
        reverse("core:login"), {"username": "Reader@Example.ORG", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == reverse("core:cabinet")


def test_login_is_throttled_after_repeated_failures(client, make_user, settings):
    make_user(email="reader@example.org")
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        # Changing the case of the address does not reset the counter.
        username = "reader@example.org" if attempt % 2 else "READER@example.org"
        response = client.post(reverse("core:login"), {"username": username, "password": "wrong"})
    assert response.status_code == 429
    # Even the right password is refused while the lock holds.
    response = client.post(
        reverse("core:login"), {"username": "reader@example.org", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another address is not affected by this pair's lock.
    other = client.post(
        reverse("core:login"),
        {"username": "reader@example.org", "password": DEFAULT_PASSWORD},
        REMOTE_ADDR="192.0.2.77",
    )
    assert other.status_code == 302


def test_password_reset_sends_a_working_link(client, make_user):
    make_user(email="reader@example.org")
    client.post(reverse("core:password_reset"), {"email": "reader@example.org"})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", mail.outbox[0].body)
    assert link
    response = client.get(link.group(1), follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url, {"new_password1": "Novyi-Parol-2026", "new_password2": "Novyi-Parol-2026"}
    )
    assert response.status_code == 302
    assert User.objects.get(email="reader@example.org").check_password("Novyi-Parol-2026")


def test_password_reset_for_unknown_email_reveals_nothing(client, db):
    response = client.post(reverse("core:password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert not mail.outbox


def test_profile_update_and_membership_request(client, make_user):
    user = make_user()
    organisation = OrganisationFactory()
    client.force_login(user)
    response = client.post(
        reverse("core:profile"),
        {
            "form": "profile",
            "last_name": "Сидорова",
            "first_name": "Мария",
            "patronymic": "",
            "position": "библиотекарь",
            "phone": "+7 900 000-00-00",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.get_full_name() == "Сидорова Мария"
    assert user.get_short_name() == "Сидорова М."
    client.post(reverse("core:profile"), {"form": "membership", "organisation": organisation.pk})
    client.post(reverse("core:profile"), {"form": "membership", "organisation": organisation.pk})
    membership = Membership.objects.get(user=user)
    assert membership.organisation == organisation and not membership.is_confirmed


def test_profile_with_forged_organisation_changes_nothing(client, make_user):
    user = make_user()
    client.force_login(user)
    response = client.post(reverse("core:profile"), {"form": "membership", "organisation": 99999})
    assert response.status_code == 200
    assert response.context["membership_form"].errors
    assert not Membership.objects.exists()

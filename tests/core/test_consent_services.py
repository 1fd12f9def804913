import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from core.models import Consent, ConsentDocument
from core.services.consent import (
    ConsentUnavailable,
    consent_grant,
    consent_is_active,
    consent_withdraw,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def personal_data_text(db):
    return ConsentDocument.objects.create(
        purpose="personal_data",
        version="1.0",
        title="Согласие",
        text="Текст",
        published_at=timezone.now() - dt.timedelta(days=1),
    )


def test_grant_is_idempotent_and_records_ip(make_user, personal_data_text):
    user = make_user()
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.5", HTTP_USER_AGENT="Firefox")
    first = consent_grant(user=user, purpose="personal_data", request=request)
    second = consent_grant(user=user, purpose="personal_data", request=request)
    assert first.pk == second.pk
    assert first.granted_ip == "203.0.113.5"
    assert first.user_agent == "Firefox"
    assert Consent.objects.filter(user=user).count() == 1


def test_new_text_version_replaces_the_old_consent(make_user, personal_data_text):
    user = make_user()
    old = consent_grant(user=user, purpose="personal_data")
    newer = ConsentDocument.objects.create(
        purpose="personal_data",
        version="2.0",
        title="Согласие",
        text="Новый текст",
        published_at=timezone.now(),
    )
    current = consent_grant(user=user, purpose="personal_data")
    old.refresh_from_db()
    assert current.document == newer
    assert old.withdrawn_at is not None
    assert Consent.objects.filter(user=user, withdrawn_at__isnull=True).get() == current


def test_future_text_is_not_in_force(make_user, personal_data_text):
    ConsentDocument.objects.create(
        purpose="personal_data",
        version="9.0",
        title="Будущее",
        text="…",
        published_at=timezone.now() + dt.timedelta(days=10),
    )
    consent = consent_grant(user=make_user(), purpose="personal_data")
    assert consent.document.version == "1.0"


def test_withdraw_and_history(make_user, personal_data_text):
    user = make_user()
    consent_grant(user=user, purpose="personal_data")
    assert consent_withdraw(user=user, purpose="personal_data")
    assert not consent_is_active(user=user, purpose="personal_data")
    assert not consent_withdraw(user=user, purpose="personal_data")
    consent_grant(user=user, purpose="personal_data")
    assert Consent.objects.filter(user=user).count() == 2


def test_no_text_means_no_consent(make_user):
    with pytest.raises(ConsentUnavailable):
        consent_grant(user=make_user(), purpose="mailing")


def test_database_refuses_two_active_consents_for_one_purpose(make_user, personal_data_text):
    user = make_user()
    consent_grant(user=user, purpose="personal_data")
    with pytest.raises(IntegrityError), transaction.atomic():
        Consent.objects.create(user=user, document=personal_data_text, purpose="personal_data")


def test_cabinet_consent_page_grants_and_withdraws(client, make_user, personal_data_text):
    user = make_user()
    client.force_login(user)
    assert client.get(reverse("core:consents")).status_code == 200
    client.post(reverse("core:consents"), {"purpose": "personal_data", "action": "grant"})
    assert consent_is_active(user=user, purpose="personal_data")
    client.post(reverse("core:consents"), {"purpose": "personal_data", "action": "withdraw"})
    assert not consent_is_active(user=user, purpose="personal_data")
    response = client.post(reverse("core:consents"), {"purpose": "forged", "action": "grant"})
    assert response.status_code == 302
    assert Consent.objects.filter(user=user).count() == 1


def test_consent_pages_require_login(client, db):
    response = client.get(reverse("core:consents"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("core:login"))


def test_public_consent_text(client, personal_data_text):
    response = client.get(reverse("core:consent_current", args=["personal_data"]))
    assert response.status_code == 200
    assert "Текст" in response.content.decode()
    assert client.get(reverse("core:consent_current", args=["mailing"])).status_code == 404

import pytest
from django.test import RequestFactory
from django.urls import reverse

from core.models import AuditLogEntry
from core.services.audit import audit_log
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_audit_log_records_actor_target_and_ip(make_user):
    user = make_user()
    organisation = OrganisationFactory()
    request = RequestFactory().post("/", REMOTE_ADDR="198.51.100.7")
    request.user = user
    entry = audit_log(
        action="organisation.update", target=organisation, request=request, data={"field": "name"}
    )
    assert entry.actor == user
    assert entry.actor_repr.endswith(f"<{user.email}>")
    assert entry.target_type == "core.organisation"
    assert entry.target_id == str(organisation.pk)
    assert entry.ip == "198.51.100.7"
    assert entry.data == {"field": "name"}


def test_audit_entry_survives_the_actor(make_user):
    user = make_user()
    entry = audit_log(action="x", actor=user)
    user.delete()
    entry.refresh_from_db()
    assert entry.actor is None
    assert entry.actor_repr


def test_audit_log_is_read_only_in_the_admin(client, make_user):
    head = make_user("head", is_staff=True)
    entry = audit_log(action="x", actor=head)
    client.force_login(head)
    assert client.get(reverse("audit_log:index")).status_code == 200
    assert client.get(reverse("audit_log:inspect", args=[entry.pk])).status_code == 200
    assert client.get(reverse("audit_log:edit", args=[entry.pk])).status_code in (302, 403)
    assert client.post(reverse("audit_log:delete", args=[entry.pk])).status_code in (302, 403)
    assert AuditLogEntry.objects.filter(pk=entry.pk, action="x").exists()


def test_participants_cannot_read_the_audit_log(client, make_user):
    client.force_login(make_user("participant"))
    response = client.get(reverse("audit_log:index"))
    assert response.status_code in (302, 403)

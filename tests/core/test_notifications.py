import pytest
from django.core import mail
from django.urls import reverse

from core.models import Notification
from core.services.notifications import notification_mark_read, notification_send
from core.tasks import notification_email_send

pytestmark = pytest.mark.django_db


def test_notification_is_stored_and_emailed_once_after_commit(
    make_user, django_capture_on_commit_callbacks
):
    user = make_user(email="reader@example.org")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notification = notification_send(
            recipient=user, kind="account.welcome", title="Заявка принята", url="/cabinet/"
        )
    assert not mail.outbox, "no email before the transaction commits"
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["reader@example.org"]
    assert "Заявка принята" in mail.outbox[0].subject
    assert "/cabinet/" in mail.outbox[0].body
    notification.refresh_from_db()
    assert notification.emailed_at is not None
    # Running the task again (a retried job) sends nothing more.
    notification_email_send.call(notification.pk)
    assert len(mail.outbox) == 1


def test_in_site_only_notification_sends_no_email(make_user, django_capture_on_commit_callbacks):
    user = make_user()
    with django_capture_on_commit_callbacks(execute=True):
        notification_send(recipient=user, kind="account.welcome", title="Тихо", email=False)
    assert not mail.outbox
    assert Notification.objects.filter(recipient=user).count() == 1


def test_mark_read_touches_only_own_notifications(make_user):
    owner, other = make_user(), make_user()
    mine = notification_send(recipient=owner, kind="k", title="a", email=False)
    theirs = notification_send(recipient=other, kind="k", title="b", email=False)
    assert notification_mark_read(user=owner, notification_id=theirs.pk) == 0
    assert notification_mark_read(user=owner, notification_id=mine.pk) == 1
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_notifications_page_and_unread_badge(client, make_user):
    user = make_user()
    notification_send(recipient=user, kind="k", title="Новая заявка", email=False)
    client.force_login(user)
    response = client.get(reverse("core:notifications"))
    assert "Новая заявка" in response.content.decode()
    assert 'class="badge"' in client.get(reverse("core:cabinet")).content.decode()
    response = client.post(
        reverse("core:notifications_mark_read"), {"next": "https://evil.example.com/"}
    )
    assert response.url == reverse("core:notifications")
    assert not Notification.objects.filter(recipient=user, read_at__isnull=True).exists()
    assert 'class="badge"' not in client.get(reverse("core:cabinet")).content.decode()
    assert client.post(reverse("core:notifications_mark_read"), {"id": "x1"}).status_code == 404

from django.db import transaction
from django.utils import timezone

from core.models import Notification, User
from core.tasks import notification_email_send


@transaction.atomic
def notification_send(
    *,
    recipient: User,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    email: bool = True,
) -> Notification:
    """Create an in-site notification; the email copy goes out after the commit."""
    notification = Notification.objects.create(
        recipient=recipient, kind=kind, title=title, body=body, url=url, send_email=email
    )
    if email:
        transaction.on_commit(lambda: notification_email_send.enqueue(notification.pk))
    return notification


def notification_mark_read(*, user: User, notification_id: int | None = None) -> int:
    """Mark one (or, without an id, every) unread notification of ``user`` as read."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    return unread.update(read_at=timezone.now())

"""Background tasks of the kernel (django-tasks)."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django_tasks import task


@task()
def notification_email_send(notification_id: int) -> bool:
    """Mirror an in-site notification by email, once."""
    from core.models import Notification

    notification = (
        Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    )
    if notification is None or notification.emailed_at is not None:
        return False
    recipient = notification.recipient
    if not recipient.is_active and notification.kind != "account.confirm_email":
        return False
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "notification": notification,
            "recipient": recipient,
            "site_url": settings.SITE_URL,
            "site_name": settings.WAGTAIL_SITE_NAME,
        }
        body = render_to_string("core/email/notification.txt", context)
    send_mail(
        subject=f"{settings.WAGTAIL_SITE_NAME}: {notification.title}",
        message=body,
        from_email=None,
        recipient_list=[recipient.email],
    )
    # A conditional update makes a second run of the same task a no-op.
    return bool(
        Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
    )


@task()
def email_confirmation_send(user_id: int) -> bool:
    """Send the link that confirms a new account's email address."""
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from core.models import User
    from core.tokens import email_confirmation_token

    user = User.objects.filter(pk=user_id, email_confirmed_at__isnull=True).first()
    if user is None:
        return False
    path = reverse(
        "core:confirm_email",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": email_confirmation_token.make_token(user),
        },
    )
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "user": user,
            "confirm_url": f"{settings.SITE_URL}{path}",
            "site_name": settings.WAGTAIL_SITE_NAME,
            "days": settings.PASSWORD_RESET_TIMEOUT // 86400,
        }
        subject = render_to_string("core/email/confirm_subject.txt", context).strip()
        body = render_to_string("core/email/confirm.txt", context)
    send_mail(subject=subject, message=body, from_email=None, recipient_list=[user.email])
    return True

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.models import Consent, ConsentDocument, User
from core.services.audit import audit_log
from core.utils import client_ip


class ConsentUnavailable(Exception):
    """No consent text is in force for the purpose."""


def consent_document_current(purpose: str) -> ConsentDocument:
    document = (
        ConsentDocument.objects.filter(purpose=purpose, published_at__lte=timezone.now())
        .order_by("-published_at")
        .first()
    )
    if document is None:
        raise ConsentUnavailable(purpose)
    return document


@transaction.atomic
def consent_grant(*, user: User, purpose: str, request=None) -> Consent:
    """Record the user's consent to the current text of ``purpose``; idempotent."""
    document = consent_document_current(purpose)
    active = Consent.objects.select_for_update().filter(
        user=user, purpose=purpose, withdrawn_at__isnull=True
    )
    existing = active.first()
    if existing is not None and existing.document_id == document.pk:
        return existing
    now = timezone.now()
    ip = client_ip(request) if request is not None else None
    if existing is not None:
        # Consent to a newer text replaces consent to the old one.
        active.update(withdrawn_at=now, withdrawn_ip=ip)
    try:
        with transaction.atomic():
            consent = Consent.objects.create(
                user=user,
                document=document,
                purpose=purpose,
                granted_ip=ip,
                user_agent=(request.META.get("HTTP_USER_AGENT", "") if request else "")[:300],
            )
    except IntegrityError:
        # A concurrent request recorded the same consent first.
        return Consent.objects.get(user=user, purpose=purpose, withdrawn_at__isnull=True)
    audit_log(
        action="consent.grant",
        actor=user,
        target=consent,
        data={"purpose": purpose, "version": document.version},
        request=request,
    )
    return consent


@transaction.atomic
def consent_withdraw(*, user: User, purpose: str, request=None) -> bool:
    ip = client_ip(request) if request is not None else None
    changed = Consent.objects.filter(user=user, purpose=purpose, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now(), withdrawn_ip=ip
    )
    if changed:
        audit_log(action="consent.withdraw", actor=user, data={"purpose": purpose}, request=request)
    return bool(changed)


def consent_is_active(*, user: User, purpose: str) -> bool:
    return Consent.objects.filter(user=user, purpose=purpose, withdrawn_at__isnull=True).exists()

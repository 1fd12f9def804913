from typing import Any

from django.db import models

from core.models import AuditLogEntry, User
from core.utils import client_ip


def audit_log(
    *,
    action: str,
    actor: User | None = None,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
    request=None,
) -> AuditLogEntry:
    """Record a significant action. Apps call this for anything someone may later ask about."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    return AuditLogEntry.objects.create(
        actor=actor,
        actor_repr=(f"{actor} <{actor.email}>" if actor else "")[:300],
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:300] if target is not None else "",
        data=data or {},
        ip=client_ip(request) if request is not None else None,
    )

"""The private calendar feed's token: created, replaced and revoked by its owner."""

import secrets

from django.db import transaction

from core.models import User
from core.services.audit import audit_log
from lms.models import CalendarFeedToken
from lms.selectors.events import calendar_token_hash

#: 32 random bytes = 256 bits, URL-safe (PITFALLS: at least 128 bits).
TOKEN_BYTES = 32


@transaction.atomic
def calendar_token_regenerate(*, user: User, request=None) -> str:
    """Issue a new secret for the user's feed, invalidating the previous one.

    Returns the raw token; only its hash is stored, so this is the one moment
    it can be shown.
    """
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    CalendarFeedToken.objects.update_or_create(
        user=user, defaults={"token_hash": calendar_token_hash(raw), "last_used_at": None}
    )
    audit_log(action="calendar.token_regenerate", actor=user, target=user, request=request)
    return raw


@transaction.atomic
def calendar_token_revoke(*, user: User, request=None) -> bool:
    deleted, _ = CalendarFeedToken.objects.filter(user=user).delete()
    if deleted:
        audit_log(action="calendar.token_revoke", actor=user, target=user, request=request)
    return bool(deleted)

"""What certificates contribute to the site through the plugin registry.

``LmsConfig`` (``lms/apps.py``) calls these from its hooks; they check their
own permissions and cost a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.plugins import CabinetSection, NotificationKind
from lms.certificates.selectors.issuing import user_certificates
from lms.certificates.services.issuing import NOTIFY_ISSUED

CABINET_LIMIT = 3


def cabinet_sections(request) -> Iterator[CabinetSection]:
    """«My certificates»: the latest documents and the way to all of them (one query)."""
    user = request.user
    if not user.is_authenticated:
        return
    latest = list(user_certificates(user)[: CABINET_LIMIT + 1])
    yield CabinetSection(
        key="certificates",
        title=_("My certificates"),
        template="certificates/includes/cabinet_certificates.html",
        context={
            "certificates": latest[:CABINET_LIMIT],
            "has_more": len(latest) > CABINET_LIMIT,
            "list_url": reverse("lms:certificates:mine"),
        },
        order=26,
    )


def notification_kinds() -> list[NotificationKind]:
    return [NotificationKind(NOTIFY_ISSUED, _("Issued certificates"))]

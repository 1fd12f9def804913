from .audit import AuditLogEntry
from .consent import Consent, ConsentDocument, ConsentPurpose
from .notifications import Notification
from .organisations import District, Membership, MembershipRole, Organisation, OrganisationKind
from .search import SearchEntry
from .users import User

__all__ = [
    "AuditLogEntry",
    "Consent",
    "ConsentDocument",
    "ConsentPurpose",
    "District",
    "Membership",
    "MembershipRole",
    "Notification",
    "Organisation",
    "OrganisationKind",
    "SearchEntry",
    "User",
]

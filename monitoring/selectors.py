from django.db.models import QuerySet

from core.models import Organisation
from core.models.organisations import IbcStatus


def ibc_registry(*, district_id: int | None = None) -> QuerySet[Organisation]:
    """Organisations holding the information-library centre status."""
    organisations = Organisation.objects.filter(
        is_active=True, ibc_status=IbcStatus.IBC
    ).select_related("district")
    if district_id:
        organisations = organisations.filter(district_id=district_id)
    return organisations.order_by("district__name", "name")

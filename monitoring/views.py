from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from core.models import District
from core.selectors import user_organisations
from monitoring import selectors


@login_required
def campaigns(request):
    """Monitoring campaigns of the user's organisations (campaigns arrive with their issue)."""
    return render(
        request,
        "monitoring/campaigns.html",
        {
            "organisations": user_organisations(request.user),
            "breadcrumbs": [(_("Monitoring"), "")],
        },
    )


def expertise(request):
    return render(request, "monitoring/expertise.html", {"breadcrumbs": [(_("IBC status"), "")]})


def registry(request):
    district_raw = request.GET.get("district", "")
    district_id = int(district_raw) if district_raw.isdigit() else None
    page = Paginator(selectors.ibc_registry(district_id=district_id), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "monitoring/registry.html",
        {
            "page": page,
            "districts": District.objects.all(),
            "district_id": district_id,
            "breadcrumbs": [
                (_("IBC status"), reverse("monitoring:expertise")),
                (_("Registry of information-library centres"), ""),
            ],
        },
    )

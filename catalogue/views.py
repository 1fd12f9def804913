from django.shortcuts import render
from django.utils.translation import gettext as _


def index(request):
    """The OPAC entry page. Records, search and OAI-PMH arrive with the catalogue issue."""
    return render(
        request,
        "catalogue/index.html",
        {"query": request.GET.get("q", "").strip()[:200], "breadcrumbs": [(_("Catalogue"), "")]},
    )

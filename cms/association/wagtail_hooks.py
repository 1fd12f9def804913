"""Friendlier answers to people who may not open members-only association content.

Wagtail's own privacy check (which still runs after these hooks) sends every
refused visitor, signed in or not, to its bare login form. For the association
we send anonymous visitors to the site's sign-in page and tell signed-in
non-members, with a 403, that the content is for members and how to join.
"""

from django.contrib.auth.views import redirect_to_login
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from wagtail import hooks
from wagtail.models import BaseViewRestriction

from cms.association import selectors
from cms.association.models import AssociationPostPage, AssociationSectionPage


def _refusal(request, refused: list, *, join_url: str):
    if any(r.restriction_type == BaseViewRestriction.PASSWORD for r in refused):
        return None  # Wagtail asks for the password itself.
    if not request.user.is_authenticated:
        response = redirect_to_login(request.get_full_path())
    else:
        response = TemplateResponse(
            request,
            "association/members_only.html",
            {"join_url": join_url, "breadcrumbs": []},
            status=403,
        )
    add_never_cache_headers(response)
    return response


@hooks.register("before_serve_page", order=-10)
def members_only_pages(page, request, serve_args, serve_kwargs):
    if page.specific_class not in (AssociationSectionPage, AssociationPostPage):
        return None
    refused = [r for r in page.get_view_restrictions() if not r.accept_request(request)]
    if not refused:
        return None
    return _refusal(request, refused, join_url=selectors.join_url())


@hooks.register("before_serve_document", order=-10)
def members_only_documents(document, request):
    members = selectors.members_group()
    if members is None:
        return None
    refused = [
        r
        for r in document.collection.get_view_restrictions().filter(groups=members)
        if not r.accept_request(request)
    ]
    if not refused:
        return None
    return _refusal(request, refused, join_url=selectors.join_url())

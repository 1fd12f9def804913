"""Pages of the association: the section root, joining, members, coordinator's requests.

``AssociationIndexPage`` routes here (RoutablePageMixin); views only parse
input, check permissions, call services and selectors, and render.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from cms.association import selectors
from cms.association.forms import DecisionForm, JoinForm, RemoveForm
from cms.association.models import AssociationMembership, MembershipStatus
from cms.association.services import (
    MembershipRefused,
    association_membership_decide,
    association_membership_leave,
    association_membership_remove,
    association_membership_request,
)
from core.models import ConsentPurpose
from core.services.consent import consent_is_active

MEMBERS_PAGE_SIZE = 50
SECTION_PAGE_SIZE = 20


def _url(index, route: str, *args) -> str:
    return index.url + index.reverse_subpage(route, args=args)


def _breadcrumbs(index, title: str) -> list[tuple[str, str]]:
    return [*index.get_breadcrumbs(), (index.title, index.url), (title, "")]


def _render(request, index, template: str, title: str, context: dict):
    context = {
        "index": index,
        "title": title,
        "breadcrumbs": _breadcrumbs(index, title),
        "is_coordinator": selectors.is_coordinator(request.user),
        **context,
    }
    return TemplateResponse(request, template, context)


def _require_post(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return None


def _require_coordinator(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not selectors.is_coordinator(request.user):
        raise PermissionDenied
    return None


# --- pages -----------------------------------------------------------------


def index_context(request, index) -> dict:
    user = request.user
    sections, has_hidden = selectors.index_sections(request, index)
    coordinator = selectors.is_coordinator(user)
    return {
        "sections": sections,
        "has_members_only_sections": has_hidden,
        "announcements": list(selectors.latest_posts(index)),
        "meetings": selectors.upcoming_meetings(request),
        "members_count": selectors.members_count(),
        "member_colleges": list(selectors.member_colleges()),
        "membership": selectors.membership_latest_for(user),
        "can_see_people": coordinator or selectors.is_member(user),
        "is_coordinator": coordinator,
        "pending_count": selectors.pending_count() if coordinator else 0,
        "join_url": _url(index, "join"),
        "leave_url": _url(index, "leave"),
        "members_url": _url(index, "members"),
        "requests_url": _url(index, "requests"),
    }


def section_context(request, section) -> dict:
    posts = selectors.section_posts(request, section)
    return {
        "page_obj": Paginator(posts, SECTION_PAGE_SIZE).get_page(request.GET.get("page")),
        "is_private": selectors.page_is_private(section),
    }


def join_view(request, index):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    user = request.user
    active = selectors.membership_active_for(user)
    if active is not None:
        # Also what a second submit of the form lands on: the first one did the work.
        if active.status == MembershipStatus.APPROVED:
            messages.info(request, _("You are already a member of the association."))
        else:
            messages.info(request, _("Your request has been sent and is under review."))
        return redirect(index.url)
    needs_consent = not consent_is_active(user=user, purpose=ConsentPurpose.PERSONAL_DATA)
    form = JoinForm(request.POST or None, user=user, needs_consent=needs_consent)
    if request.method == "POST" and form.is_valid():
        try:
            association_membership_request(
                user=user,
                organisation_id=form.cleaned_data["organisation"].pk,
                motivation=form.cleaned_data["motivation"],
                consent_given=form.cleaned_data.get("consent", False),
                requests_url=_url(index, "requests"),
                request=request,
            )
        except MembershipRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(
                request, _("Your request has been sent. The coordinator will review it soon.")
            )
            return redirect(index.url)
    return _render(
        request,
        index,
        "association/join.html",
        _("Join the association"),
        {
            "form": form,
            "has_colleges": form.fields["organisation"].queryset.exists(),
        },
    )


def leave_view(request, index):
    if (response := _require_post(request)) is not None:
        return response
    if not request.user.is_authenticated:
        return redirect_to_login(index.url)
    membership = association_membership_leave(user=request.user, request=request)
    if membership is None:
        messages.info(request, _("You are not a member of the association."))
    else:
        messages.success(request, _("You have left the association."))
    return redirect(index.url)


def members_view(request, index):
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not selectors.can_see_people(user):
        raise PermissionDenied
    members = Paginator(selectors.members_list(), MEMBERS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return _render(
        request,
        index,
        "association/members.html",
        _("Members of the association"),
        {"page_obj": members, "remove_form": RemoveForm()},
    )


def member_remove_view(request, index, membership_id: int):
    if (response := _require_post(request)) is not None:
        return response
    if (response := _require_coordinator(request)) is not None:
        return response
    form = RemoveForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        membership = association_membership_remove(
            membership_id=membership_id,
            actor=request.user,
            comment=comment,
            url=index.url,
            request=request,
        )
    except AssociationMembership.DoesNotExist as exc:
        raise Http404 from exc
    except MembershipRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request,
            _("%(name)s is no longer a member.") % {"name": membership.user.get_full_name()},
        )
    return redirect(_url(index, "members"))


def _requests_page(request, index, *, bound: DecisionForm | None = None):
    rows = []
    for membership in selectors.pending_requests():
        form = bound if bound is not None and bound.prefix == f"m{membership.pk}" else None
        rows.append((membership, form or DecisionForm(prefix=f"m{membership.pk}")))
    return _render(
        request,
        index,
        "association/requests.html",
        _("Requests to join"),
        {"rows": rows, "decisions": selectors.recent_decisions()},
    )


def requests_view(request, index):
    if (response := _require_coordinator(request)) is not None:
        return response
    return _requests_page(request, index)


def decide_view(request, index, membership_id: int):
    if (response := _require_post(request)) is not None:
        return response
    if (response := _require_coordinator(request)) is not None:
        return response
    if not AssociationMembership.objects.filter(pk=membership_id).exists():
        raise Http404
    form = DecisionForm(request.POST, prefix=f"m{membership_id}")
    if not form.is_valid():
        return _requests_page(request, index, bound=form)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        membership = association_membership_decide(
            membership_id=membership_id,
            actor=request.user,
            approve=approve,
            comment=form.cleaned_data["comment"],
            url=index.url,
            request=request,
        )
    except AssociationMembership.DoesNotExist as exc:
        raise Http404 from exc
    except MembershipRefused as refusal:
        messages.error(request, refusal.message)
        return redirect(_url(index, "requests"))
    name = membership.user.get_full_name()
    if membership.status == MembershipStatus.APPROVED:
        messages.success(request, _("%(name)s is now a member.") % {"name": name})
    else:
        messages.success(request, _("The request of %(name)s is rejected.") % {"name": name})
    return redirect(_url(index, "requests"))

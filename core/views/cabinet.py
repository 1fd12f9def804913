from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core import plugins, selectors
from core.forms import MembershipRequestForm, ProfileForm
from core.models import ConsentPurpose
from core.services.accounts import membership_request, user_update_profile
from core.services.consent import ConsentUnavailable, consent_grant, consent_withdraw
from core.services.notifications import notification_mark_read
from core.utils import safe_next_url


@login_required
def cabinet(request):
    return render(
        request,
        "core/cabinet/cabinet.html",
        {"sections": plugins.cabinet_sections(request), "breadcrumbs": []},
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    profile_form = ProfileForm(
        request.POST if request.POST.get("form") == "profile" else None, instance=request.user
    )
    membership_form = MembershipRequestForm(
        request.POST if request.POST.get("form") == "membership" else None
    )
    if request.method == "POST":
        if request.POST.get("form") == "profile" and profile_form.is_valid():
            user_update_profile(user=request.user, request=request, **profile_form.cleaned_data)
            messages.success(request, _("Profile saved."))
            return redirect("core:profile")
        if request.POST.get("form") == "membership" and membership_form.is_valid():
            membership_request(
                user=request.user,
                organisation=membership_form.cleaned_data["organisation"],
                request=request,
            )
            messages.success(
                request, _("Request sent. The department will confirm your membership.")
            )
            return redirect("core:profile")
    return render(
        request,
        "core/cabinet/profile.html",
        {
            "profile_form": profile_form,
            "membership_form": membership_form,
            "memberships": request.user.memberships.select_related(
                "organisation", "organisation__district"
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def consents(request):
    if request.method == "POST":
        purpose = request.POST.get("purpose", "")
        if purpose not in ConsentPurpose.values:
            messages.error(request, _("Unknown consent purpose."))
            return redirect("core:consents")
        if request.POST.get("action") == "withdraw":
            consent_withdraw(user=request.user, purpose=purpose, request=request)
            messages.success(request, _("Consent withdrawn."))
        elif request.POST.get("action") == "grant":
            try:
                consent_grant(user=request.user, purpose=purpose, request=request)
            except ConsentUnavailable:
                messages.error(request, _("This consent text is not published yet."))
            else:
                messages.success(request, _("Consent recorded."))
        return redirect("core:consents")
    return render(
        request,
        "core/cabinet/consents.html",
        {
            "purposes": selectors.consents_for(request.user),
            "history": selectors.consent_history_for(request.user),
        },
    )


@login_required
def notifications(request):
    return render(
        request,
        "core/cabinet/notifications.html",
        {"notifications": selectors.notifications_for(request.user, limit=200)},
    )


@login_required
@require_POST
def notifications_mark_read(request):
    raw_id = request.POST.get("id", "")
    if raw_id and not raw_id.isdigit():
        raise Http404
    notification_mark_read(user=request.user, notification_id=int(raw_id) if raw_id else None)
    return redirect(safe_next_url(request, request.POST.get("next"), reverse("core:notifications")))


@login_required
@permission_required("core.view_dashboard", raise_exception=True)
def dashboard(request):
    return render(
        request, "core/cabinet/dashboard.html", {"widgets": plugins.dashboard_widgets(request)}
    )

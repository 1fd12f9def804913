"""The issuers' side: a cohort's and an event's documents, one by one or in bulk, and the
progress page of a bulk issue.

A cohort's page needs both the right to manage the cohort and to issue
certificates (403 otherwise); ids of people outside the cohort or the event are
a 404. A refused issue changes nothing and keeps what was typed in the row.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from lms.certificates.models import CertificateKind
from lms.certificates.selectors.issuing import (
    ISSUE_PERMISSION,
    batch_for_viewer,
    batch_progress,
    cohort_certificate_rows,
    cohort_enrollment,
    event_certificate_rows,
    event_registered_user,
    recent_batches,
    study_record_available,
)
from lms.certificates.services.batches import certificate_batch_start
from lms.certificates.services.issuing import (
    CertificateRefused,
    certificate_issue_for_enrollment,
    certificate_issue_for_event,
)
from lms.courses.models import Cohort, EnrollmentStatus
from lms.courses.selectors.enrollment import can_manage_cohort
from lms.models import EventPage


class BlankForm(forms.Form):
    """The printed blank's series and number, when the document goes on a numbered blank."""

    blank_series = forms.CharField(
        label=gettext_lazy("Blank series"), max_length=20, required=False
    )
    blank_number = forms.CharField(
        label=gettext_lazy("Blank number"), max_length=30, required=False
    )


def _posted_id(request, name: str) -> int:
    raw = request.POST.get(name, "")
    if not raw.isdigit() or len(raw) > 12:
        raise Http404
    return int(raw)


def _issued_message(request, certificate, created: bool) -> None:
    if created:
        messages.success(
            request,
            _("Issued: %(kind)s No. %(number)s to %(name)s.")
            % {
                "kind": certificate.get_kind_display(),
                "number": certificate.registration_number,
                "name": certificate.full_name,
            },
        )
    else:
        messages.info(
            request,
            _("%(name)s already has a valid document: No. %(number)s.")
            % {"name": certificate.full_name, "number": certificate.registration_number},
        )


# --- a cohort --------------------------------------------------------------------------------


def _cohort_issue(request, cohort: Cohort, form: BlankForm) -> bool:
    """Issue one row's document; False (with a message) when refused."""
    enrollment = cohort_enrollment(cohort, _posted_id(request, "enrollment"))
    if enrollment is None:
        raise Http404
    if not form.is_valid():
        messages.error(request, _("Please correct the blank's series or number."))
        return False
    kind = None
    if enrollment.status != EnrollmentStatus.COMPLETED:
        if not study_record_available(enrollment):
            messages.error(
                request,
                _("%(name)s is still studying: nothing can be issued yet.")
                % {"name": enrollment.user.get_full_name() or enrollment.user.email},
            )
            return False
        kind = CertificateKind.STUDY_RECORD
    try:
        certificate, created = certificate_issue_for_enrollment(
            enrollment=enrollment,
            kind=kind,
            issued_by=request.user,
            blank_series=form.cleaned_data["blank_series"].strip(),
            blank_number=form.cleaned_data["blank_number"].strip(),
        )
    except CertificateRefused as refusal:
        messages.error(request, refusal.message)
        return False
    _issued_message(request, certificate, created)
    return True


@login_required
@require_http_methods(["GET", "POST"])
def cohort_certificates(request, cohort_id: int):
    cohort = get_object_or_404(Cohort.objects.select_related("course"), pk=cohort_id)
    if not (can_manage_cohort(request.user, cohort) and request.user.has_perm(ISSUE_PERMISSION)):
        raise PermissionDenied
    form = BlankForm()
    failed_row = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "bulk":
            batch = certificate_batch_start(by=request.user, cohort=cohort)
            return redirect(batch.get_absolute_url())
        if action != "issue":
            return HttpResponseBadRequest()
        form = BlankForm(request.POST)
        if _cohort_issue(request, cohort, form):
            return redirect("lms:certificates:cohort", cohort.pk)
        failed_row = int(request.POST["enrollment"])
    rows = cohort_certificate_rows(cohort)
    return TemplateResponse(
        request,
        "certificates/cohort_certificates.html",
        {
            "cohort": cohort,
            "course": cohort.course,
            "rows": rows,
            "to_issue": sum(1 for row in rows if row.can_issue == "certificate"),
            "form": form,
            "failed_row": failed_row,
            "batches": recent_batches(cohort=cohort),
            "breadcrumbs": [
                (_("My cabinet"), reverse("core:cabinet")),
                (_("My cohorts"), reverse("lms:courses:cohort_list")),
                (str(cohort), reverse("lms:courses:cohort_roster", args=[cohort.pk])),
                (_("Certificates"), ""),
            ],
        },
    )


# --- an event --------------------------------------------------------------------------------


def _event_closed_reason(event: EventPage) -> str:
    if event.is_cancelled:
        return _("The event was cancelled: no participation certificates are issued.")
    if not event.is_past():
        return _("Participation certificates are issued after the event ends (%(end)s).") % {
            "end": date_format(localtime(event.end), "DATETIME_FORMAT")
        }
    return ""


@login_required
@require_http_methods(["GET", "POST"])
def event_certificates(request, event_id: int):
    if not request.user.has_perm(ISSUE_PERMISSION):
        raise PermissionDenied
    event = get_object_or_404(EventPage, pk=event_id)
    closed_reason = _event_closed_reason(event)
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in ("issue", "bulk"):
            return HttpResponseBadRequest()
        if closed_reason:
            messages.error(request, closed_reason)
            return redirect("lms:certificates:event", event.pk)
        if action == "bulk":
            batch = certificate_batch_start(by=request.user, event=event)
            return redirect(batch.get_absolute_url())
        user = event_registered_user(event, _posted_id(request, "user"))
        if user is None:
            raise Http404
        try:
            certificate, created = certificate_issue_for_event(
                event=event, user=user, issued_by=request.user
            )
        except CertificateRefused as refusal:
            messages.error(request, refusal.message)
        else:
            _issued_message(request, certificate, created)
        return redirect("lms:certificates:event", event.pk)
    rows = event_certificate_rows(event)
    crumbs = [*event.get_breadcrumbs(), (event.title, event.url)]
    if event.url and request.user.has_perm("lms.manage_registrations"):
        crumbs.append((_("Registrations"), f"{event.url}registrations/"))
    return TemplateResponse(
        request,
        "certificates/event_certificates.html",
        {
            "event": event,
            "rows": rows,
            "closed_reason": closed_reason,
            "eligible": sum(1 for row in rows if row.meets_threshold and not row.certificate),
            "batches": recent_batches(event=event),
            "breadcrumbs": [*crumbs, (_("Participation certificates"), "")],
        },
    )


# --- a bulk issue ----------------------------------------------------------------------------


@login_required
@require_GET
def batch_detail(request, batch_id: int):
    batch = batch_for_viewer(request.user, batch_id)
    if batch is None:
        raise Http404
    progress = batch_progress(batch)
    if request.GET.get("format") == "json":
        response = JsonResponse(progress.as_json())
        response["Cache-Control"] = "no-store"
        return response
    if batch.cohort_id is not None:
        back = (str(batch.cohort), reverse("lms:certificates:cohort", args=[batch.cohort_id]))
    else:
        back = (batch.event.title, reverse("lms:certificates:event", args=[batch.event_id]))
    return TemplateResponse(
        request,
        "certificates/batch_detail.html",
        {
            "batch": batch,
            "progress": progress,
            "back": back,
            "breadcrumbs": [
                (_("My cabinet"), reverse("core:cabinet")),
                back,
                (_("Bulk issue"), ""),
            ],
        },
    )

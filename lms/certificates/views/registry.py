"""The register of issued documents: the filtered list, one document's page with revocation,
duplicates and the blank it was printed on, and the ФИС ФРДО export with its check page.

Reading the register needs ``certificates.view_certificate``; revoking, issuing a
duplicate, recording a blank and downloading the export also need
``certificates.issue_certificate``.
A refused change keeps the form filled and changes nothing.
"""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.services.audit import audit_log
from lms.certificates.forms import BlankForm, DuplicateForm, RegistryFilterForm, RevokeForm
from lms.certificates.models import Certificate
from lms.certificates.selectors.frdo import frdo_rows, frdo_workbook_write
from lms.certificates.selectors.issuing import ISSUE_PERMISSION, VIEW_ANY_PERMISSION
from lms.certificates.selectors.registry import (
    certificate_history,
    registry_certificate,
    registry_certificates,
    registry_page_rows,
)
from lms.certificates.services.blanks import blank_recordable, certificate_blank_record
from lms.certificates.services.issuing import (
    CertificateRefused,
    certificate_duplicate_issue,
    certificate_revoke,
)

REGISTRY_PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

can_view = permission_required(VIEW_ANY_PERMISSION, raise_exception=True)
can_issue = permission_required((VIEW_ANY_PERMISSION, ISSUE_PERMISSION), raise_exception=True)


def _registry_crumbs(*tail) -> list[tuple[str, str]]:
    return [
        (_("My cabinet"), reverse("core:cabinet")),
        (_("Register of documents"), reverse("lms:certificates:registry") if tail else ""),
        *tail,
    ]


def _filtered(request):
    """The filter form bound to the query string, the documents it selects (none while
    the filters are wrong) and the query string to carry to the other register pages."""
    form = RegistryFilterForm(request.GET)
    certificates = registry_certificates(**form.filters()) if form.is_valid() else None
    carried = request.GET.copy()
    carried.pop("page", None)
    return form, certificates, carried.urlencode()


@login_required
@can_view
@require_GET
def registry_list(request):
    form, certificates, query_string = _filtered(request)
    page_obj = None
    if certificates is not None:
        page_obj = Paginator(registry_page_rows(certificates), REGISTRY_PAGE_SIZE).get_page(
            request.GET.get("page")
        )
    return TemplateResponse(
        request,
        "certificates/registry_list.html",
        {
            "form": form,
            "page_obj": page_obj,
            "query_string": query_string,
            "can_issue": request.user.has_perm(ISSUE_PERMISSION),
            "breadcrumbs": _registry_crumbs(),
        },
    )


@login_required
@can_view
@require_GET
def frdo_check(request):
    form, certificates, query_string = _filtered(request)
    export = frdo_rows(certificates) if certificates is not None else None
    return TemplateResponse(
        request,
        "certificates/frdo_check.html",
        {
            "form": form,
            "export": export,
            "query_string": query_string,
            "can_issue": request.user.has_perm(ISSUE_PERMISSION),
            "breadcrumbs": _registry_crumbs((_("Export to ФИС ФРДО"), "")),
        },
        status=200 if export is not None else 400,
    )


@login_required
@can_issue
@require_GET
def frdo_export(request):
    _form, certificates, query_string = _filtered(request)
    if certificates is None:
        # Wrong filters never export the whole register: show them with their errors.
        return frdo_check(request)
    rows, problems = frdo_rows(certificates)
    stream = io.BytesIO()
    frdo_workbook_write(rows, stream)
    audit_log(
        action="certificates.frdo_export",
        actor=request.user,
        data={"exported": len(rows), "left_out": len(problems), "filters": query_string},
        request=request,
    )
    response = HttpResponse(stream.getvalue(), content_type=XLSX)
    filename = f"frdo-{timezone.localdate():%Y-%m-%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _certificate_or_404(uuid) -> Certificate:
    certificate = registry_certificate(uuid)
    if certificate is None:
        raise Http404
    return certificate


def _detail_response(
    request,
    certificate: Certificate,
    *,
    revoke_form: RevokeForm | None = None,
    duplicate_form: DuplicateForm | None = None,
    blank_form: BlankForm | None = None,
    status: int = 200,
) -> TemplateResponse:
    return TemplateResponse(
        request,
        "certificates/registry_detail.html",
        {
            "certificate": certificate,
            "history": certificate_history(certificate),
            "can_issue": request.user.has_perm(ISSUE_PERMISSION),
            "revoke_form": revoke_form or RevokeForm(),
            "duplicate_form": duplicate_form or DuplicateForm(),
            "blank_recordable": blank_recordable(certificate),
            "blank_form": blank_form
            or BlankForm(
                initial={"series": certificate.blank_series, "number": certificate.blank_number}
            ),
            "breadcrumbs": _registry_crumbs(
                (
                    _("No. %(number)s") % {"number": certificate.registration_number},
                    "",
                )
            ),
        },
        status=status,
    )


@login_required
@can_view
@require_GET
def certificate_detail(request, uuid):
    return _detail_response(request, _certificate_or_404(uuid))


@login_required
@can_issue
@require_POST
def certificate_revoke_view(request, uuid):
    certificate = _certificate_or_404(uuid)
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            certificate_revoke(
                certificate=certificate, by=request.user, reason=form.cleaned_data["reason"]
            )
        except CertificateRefused as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(
                request,
                _("Document No. %(number)s is revoked.")
                % {"number": certificate.registration_number},
            )
            return redirect("lms:certificates:detail", certificate.uuid)
    return _detail_response(request, certificate, revoke_form=form, status=400)


@login_required
@can_issue
@require_POST
def certificate_duplicate_view(request, uuid):
    certificate = _certificate_or_404(uuid)
    form = DuplicateForm(request.POST)
    if form.is_valid():
        try:
            duplicate = certificate_duplicate_issue(
                certificate=certificate,
                by=request.user,
                blank_series=form.cleaned_data["blank_series"].strip(),
                blank_number=form.cleaned_data["blank_number"].strip(),
            )
        except CertificateRefused as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(
                request,
                _("Duplicate No. %(number)s is issued in place of No. %(original)s.")
                % {
                    "number": duplicate.registration_number,
                    "original": certificate.registration_number,
                },
            )
            return redirect("lms:certificates:detail", duplicate.uuid)
    return _detail_response(request, certificate, duplicate_form=form, status=400)


@login_required
@can_issue
@require_POST
def certificate_blank_view(request, uuid):
    certificate = _certificate_or_404(uuid)
    form = BlankForm(request.POST)
    if form.is_valid():
        try:
            certificate = certificate_blank_record(
                certificate=certificate,
                by=request.user,
                series=form.cleaned_data["series"],
                number=form.cleaned_data["number"],
            )
        except CertificateRefused as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(
                request,
                _("The blank of document No. %(number)s is recorded.")
                % {"number": certificate.registration_number},
            )
            return redirect("lms:certificates:detail", certificate.uuid)
    return _detail_response(request, certificate, blank_form=form, status=400)

"""The holder's side: my documents, the PDF download, asking for a record of study.

A document that is not the user's to see is a 404, never a 403: nobody learns
that a registration number or an enrollment exists.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from lms.certificates.models import CertificateKind
from lms.certificates.selectors.issuing import (
    certificate_for_download,
    study_record_available,
    study_record_candidates,
    user_certificates,
)
from lms.certificates.services.files import certificate_pdf_open
from lms.certificates.services.issuing import CertificateRefused, certificate_issue_for_enrollment
from lms.courses.models import Enrollment, EnrollmentStatus


@login_required
@require_GET
def my_certificates(request):
    return TemplateResponse(
        request,
        "certificates/my_certificates.html",
        {
            "certificates": user_certificates(request.user),
            "candidates": study_record_candidates(request.user),
            "breadcrumbs": [
                (_("My cabinet"), reverse("core:cabinet")),
                (_("My certificates"), ""),
            ],
        },
    )


@login_required
@require_GET
def download(request, uuid):
    certificate = certificate_for_download(request.user, uuid)
    if certificate is None:
        raise Http404
    response = FileResponse(
        certificate_pdf_open(certificate=certificate),
        as_attachment=True,
        filename=f"{certificate.registration_number}.pdf",
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private"
    return response


@login_required
@require_POST
def study_record_request(request, enrollment_id: int):
    enrollment = get_object_or_404(
        Enrollment.objects.select_related("cohort__course"), pk=enrollment_id, user=request.user
    )
    # The service refuses a completed course itself; a learner still studying is kept
    # from a record that would stand in the way of the certificate.
    if enrollment.status != EnrollmentStatus.COMPLETED and not study_record_available(enrollment):
        messages.error(
            request,
            _(
                "A record of study is issued when you leave the course or when the "
                "cohort's study has ended."
            ),
        )
        return redirect("lms:certificates:mine")
    try:
        certificate, created = certificate_issue_for_enrollment(
            enrollment=enrollment, kind=CertificateKind.STUDY_RECORD
        )
    except CertificateRefused as refusal:
        messages.error(request, refusal.message)
    else:
        if created:
            messages.success(
                request,
                _("Your record of study No. %(number)s is ready.")
                % {"number": certificate.registration_number},
            )
        else:
            messages.info(request, _("You already have a document for this course."))
    return redirect("lms:certificates:mine")

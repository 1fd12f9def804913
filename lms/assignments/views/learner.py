"""The learner's side: the assignment page with the hand-in form, and file downloads."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from lms.assignments import selectors
from lms.assignments.forms import SubmissionForm
from lms.assignments.models import AssignmentPage
from lms.assignments.services import SubmissionRefused, submission_create
from lms.courses.models import EnrollmentStatus
from lms.courses.selectors.progress import learner_enrollment, page_access, sees_whole_course

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
    "jpeg": "image/jpeg",
    "png": "image/png",
}


def add_validation_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: per field when it names one we show."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _access(request, assignment: AssignmentPage) -> dict:
    """Who is looking: the learner's enrollment, what the course's rules let them do
    with the page and why not; the course's teachers and methodists read it anyway."""
    user = request.user
    course = selectors.assignment_course(assignment)
    enrollment = learner_enrollment(user, course) if course is not None else None
    access = page_access(enrollment, assignment) if enrollment is not None else None
    is_staff = course is not None and sees_whole_course(user, course)
    return {
        "course": course,
        "enrollment": enrollment,
        "locked_reason": access.reason if access is not None and not access.open else "",
        "is_course_staff": is_staff,
        "can_read": is_staff or (access is not None and access.allowed),
        "can_hand_in": access is not None and access.open,
    }


def assignment_detail(request, assignment: AssignmentPage):
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    if request.method == "POST" and not request.user.is_authenticated:
        return redirect_to_login(assignment.url)
    access = _access(request, assignment)
    enrollment = access["enrollment"]
    history = selectors.submission_history(enrollment, assignment) if enrollment else []
    studying = enrollment is not None and enrollment.status == EnrollmentStatus.ENROLLED
    can_submit = studying and access["can_hand_in"] and selectors.can_submit_again(history)

    form = SubmissionForm(assignment=assignment) if can_submit else None
    if request.method == "POST":
        if enrollment is None:
            messages.error(request, _("You cannot hand in this assignment now."))
            return redirect(assignment.url)
        # The service decides, so a double click finds the first hand-in instead of an error.
        form = SubmissionForm(request.POST, request.FILES, assignment=assignment)
        if form.is_valid():
            try:
                submission_create(
                    user=request.user,
                    assignment=assignment,
                    client_token=form.cleaned_data["client_token"],
                    text=form.cleaned_data.get("text", ""),
                    files=form.cleaned_data.get("files", []),
                    request=request,
                )
            except SubmissionRefused as refusal:
                messages.error(request, refusal.message)
                return redirect(assignment.url)
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                messages.success(
                    request, _("Your work has been handed in. The teacher will review it.")
                )
                return redirect(assignment.url)
        if not can_submit:
            messages.error(request, _("You cannot hand in this assignment now."))
            return redirect(assignment.url)
        if "files" in form.fields:
            messages.warning(
                request, _("Please fix the errors below; files have to be attached again.")
            )

    context = assignment.get_context(request)
    context.update(
        access,
        history=history,
        due_at=selectors.assignment_deadline(enrollment, assignment) if enrollment else None,
        can_submit=can_submit,
        form=form,
        studying=studying,
    )
    return TemplateResponse(request, assignment.get_template(request), context)


@login_required
@require_GET
def file_download(request, file_id: int):
    """A submitted file for its learner and the cohort's teachers; 404 for anyone else."""
    stored = selectors.file_for_viewer(request.user, file_id)
    if stored is None:
        raise Http404
    content_type = CONTENT_TYPES.get(stored.kind, "application/octet-stream")
    try:
        handle = stored.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=stored.name, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response

"""The teachers' side: the review queue and the review page, the gradebook, messages to a
cohort. Teachers see their own cohorts only; methodists (``courses.manage_cohort``) all.
Anything else — someone else's cohort or submission, a forged id — is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from lms.assignments import selectors
from lms.assignments.forms import CohortMessageForm, ReviewForm
from lms.assignments.models import CohortMessage, Submission
from lms.assignments.selectors.gradebook import (
    GRADEBOOK_STATUSES,
    cohort_gradebook,
    gradebook_table,
)
from lms.assignments.services import SubmissionRefused, cohort_message_send, submission_review
from lms.assignments.views.learner import add_validation_errors
from lms.courses.models import Cohort, EnrollmentStatus
from lms.courses.selectors.enrollment import managed_cohorts, manages_any_cohort
from lms.views.exports import csv_response, xlsx_response

QUEUE_PAGE_SIZE = 30
QUERY_MAX = 100


def _int_or_none(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() and len(raw) < 12 else None


def _cabinet_crumbs(*extra) -> list[tuple[str, str]]:
    return [(_("My cabinet"), reverse("core:cabinet")), *extra]


def _cohort_crumbs(cohort: Cohort, title: str) -> list[tuple[str, str]]:
    return _cabinet_crumbs(
        (_("My cohorts"), reverse("lms:courses:cohort_list")),
        (str(cohort), reverse("lms:courses:cohort_roster", args=[cohort.pk])),
        (title, ""),
    )


def _managed_cohort(request, cohort_id: int) -> Cohort:
    """The cohort if the user may manage it; 404 otherwise (no hint that it exists)."""
    return get_object_or_404(managed_cohorts(request.user).select_related("course"), pk=cohort_id)


# --- the review queue ---------------------------------------------------------------------


@login_required
@require_GET
def review_queue(request):
    if not manages_any_cohort(request.user):
        raise PermissionDenied
    cohorts = selectors.queue_cohorts(request.user)
    cohort_ids = {cohort.pk for cohort in cohorts}
    courses = {cohort.course_id: cohort.course for cohort in cohorts}
    cohort = _int_or_none(request.GET.get("cohort"))
    course = _int_or_none(request.GET.get("course"))
    filters = selectors.QueueFilters(
        cohort=cohort if cohort in cohort_ids else None,
        course=course if course in courses else None,
        late=request.GET.get("late") == "1",
    )
    submissions = selectors.review_queue(request.user, filters=filters)
    return TemplateResponse(
        request,
        "assignments/review_queue.html",
        {
            "page_obj": Paginator(submissions, QUEUE_PAGE_SIZE).get_page(request.GET.get("page")),
            "filters": filters,
            "cohorts": cohorts,
            "courses": sorted(courses.values(), key=lambda course: course.title),
            "breadcrumbs": _cabinet_crumbs((_("Work to review"), "")),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def review_detail(request, submission_id: int):
    submission = selectors.submission_for_reviewer(request.user, submission_id)
    if submission is None:
        raise Http404
    assignment = submission.assignment
    form = ReviewForm(request.POST or None, assignment=assignment)
    # A replayed form, or the second of two teachers, reaches the service: it says who won.
    if request.method == "POST" and form.is_valid():
        try:
            submission_review(
                submission_id=submission.pk,
                reviewer=request.user,
                decision=form.cleaned_data["decision"],
                points=form.cleaned_data["points"],
                comment=form.cleaned_data["comment"],
                request=request,
            )
        except Submission.DoesNotExist as exc:
            raise Http404 from exc
        except SubmissionRefused as refusal:
            messages.error(request, refusal.message)
            return redirect("lms:assignments:review", submission_id=submission.pk)
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(
                request,
                _("The decision on the work of %(name)s is saved; the learner is notified.")
                % {"name": submission.enrollment.user.get_full_name()},
            )
            return redirect("lms:assignments:review_queue")
    return TemplateResponse(
        request,
        "assignments/review_detail.html",
        {
            "submission": submission,
            "assignment": assignment,
            "cohort": submission.enrollment.cohort,
            "learner": submission.enrollment.user,
            "history": selectors.reviewer_history(submission),
            "form": form,
            "breadcrumbs": _cabinet_crumbs(
                (_("Work to review"), reverse("lms:assignments:review_queue")),
                (submission.enrollment.user.get_full_name(), ""),
            ),
        },
    )


# --- messages to a cohort -----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def cohort_message(request, cohort_id: int):
    cohort = _managed_cohort(request, cohort_id)
    form = CohortMessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            message = cohort_message_send(
                cohort_id=cohort.pk,
                author=request.user,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                client_token=form.cleaned_data["client_token"],
                request=request,
            )
        except Cohort.DoesNotExist as exc:
            raise Http404 from exc
        except SubmissionRefused as refusal:
            messages.error(request, refusal.message)
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(
                request,
                _("The message is sent to %(count)d learners.") % {"count": message.recipients},
            )
            return redirect("lms:assignments:cohort_message", cohort_id=cohort.pk)
    return TemplateResponse(
        request,
        "assignments/cohort_message.html",
        {
            "cohort": cohort,
            "form": form,
            "sent": CohortMessage.objects.filter(cohort=cohort).select_related("author")[:20],
            "breadcrumbs": _cohort_crumbs(cohort, _("Message to the cohort")),
        },
    )


# --- the gradebook -------------------------------------------------------------------------


@login_required
@require_GET
def gradebook(request, cohort_id: int):
    cohort = _managed_cohort(request, cohort_id)
    status = request.GET.get("status", "")
    status = status if status in GRADEBOOK_STATUSES else ""
    query = request.GET.get("q", "").strip()[:QUERY_MAX]
    book = cohort_gradebook(cohort, query=query, status=status)
    export = request.GET.get("export")
    if export in ("csv", "xlsx"):
        headers, rows = gradebook_table(book)
        filename = f"cohort-{cohort.pk}-gradebook.{export}"
        if export == "csv":
            return csv_response(filename, headers, rows)
        return xlsx_response(
            filename,
            sheet_title=_("Gradebook"),
            caption=str(cohort),
            headers=headers,
            rows=rows,
            widths=(6, 40, 32, 16, *([18] * len(book.items))),
        )
    return TemplateResponse(
        request,
        "assignments/gradebook.html",
        {
            "cohort": cohort,
            "book": book,
            # One reverse() for the thousands of cells: "/cabinet/reviews/" + id + "/".
            "review_base": reverse("lms:assignments:review", args=[0]).removesuffix("0/"),
            "query": query,
            "status": status,
            "statuses": [(value, EnrollmentStatus(value).label) for value in GRADEBOOK_STATUSES],
            "breadcrumbs": _cohort_crumbs(cohort, _("Gradebook")),
        },
    )

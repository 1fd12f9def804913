"""Enrollment views: the ДПО data form, enroll/withdraw on the course page, staff rosters.

The course page routes ``enroll/<id>/`` and ``withdraw/<id>/`` here
(``CoursePage`` is a RoutablePageMixin page); the cabinet URLs are in
``lms.courses.urls``. Views parse input, call services and selectors, render.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.models import ConsentPurpose
from core.plugins import CabinetSection
from core.services.consent import consent_is_active
from core.utils import safe_next_url
from lms.courses.forms import DecisionForm, EnrollForm, LearnerProfileForm
from lms.courses.models import (
    Cohort,
    CoursePage,
    Enrollment,
    EnrollmentMode,
    EnrollmentStatus,
)
from lms.courses.selectors import enrollment as selectors
from lms.courses.services.enrollment import (
    EnrollmentRefused,
    cohort_enrollment_refusal,
    enrollment_approve,
    enrollment_promote,
    enrollment_reject,
    enrollment_request,
    enrollment_withdraw,
    learner_profile_save,
)
from lms.views.exports import csv_response, xlsx_response

ROSTER_PAGE_SIZE = 50
QUERY_MAX = 100


def _cabinet_crumbs(*extra) -> list[tuple[str, str]]:
    return [(_("My cabinet"), reverse("core:cabinet")), *extra]


def _has_consent(user) -> bool:
    return consent_is_active(user=user, purpose=ConsentPurpose.PERSONAL_DATA)


# --- the learner's ДПО data --------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def learner_profile_view(request):
    profile = selectors.learner_profile_for(request.user)
    ask_consent = not _has_consent(request.user)
    form = LearnerProfileForm(
        request.POST if request.method == "POST" else None,
        instance=profile,
        ask_consent=ask_consent,
    )
    next_url = safe_next_url(request, request.POST.get("next") or request.GET.get("next"), "")
    if request.method == "POST" and form.is_valid():
        try:
            learner_profile_save(
                user=request.user,
                consent_given=form.cleaned_data.get("consent", False),
                request=request,
                **form.profile_data(),
            )
        except EnrollmentRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _("Your education and SNILS details are saved."))
            return redirect(next_url or reverse("lms:courses:learner_profile"))
    return TemplateResponse(
        request,
        "courses/learner_profile_form.html",
        {
            "form": form,
            "profile": profile,
            "next_url": next_url,
            "breadcrumbs": _cabinet_crumbs((_("Education and SNILS for certificates"), "")),
        },
    )


# --- enroll and withdraw (routes of the course page) ---------------------------------


def _course_crumbs(course: CoursePage, title: str) -> list[tuple[str, str]]:
    return [*course.get_breadcrumbs(), (course.title, course.url), (title, "")]


def _course_cohort(course: CoursePage, cohort_id: int) -> Cohort:
    cohort = get_object_or_404(Cohort, pk=cohort_id, course_id=course.pk)
    cohort.course = course
    return cohort


def _enroll_success_message(request, enrollment: Enrollment) -> None:
    if enrollment.status == EnrollmentStatus.ENROLLED:
        messages.success(request, _("You are enrolled. Welcome to the course!"))
    elif enrollment.status == EnrollmentStatus.WAITLISTED:
        messages.info(
            request,
            _("The cohort is full: you are number %(position)d on the waiting list.")
            % {"position": enrollment.waitlist_position},
        )
    else:
        messages.info(request, _("Your request has been sent. We will let you know the decision."))


@require_http_methods(["GET", "POST"])
def enroll_view(request, course: CoursePage, cohort_id: int):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    cohort = _course_cohort(course, cohort_id)
    user = request.user
    existing = selectors.user_enrollment(cohort, user)
    if existing is not None and existing.is_active:
        messages.info(
            request,
            _("You are already in this cohort: %(status)s.")
            % {"status": existing.get_status_display()},
        )
        return redirect(course.url)

    profile = selectors.learner_profile_for(user)
    profile_ready = profile is not None and profile.is_complete()
    data = request.POST if request.method == "POST" else None
    profile_form = (
        None if profile_ready else LearnerProfileForm(data, instance=profile, prefix="profile")
    )
    enroll_form = EnrollForm(
        data,
        ask_code=cohort.mode == EnrollmentMode.CODE,
        ask_consent=not _has_consent(user),
    )
    refusal = cohort_enrollment_refusal(cohort, enrollment=existing)

    if request.method == "POST" and refusal is None:
        forms_valid = enroll_form.is_valid()
        if profile_form is not None:
            forms_valid = profile_form.is_valid() and forms_valid
        if forms_valid:
            consent_given = enroll_form.cleaned_data.get("consent", False)
            try:
                if profile_form is not None:
                    learner_profile_save(
                        user=user,
                        consent_given=consent_given,
                        request=request,
                        **profile_form.profile_data(),
                    )
                enrollment = enrollment_request(
                    cohort_id=cohort.pk,
                    user=user,
                    invitation_code=enroll_form.cleaned_data.get("invitation_code", ""),
                    consent_given=consent_given,
                    request=request,
                )
            except Cohort.DoesNotExist as exc:
                raise Http404 from exc
            except EnrollmentRefused as refused:
                field = "invitation_code" if refused.code == "wrong_code" else None
                enroll_form.add_error(field, refused.message)
            else:
                _enroll_success_message(request, enrollment)
                return redirect(course.url)
    elif request.method == "POST":
        messages.error(request, refusal.message)
        return redirect(course.url)

    return TemplateResponse(
        request,
        "courses/enroll.html",
        {
            "course": course,
            "cohort": cohort,
            "profile": profile,
            "profile_form": profile_form,
            "enroll_form": enroll_form,
            "refusal": refusal,
            "breadcrumbs": _course_crumbs(course, _("Enrollment")),
        },
    )


@require_http_methods(["GET", "POST"])
def withdraw_view(request, course: CoursePage, cohort_id: int):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    cohort = _course_cohort(course, cohort_id)
    enrollment = selectors.user_enrollment(cohort, request.user)
    if request.method == "POST":
        try:
            enrollment_withdraw(cohort_id=cohort.pk, user=request.user, request=request)
        except EnrollmentRefused as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(request, _("You have left the cohort."))
        return redirect(course.url)
    if enrollment is None or enrollment.status not in (
        EnrollmentStatus.REQUESTED,
        EnrollmentStatus.WAITLISTED,
        EnrollmentStatus.ENROLLED,
    ):
        messages.info(request, _("You are not enrolled in this cohort."))
        return redirect(course.url)
    return TemplateResponse(
        request,
        "courses/enroll_withdraw.html",
        {
            "course": course,
            "cohort": cohort,
            "enrollment": enrollment,
            "breadcrumbs": _course_crumbs(course, _("Leave the cohort")),
        },
    )


# --- staff: cohorts and rosters -------------------------------------------------------


def _choice(value: str, choices) -> str:
    return value if value in choices.values else ""


def _int_or_none(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() and len(raw) < 12 else None


@login_required
def cohort_list_view(request):
    if not selectors.manages_any_cohort(request.user):
        raise PermissionDenied
    when = request.GET.get("when", "current")
    filters = selectors.CohortFilters(
        when=when if when in ("current", "past", "all") else "current",
        course=_int_or_none(request.GET.get("course")),
    )
    cohorts = selectors.cohort_list(request.user, filters=filters)
    return TemplateResponse(
        request,
        "courses/cohort_list.html",
        {
            "page_obj": Paginator(cohorts, ROSTER_PAGE_SIZE).get_page(request.GET.get("page")),
            "filters": filters,
            "courses": selectors.cohort_courses(request.user),
            "breadcrumbs": _cabinet_crumbs((_("My cohorts"), "")),
        },
    )


def _managed_cohort(request, cohort_id: int) -> Cohort:
    """The cohort if the user may manage it; 404 otherwise (no hint that it exists)."""
    return get_object_or_404(
        selectors.managed_cohorts(request.user).select_related("course"), pk=cohort_id
    )


def _local_stamp(value) -> str:
    return timezone.localtime(value).strftime("%d.%m.%Y %H:%M") if value else ""


def _export_headers() -> list[str]:
    return [
        _("No."),
        _("Full name"),
        _("Email"),
        _("Status"),
        _("Asked at"),
        _("Enrolled at"),
        _("Completed at"),
        _("Decision note"),
    ]


def _export_rows(enrollments):
    for number, enrollment in enumerate(enrollments, start=1):
        yield [
            number,
            enrollment.user.get_full_name(),
            enrollment.user.email,
            enrollment.get_status_display(),
            _local_stamp(enrollment.queued_at),
            _local_stamp(enrollment.enrolled_at),
            _local_stamp(enrollment.completed_at),
            enrollment.decision_note,
        ]


@login_required
def cohort_roster_view(request, cohort_id: int):
    cohort = _managed_cohort(request, cohort_id)
    filters = selectors.RosterFilters(
        status=_choice(request.GET.get("status", ""), EnrollmentStatus),
        query=request.GET.get("q", "").strip()[:QUERY_MAX],
    )
    enrollments = selectors.cohort_roster(cohort, filters=filters)
    export = request.GET.get("export")
    if export in ("csv", "xlsx"):
        filename = f"cohort-{cohort.pk}-roster.{export}"
        rows = _export_rows(enrollments.iterator())
        if export == "csv":
            return csv_response(filename, _export_headers(), rows)
        return xlsx_response(
            filename,
            sheet_title=_("Roster"),
            caption=str(cohort),
            headers=_export_headers(),
            rows=rows,
            widths=(6, 40, 32, 22, 18, 18, 18, 40),
        )
    page_obj = Paginator(enrollments, ROSTER_PAGE_SIZE).get_page(request.GET.get("page"))
    positions = selectors.cohort_waitlist_positions(cohort)
    for enrollment in page_obj:
        enrollment.queue_position = positions.get(enrollment.pk, 0)
    return TemplateResponse(
        request,
        "courses/cohort_roster.html",
        {
            "cohort": cohort,
            "course": cohort.course,
            "page_obj": page_obj,
            "counts": selectors.cohort_counts(cohort),
            "filters": filters,
            "statuses": EnrollmentStatus.choices,
            "return_to": request.get_full_path(),
            "breadcrumbs": _cabinet_crumbs(
                (_("My cohorts"), reverse("lms:courses:cohort_list")), (str(cohort), "")
            ),
        },
    )


@login_required
@require_POST
def cohort_decide_view(request, cohort_id: int, enrollment_id: int):
    cohort = _managed_cohort(request, cohort_id)
    roster_url = reverse("lms:courses:cohort_roster", args=[cohort.pk])
    back = safe_next_url(request, request.POST.get("return_to"), roster_url)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Unknown action."))
        return redirect(back)
    action = form.cleaned_data["action"]
    note = form.cleaned_data["note"]
    common = {"cohort_id": cohort.pk, "enrollment_id": enrollment_id, "actor": request.user}
    try:
        if action == "approve":
            enrollment = enrollment_approve(note=note, request=request, **common)
        elif action == "reject":
            enrollment = enrollment_reject(note=note, request=request, **common)
        else:
            enrollment = enrollment_promote(request=request, **common)
    except Enrollment.DoesNotExist as exc:
        raise Http404 from exc
    except EnrollmentRefused as refusal:
        messages.error(request, refusal.message)
        return redirect(back)
    name = enrollment.user.get_full_name() or enrollment.user.email
    if enrollment.status == EnrollmentStatus.ENROLLED:
        messages.success(request, _("%(name)s is enrolled.") % {"name": name})
    elif enrollment.status == EnrollmentStatus.WAITLISTED:
        messages.info(
            request,
            _("The cohort is full: %(name)s is on the waiting list, number %(position)d.")
            % {"name": name, "position": enrollment.waitlist_position},
        )
    elif enrollment.status == EnrollmentStatus.REJECTED:
        messages.success(request, _("The request of %(name)s is declined.") % {"name": name})
    else:
        messages.info(
            request,
            _("%(name)s: %(status)s.")
            % {
                "name": name,
                "status": enrollment.get_status_display(),
            },
        )
    return redirect(back)


# --- the cabinet (registered through LmsConfig.get_cabinet_sections) --------------------


def cabinet_enrollment_sections(request):
    """«My cohorts» for teachers and methodists; the ДПО data card for learners."""
    user = request.user
    if selectors.manages_any_cohort(user):
        cohorts = list(
            selectors.cohort_list(user, filters=selectors.CohortFilters(when="current"))[:10]
        )
        yield CabinetSection(
            key="cohorts",
            title=_("My cohorts"),
            template="courses/includes/cabinet_cohorts.html",
            context={"cohorts": cohorts, "list_url": reverse("lms:courses:cohort_list")},
            order=25,
        )
    profile = selectors.learner_profile_for(user)
    if profile is not None or selectors.has_any_enrollment(user):
        yield CabinetSection(
            key="dpo",
            title=_("Education and SNILS for certificates"),
            template="courses/includes/cabinet_dpo.html",
            context={
                "profile": profile,
                "complete": profile is not None and profile.is_complete(),
                "edit_url": reverse("lms:courses:learner_profile"),
            },
            order=26,
        )

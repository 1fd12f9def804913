"""What assignments contribute to the site through the plugin registry.

``LmsConfig`` (``lms/apps.py``) calls these from its hooks; they check their
own permissions and cost a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.plugins import CabinetSection, DashboardWidget, NotificationKind
from lms.assignments.selectors import pending_review_counts, teaching_cohorts
from lms.assignments.selectors.report import course_report, parse_period
from lms.assignments.services import NOTIFY_COHORT_MESSAGE, NOTIFY_REVIEWED
from lms.courses.selectors.enrollment import manages_any_cohort

DASHBOARD_PERMISSION = "core.view_dashboard"


def cabinet_sections(request) -> Iterator[CabinetSection]:
    """«Teaching» for teachers and methodists: work to review and each cohort's tools."""
    user = request.user
    if not user.is_authenticated or not manages_any_cohort(user):
        return
    pending = pending_review_counts(user)
    yield CabinetSection(
        key="teaching",
        title=_("Teaching"),
        template="assignments/cabinet_teaching.html",
        context={
            "cohorts": [(cohort, pending.get(cohort.pk, 0)) for cohort in teaching_cohorts(user)],
            "pending_total": sum(pending.values()),
            "queue_url": reverse("lms:assignments:review_queue"),
        },
        order=24,
    )


def dashboard_widgets(request) -> Iterator[DashboardWidget]:
    """Courses for a period (``?from=&to=``) on the head of department's dashboard."""
    if not request.user.has_perm(DASHBOARD_PERMISSION):
        return
    start, end = parse_period(request.GET.get("from", ""), request.GET.get("to", ""))
    yield DashboardWidget(
        key="courses",
        title=_("Courses"),
        template="assignments/dashboard_courses.html",
        context={"report": course_report(start=start, end=end)},
        order=35,
    )


def notification_kinds() -> list[NotificationKind]:
    return [
        NotificationKind(NOTIFY_REVIEWED, _("Teachers' decisions on my assignments")),
        NotificationKind(NOTIFY_COHORT_MESSAGE, _("Messages from the teachers of my cohorts")),
    ]

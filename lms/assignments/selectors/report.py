"""The head of department's report on courses for a period (a dashboard widget).

Per course: how many people got a place in the period (enrolled), how many did
anything in it — a lesson, a quiz attempt, a hand-in (active), how many
completed in it, and the average score of the quiz attempts closed in it.
Four queries whatever the number of courses and learners.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Exists, OuterRef, Q
from django.utils import timezone

from lms.assignments.models import Submission
from lms.courses.models import Cohort, CoursePage, Enrollment, EnrollmentStatus, LessonCompletion
from lms.quizzes.models import AttemptStatus, QuizAttempt

CHART_BAR_MAX = 260  # SVG units: the longest bar
CHART_ROW = 44  # SVG units per course
TITLE_MAX = 60  # characters of a course title written beside its bars
DEFAULT_PERIOD_DAYS = 365


@dataclass(frozen=True)
class CourseReportRow:
    course_id: int
    title: str
    url_path: str
    enrolled: int = 0
    active: int = 0
    completed: int = 0
    average_score: Decimal | None = None
    enrolled_bar: int = 0
    completed_bar: int = 0
    y: int = 0

    @property
    def short_title(self) -> str:
        if len(self.title) <= TITLE_MAX:
            return self.title
        return self.title[: TITLE_MAX - 1] + "…"


@dataclass(frozen=True)
class CourseReport:
    start: dt.date
    end: dt.date
    rows: list[CourseReportRow]
    enrolled: int
    active: int
    completed: int
    average_score: Decimal | None
    chart_height: int


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    today = today or timezone.localdate()
    return today - dt.timedelta(days=DEFAULT_PERIOD_DAYS - 1), today


def parse_period(raw_start: str, raw_end: str) -> tuple[dt.date, dt.date]:
    """The period of ``?from=&to=`` (ISO dates); what cannot be read falls back to the
    default, and a period that ends before it starts is the default as a whole."""
    default_start, default_end = default_period()

    def parse(raw: str, fallback: dt.date) -> dt.date:
        try:
            value = dt.date.fromisoformat((raw or "").strip()[:10])
        except ValueError:
            return fallback
        return value if 2000 <= value.year <= 2100 else fallback

    start, end = parse(raw_start, default_start), parse(raw_end, default_end)
    if end < start:
        return default_start, default_end
    return start, end


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_current_timezone()
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=zone),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone),
    )


def _rounded(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def course_report(*, start: dt.date, end: dt.date) -> CourseReport:
    since, until = _bounds(start, end)
    enrolled_in = Q(enrolled_at__gte=since, enrolled_at__lt=until)
    completed_in = Q(
        status=EnrollmentStatus.COMPLETED, completed_at__gte=since, completed_at__lt=until
    )
    counts = {
        row["cohort__course_id"]: row
        for row in Enrollment.objects.filter(enrolled_in | completed_in)
        .values("cohort__course_id")
        .annotate(
            enrolled=Count("pk", filter=enrolled_in), completed=Count("pk", filter=completed_in)
        )
        .order_by()
    }
    did_something = (
        Exists(
            LessonCompletion.objects.filter(
                enrollment=OuterRef("pk"), completed_at__gte=since, completed_at__lt=until
            )
        )
        | Exists(
            QuizAttempt.objects.filter(
                enrollment=OuterRef("pk"), started_at__gte=since, started_at__lt=until
            )
        )
        | Exists(
            QuizAttempt.objects.filter(
                enrollment=OuterRef("pk"), submitted_at__gte=since, submitted_at__lt=until
            )
        )
        | Exists(
            Submission.objects.filter(
                enrollment=OuterRef("pk"), submitted_at__gte=since, submitted_at__lt=until
            )
        )
    )
    active = dict(
        Enrollment.objects.filter(did_something)
        .values("cohort__course_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("cohort__course_id", "n")
    )
    closed_attempts = QuizAttempt.objects.filter(
        status__in=(AttemptStatus.SUBMITTED, AttemptStatus.EXPIRED),
        submitted_at__gte=since,
        submitted_at__lt=until,
    )
    scores = {
        course_id: (average, attempts)
        for course_id, average, attempts in closed_attempts.values("enrollment__cohort__course_id")
        .annotate(average=Avg("percent"), attempts=Count("pk"))
        .order_by()
        .values_list("enrollment__cohort__course_id", "average", "attempts")
    }
    running = Cohort.objects.filter(starts_on__lte=end, ends_on__gte=start).values("course_id")
    course_ids = set(counts) | set(active) | set(scores)
    courses = (
        CoursePage.objects.filter(Q(pk__in=course_ids) | Q(pk__in=running))
        .order_by("title", "pk")
        .values_list("pk", "title", "url_path")
    )
    rows = [
        CourseReportRow(
            course_id=pk,
            title=title,
            url_path=url_path,
            enrolled=counts.get(pk, {}).get("enrolled", 0),
            active=active.get(pk, 0),
            completed=counts.get(pk, {}).get("completed", 0),
            average_score=_rounded(scores.get(pk, (None, 0))[0]),
        )
        for pk, title, url_path in courses
    ]
    top = max((max(row.enrolled, row.completed) for row in rows), default=0) or 1
    rows = [
        replace(
            row,
            enrolled_bar=round(CHART_BAR_MAX * row.enrolled / top),
            completed_bar=round(CHART_BAR_MAX * row.completed / top),
            y=index * CHART_ROW,
        )
        for index, row in enumerate(rows)
    ]
    # The average over every closed attempt, not the average of the courses' averages.
    attempts = sum(count for _average, count in scores.values())
    overall = (
        sum(Decimal(average) * count for average, count in scores.values()) / attempts
        if attempts
        else None
    )
    return CourseReport(
        start=start,
        end=end,
        rows=rows,
        enrolled=sum(row.enrolled for row in rows),
        active=sum(row.active for row in rows),
        completed=sum(row.completed for row in rows),
        average_score=_rounded(overall),
        chart_height=max(len(rows), 1) * CHART_ROW + 8,
    )

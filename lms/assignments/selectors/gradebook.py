"""The cohort's gradebook: learners × graded items (quizzes and assignments).

A fixed number of queries whatever the size: the items (one query per page
type), the learners, the latest hand-ins, the best quiz results — each one
query for the whole cohort, joined in Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from cms.selectors.recommendations import clean_query, text_condition
from lms.assignments.models import AssignmentPage, Submission, SubmissionStatus
from lms.courses.models import HOLDS_PLACE, Cohort, Enrollment, EnrollmentStatus
from lms.quizzes.models import QuizPage

QUIZ = "quiz"
ASSIGNMENT = "assignment"
#: The statuses the gradebook's filter offers ("" means everybody holding a place).
GRADEBOOK_STATUSES = (
    EnrollmentStatus.ENROLLED,
    EnrollmentStatus.COMPLETED,
    EnrollmentStatus.WITHDRAWN,
)
NAME_FIELDS = ("user__last_name", "user__first_name", "user__patronymic", "user__email")


@dataclass(frozen=True)
class GradebookItem:
    page_id: int
    title: str
    kind: str
    path: str
    max_points: int | None = None


@dataclass(frozen=True)
class GradebookCell:
    #: none, passed, failed, submitted, returned, accepted, rejected
    state: str
    text: str
    #: Quiz percent or assignment points, for sorting and spreadsheets.
    value: Decimal | int | None = None
    late: bool = False
    attempts: int = 0
    submission_id: int | None = None


@dataclass
class GradebookRow:
    enrollment: Enrollment
    cells: list[GradebookCell] = field(default_factory=list)


@dataclass
class Gradebook:
    cohort: Cohort
    items: list[GradebookItem]
    rows: list[GradebookRow]
    #: False while ``lms.quizzes`` offers no results (the quiz cells then show "—").
    quiz_results: bool


EMPTY = "—"


def gradebook_items(cohort: Cohort) -> list[GradebookItem]:
    """The course's live quizzes and assignments in the order of the page tree."""
    course = cohort.course
    items = [
        GradebookItem(page_id=pk, title=title, kind=QUIZ, path=path)
        for pk, title, path in QuizPage.objects.descendant_of(course)
        .live()
        .values_list("pk", "title", "path")
    ]
    items += [
        GradebookItem(
            page_id=pk,
            title=title,
            kind=ASSIGNMENT,
            path=path,
            max_points=max_points,
        )
        for pk, title, path, max_points in AssignmentPage.objects.descendant_of(course)
        .live()
        .values_list("pk", "title", "path", "max_points")
    ]
    return sorted(items, key=lambda item: item.path)


def _best_quiz_results(enrollment_ids: list[int], quiz_ids: list[int]):
    try:
        from lms.quizzes.selectors import best_quiz_results
    except ImportError:
        return None
    return best_quiz_results(enrollment_ids, quiz_ids)


def _percent(value) -> str:
    return f"{Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP)} %"


def _quiz_cell(result) -> GradebookCell:
    if result is None:
        return GradebookCell(state="none", text=EMPTY)
    return GradebookCell(
        state="passed" if result.passed else "failed",
        text=_percent(result.percent),
        value=result.percent,
        attempts=result.attempts,
    )


def _assignment_cell(item: GradebookItem, latest: dict | None, count: int) -> GradebookCell:
    if latest is None:
        return GradebookCell(state="none", text=EMPTY)
    status = latest["status"]
    if status == SubmissionStatus.ACCEPTED:
        text = f"{latest['points']}/{item.max_points}"
    else:
        text = str(SubmissionStatus(status).label)
    if latest["is_late"]:
        text += " · " + _("late")
    return GradebookCell(
        state=status,
        text=text,
        value=latest["points"],
        late=latest["is_late"],
        attempts=count,
        submission_id=latest["pk"],
    )


def cohort_gradebook(cohort: Cohort, *, query: str = "", status: str = "") -> Gradebook:
    items = gradebook_items(cohort)
    enrollments = Enrollment.objects.filter(cohort=cohort).select_related("user")
    if status in GRADEBOOK_STATUSES:
        enrollments = enrollments.filter(status=status)
    else:
        enrollments = enrollments.filter(status__in=HOLDS_PLACE)
    query = clean_query(query)
    if query:
        enrollments = enrollments.filter(text_condition(query, NAME_FIELDS))
    enrollments = list(
        enrollments.order_by("user__last_name", "user__first_name", "user__patronymic", "user_id")
    )
    enrollment_ids = [enrollment.pk for enrollment in enrollments]
    quiz_ids = [item.page_id for item in items if item.kind == QUIZ]
    assignment_ids = [item.page_id for item in items if item.kind == ASSIGNMENT]

    quiz_results = _best_quiz_results(enrollment_ids, quiz_ids) if quiz_ids else {}
    latest: dict[tuple[int, int], dict] = {}
    counts: dict[tuple[int, int], int] = {}
    if enrollment_ids and assignment_ids:
        # The whole cohort's hand-ins in one query: cheaper than an IN list of learners.
        hand_ins = (
            Submission.objects.filter(enrollment__cohort=cohort, assignment_id__in=assignment_ids)
            .order_by("enrollment_id", "assignment_id", "number")
            .values("pk", "enrollment_id", "assignment_id", "status", "points", "is_late")
        )
        for hand_in in hand_ins:
            key = (hand_in["enrollment_id"], hand_in["assignment_id"])
            latest[key] = hand_in
            counts[key] = counts.get(key, 0) + 1

    rows = []
    for enrollment in enrollments:
        cells = []
        for item in items:
            key = (enrollment.pk, item.page_id)
            if item.kind == QUIZ:
                cells.append(_quiz_cell((quiz_results or {}).get(key)))
            else:
                cells.append(_assignment_cell(item, latest.get(key), counts.get(key, 0)))
        rows.append(GradebookRow(enrollment=enrollment, cells=cells))
    return Gradebook(cohort=cohort, items=items, rows=rows, quiz_results=quiz_results is not None)


def gradebook_table(gradebook: Gradebook) -> tuple[list[str], list[list]]:
    """Headers and rows for CSV and XLSX: No., name, email, status, then one column per item."""
    headers = [_("No."), _("Full name"), _("Email"), _("Status")]
    for item in gradebook.items:
        suffix = _("quiz, %") if item.kind == QUIZ else _("assignment, points")
        headers.append(f"{item.title} ({suffix})")
    rows = []
    for number, row in enumerate(gradebook.rows, start=1):
        user = row.enrollment.user
        line: list = [number, user.get_full_name(), user.email, row.enrollment.get_status_display()]
        for cell in row.cells:
            if cell.state == "none":
                line.append("")
            elif cell.state in ("passed", "failed"):
                # Whole percents: a decimal point would confuse Excel in a Russian locale.
                line.append(int(Decimal(cell.value).quantize(Decimal(1), rounding=ROUND_HALF_UP)))
            elif cell.state == SubmissionStatus.ACCEPTED:
                line.append(cell.value)
            else:
                line.append(cell.text)
        rows.append(line)
    return headers, rows

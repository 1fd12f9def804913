"""Reads for quizzes: learners' attempts, results for gradebooks and completion,
and the rows the attempt and result pages render from an attempt's snapshot."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from core.models import User
from lms.courses.models import CohortDeadline, CoursePage, Enrollment, EnrollmentStatus
from lms.quizzes.answers import is_answered
from lms.quizzes.models import AttemptStatus, Question, QuizAttempt, QuizPage
from lms.quizzes.scoring import normalise_text

CLOSED = (AttemptStatus.SUBMITTED, AttemptStatus.EXPIRED)
# Big JSON columns the lists never need.
HEAVY_FIELDS = ("snapshot", "answers", "results")
VIEW_ALL_PERMISSION = "quizzes.view_quizattempt"


@dataclass(frozen=True)
class QuizResult:
    """A learner's best closed attempt at a quiz."""

    attempt_id: int
    number: int
    score: Decimal
    max_score: Decimal
    percent: Decimal
    passed: bool
    attempts: int


def best_quiz_results(
    enrollment_ids: Iterable[int], quiz_ids: Iterable[int]
) -> dict[tuple[int, int], QuizResult]:
    """Best closed attempt per (enrollment, quiz), in one query; ties go to the earlier one."""
    enrollment_ids, quiz_ids = list(enrollment_ids), list(quiz_ids)
    if not enrollment_ids or not quiz_ids:
        return {}
    rows = (
        QuizAttempt.objects.filter(
            enrollment_id__in=enrollment_ids, quiz_id__in=quiz_ids, status__in=CLOSED
        )
        .order_by("enrollment_id", "quiz_id", "number")
        .values_list(
            "enrollment_id", "quiz_id", "pk", "number", "score", "max_score", "percent", "passed"
        )
    )
    best: dict[tuple[int, int], tuple] = {}
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for row in rows:
        key = (row[0], row[1])
        counts[key] += 1
        if key not in best or row[6] > best[key][6]:
            best[key] = row
    return {
        key: QuizResult(
            attempt_id=row[2],
            number=row[3],
            score=row[4],
            max_score=row[5],
            percent=row[6],
            passed=row[7],
            attempts=counts[key],
        )
        for key, row in best.items()
    }


def passed_quiz_ids(enrollment: Enrollment | int) -> set[int]:
    """Quizzes the enrollment has passed (any closed attempt at or above the pass mark)."""
    enrollment_id = getattr(enrollment, "pk", enrollment)
    return set(
        QuizAttempt.objects.filter(enrollment_id=enrollment_id, status__in=CLOSED, passed=True)
        .values_list("quiz_id", flat=True)
        .distinct()
    )


def passed_quizzes_by_enrollment(enrollment_ids: Iterable[int]) -> dict[int, set[int]]:
    """:func:`passed_quiz_ids` for many enrollments at once (dashboards), in one query."""
    enrollment_ids = list(enrollment_ids)
    passed: dict[int, set[int]] = defaultdict(set)
    if not enrollment_ids:
        return passed
    rows = (
        QuizAttempt.objects.filter(enrollment_id__in=enrollment_ids, status__in=CLOSED, passed=True)
        .values_list("enrollment_id", "quiz_id")
        .distinct()
    )
    for enrollment_id, quiz_id in rows:
        passed[enrollment_id].add(quiz_id)
    return passed


def quiz_course(quiz: QuizPage) -> CoursePage | None:
    return CoursePage.objects.ancestor_of(quiz).first()


def learner_enrollment(user: User, course: CoursePage | None) -> Enrollment | None:
    """The user's enrollment in a cohort of ``course`` that counts for quizzes:
    a studying one first, else a completed one (to see past results)."""
    if course is None or not user.is_authenticated:
        return None
    enrollments = (
        Enrollment.objects.filter(
            user=user,
            cohort__course=course,
            status__in=(EnrollmentStatus.ENROLLED, EnrollmentStatus.COMPLETED),
        )
        .select_related("cohort")
        .order_by("-cohort__starts_on", "-pk")
    )
    found = list(enrollments)
    studying = [e for e in found if e.status == EnrollmentStatus.ENROLLED]
    return (studying or found or [None])[0]


def quiz_deadline(enrollment: Enrollment, quiz: QuizPage):
    """The cohort's due date for the quiz, or ``None``."""
    return (
        CohortDeadline.objects.filter(cohort_id=enrollment.cohort_id, page_id=quiz.pk)
        .values_list("due_at", flat=True)
        .first()
    )


def quiz_attempts(enrollment: Enrollment, quiz: QuizPage) -> list[QuizAttempt]:
    return list(
        QuizAttempt.objects.filter(enrollment=enrollment, quiz=quiz)
        .defer(*HEAVY_FIELDS)
        .order_by("number")
    )


def quiz_question_count(quiz: QuizPage, course: CoursePage | None) -> int:
    """How many questions an attempt will get from the bank as it is now."""
    if course is None:
        return 0
    pools = list(quiz.pools.all())
    labels = list(
        Question.objects.filter(course=course, is_active=True).values_list("pool", flat=True)
    )
    if not pools:
        return len(labels)
    sizes: dict[str, int] = defaultdict(int)
    for label in labels:
        sizes[normalise_text(label)] += 1
    total = 0
    for pool in pools:
        available = sizes[normalise_text(pool.pool)]
        taken = available if pool.draw is None else min(pool.draw, available)
        sizes[normalise_text(pool.pool)] -= taken
        total += taken
    return total


def _teaches(user: User, cohort_id: int) -> bool:
    return user.taught_cohorts.filter(pk=cohort_id).exists()


def attempt_for_viewer(attempt_id: int, quiz: QuizPage, user: User) -> QuizAttempt | None:
    """The attempt if ``user`` may see it: its learner, a teacher of the learner's cohort,
    or staff allowed to see every attempt. Anyone else gets ``None`` (the view's 404)."""
    if not user.is_authenticated:
        return None
    attempt = (
        QuizAttempt.objects.filter(pk=attempt_id, quiz=quiz)
        .select_related("enrollment__user", "enrollment__cohort")
        .first()
    )
    if attempt is None:
        return None
    if attempt.enrollment.user_id == user.pk:
        return attempt
    if user.has_perm(VIEW_ALL_PERMISSION) or _teaches(user, attempt.enrollment.cohort_id):
        return attempt
    return None


def can_view_results(user: User, course: CoursePage | None) -> bool:
    if not user.is_authenticated or course is None:
        return False
    if user.has_perm(VIEW_ALL_PERMISSION):
        return True
    return user.taught_cohorts.filter(course=course).exists()


def quiz_results_for(user: User, quiz: QuizPage, course: CoursePage | None) -> list[QuizAttempt]:
    """Attempts at ``quiz`` the user may review: all for staff, their cohorts' for teachers."""
    if not can_view_results(user, course):
        return []
    attempts = QuizAttempt.objects.filter(quiz=quiz)
    if not user.has_perm(VIEW_ALL_PERMISSION):
        attempts = attempts.filter(enrollment__cohort__teachers=user)
    return list(
        attempts.select_related("enrollment__user", "enrollment__cohort")
        .defer(*HEAVY_FIELDS)
        .order_by("enrollment__cohort__starts_on", "enrollment__user__last_name", "number")
    )


# --- what the attempt and result pages render -----------------------------------------


def attempt_form_rows(attempt: QuizAttempt) -> list[dict[str, Any]]:
    """Questions in the attempt's order with the learner's saved answers, and nothing
    that tells which answer is right."""
    rows = []
    answers = attempt.answers or {}
    for number, question in enumerate(attempt.snapshot.get("questions", []), start=1):
        answer = answers.get(question["id"])
        row: dict[str, Any] = {
            "number": number,
            "id": question["id"],
            "kind": question["kind"],
            "text": question["text"],
            "points": question["points"],
            "answered": is_answered(answers, question["id"]),
        }
        kind = question["kind"]
        if kind in ("single", "multiple"):
            chosen = set(answer if isinstance(answer, list) else [answer])
            row["options"] = [
                {"id": option["id"], "text": option["text"], "checked": option["id"] in chosen}
                for option in question["options"]
            ]
        elif kind == "true_false" or kind == "short_answer":
            row["value"] = answer or ""
        elif kind == "matching":
            chosen = answer if isinstance(answer, dict) else {}
            row["pairs"] = [
                {"id": pair["id"], "left": pair["left"], "selected": chosen.get(pair["id"], "")}
                for pair in question["pairs"]
            ]
            row["choices"] = question["choices"]
        elif kind == "ordering":
            positions = answer if isinstance(answer, dict) else {}
            row["items"] = [
                {"id": item["id"], "text": item["text"], "position": positions.get(item["id"])}
                for item in question["display"]
            ]
            row["positions"] = list(range(1, len(question["display"]) + 1))
        rows.append(row)
    return rows


def attempt_review_rows(attempt: QuizAttempt) -> list[dict[str, Any]]:
    """A closed attempt question by question: the learner's answer, the right one,
    points and the feedback. Only for closed attempts (the caller checks)."""
    rows = []
    answers = attempt.answers or {}
    results = attempt.results or {}
    for number, question in enumerate(attempt.snapshot.get("questions", []), start=1):
        answer = answers.get(question["id"])
        result = results.get(question["id"], {})
        row: dict[str, Any] = {
            "number": number,
            "kind": question["kind"],
            "text": question["text"],
            "points": result.get("points", 0),
            "max_points": question["points"],
            "feedback": question.get("feedback", ""),
            "answered": is_answered(answers, question["id"]),
        }
        row["outcome"] = (
            "right"
            if row["points"] >= row["max_points"]
            else ("partly" if row["points"] > 0 else "wrong")
        )
        kind = question["kind"]
        if kind in ("single", "multiple"):
            chosen = set(answer if isinstance(answer, list) else [answer])
            row["options"] = [
                {**option, "chosen": option["id"] in chosen} for option in question["options"]
            ]
        elif kind == "true_false":
            row["value"] = answer or ""
            row["correct_value"] = "true" if question["correct"] else "false"
        elif kind == "short_answer":
            row["value"] = answer or ""
            row["variants"] = question["variants"]
        elif kind == "matching":
            chosen = answer if isinstance(answer, dict) else {}
            texts = {choice["id"]: choice["text"] for choice in question["choices"]}
            row["pairs"] = [
                {
                    "left": pair["left"],
                    "right": pair["right"],
                    "chosen": texts.get(chosen.get(pair["id"], ""), ""),
                }
                for pair in question["pairs"]
            ]
            for pair in row["pairs"]:
                pair["ok"] = normalise_text(pair["chosen"]) == normalise_text(pair["right"])
        elif kind == "ordering":
            positions = answer if isinstance(answer, dict) else {}
            row["items"] = [
                {
                    "text": item["text"],
                    "position": index,
                    "chosen": positions.get(item["id"]),
                    "ok": positions.get(item["id"]) == index,
                }
                for index, item in enumerate(question["items"], start=1)
            ]
        rows.append(row)
    return rows


def open_attempt_ids_due(now) -> list[int]:
    """In-progress attempts whose time is up (for the closing command)."""
    return list(
        QuizAttempt.objects.filter(
            deadline_at__lt=now, status=AttemptStatus.IN_PROGRESS
        ).values_list("pk", flat=True)
    )

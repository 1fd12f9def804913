"""Writes for quiz attempts: starting, answering, submitting and closing.

An attempt is the learner's record: the questions it drew are copied into its
snapshot at the start and everything after (answers, scores, feedback) is
computed from that copy. The enrollment row is the lock that serialises
starting attempts (one open attempt, attempts limit); the attempt row is the
lock for its answers and its closing.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from collections import defaultdict
from decimal import Decimal
from importlib import import_module

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from core.models import User
from core.services.audit import audit_log
from lms.courses.models import Enrollment, EnrollmentStatus
from lms.quizzes import selectors
from lms.quizzes.answers import InvalidAnswer, clean_answers
from lms.quizzes.bank import question_snapshot
from lms.quizzes.models import AttemptStatus, Question, QuizAttempt, QuizPage
from lms.quizzes.scoring import normalise_text, percent_of, question_points

# A save or submit that left the browser on time may arrive a little late.
DEADLINE_GRACE = dt.timedelta(seconds=10)


class QuizRefused(Exception):
    """The action is not possible; ``message`` is shown to the user as is."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


def _local(value: dt.datetime | dt.date) -> str:
    if isinstance(value, dt.datetime):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    return formats.date_format(value, "DATE_FORMAT")


# --- starting ---------------------------------------------------------------------------


def _provided(module: str, name: str):
    """A function another part of ``lms.courses`` provides, or ``None`` while it does not
    exist yet. Errors inside an existing module are not hidden."""
    try:
        return getattr(import_module(module), name, None)
    except ModuleNotFoundError as error:
        if error.name != module:
            raise
        return None


def _page_access(enrollment: Enrollment, quiz: QuizPage):
    """The course's access rule (sequential lessons, prerequisites), when it is installed."""
    page_access = _provided("lms.courses.selectors.progress", "page_access")
    return None if page_access is None else page_access(enrollment, quiz)


def _belongs_to(quiz: QuizPage, course_id: int) -> bool:
    course = selectors.quiz_course(quiz)
    return course is not None and course.pk == course_id


def _cohort_end(enrollment: Enrollment) -> dt.datetime:
    """Study in the cohort ends at the end of its last day (site time zone)."""
    last_day = enrollment.cohort.ends_on + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(last_day, dt.time.min))


def quiz_start_refusal(
    *, enrollment: Enrollment | None, quiz: QuizPage, now: dt.datetime | None = None
) -> QuizRefused | None:
    """Why the learner cannot start a new attempt now, or ``None`` if they can."""
    now = now or timezone.now()
    if enrollment is None:
        return QuizRefused(
            _("Enroll in a cohort of this course to take the quiz."), code="not_enrolled"
        )
    if enrollment.status == EnrollmentStatus.COMPLETED:
        return QuizRefused(
            _("You have completed the course; the quiz is closed for new attempts."),
            code="completed",
        )
    if enrollment.status != EnrollmentStatus.ENROLLED:
        return QuizRefused(
            _("Your place in the cohort has not been confirmed."), code="not_enrolled"
        )
    cohort = enrollment.cohort
    today = timezone.localdate(now)
    if cohort.starts_on > today:
        return QuizRefused(
            _("Study in your cohort starts on %(date)s.") % {"date": _local(cohort.starts_on)},
            code="not_started",
        )
    if now >= _cohort_end(enrollment):
        return QuizRefused(
            _("Study in your cohort ended on %(date)s.") % {"date": _local(cohort.ends_on)},
            code="ended",
        )
    access = _page_access(enrollment, quiz)
    if access is not None and not (access.allowed and getattr(access, "can_submit", True)):
        return QuizRefused(
            str(access.reason) or _("This quiz is not available yet."), code="locked"
        )
    due = selectors.quiz_deadline(enrollment, quiz)
    if due is not None and now >= due:
        return QuizRefused(
            _("The deadline for this quiz was %(date)s.") % {"date": _local(due)},
            code="deadline",
        )
    if quiz.attempts_allowed is not None:
        used = QuizAttempt.objects.filter(enrollment=enrollment, quiz=quiz).count()
        if used >= quiz.attempts_allowed:
            return QuizRefused(
                _("You have used all %(count)d attempts.") % {"count": quiz.attempts_allowed},
                code="no_attempts",
            )
    return None


def _draw(quiz: QuizPage, course_id: int, rng: random.Random) -> list[Question]:
    """The attempt's questions: every pool of the quiz in turn (a random sample when it
    draws fewer than it has), or the whole active bank when the quiz has no pools."""
    active = list(Question.objects.filter(course_id=course_id, is_active=True).order_by("pk"))
    pools = list(quiz.pools.all())
    if not pools:
        chosen = active
    else:
        by_pool: dict[str, list[Question]] = defaultdict(list)
        for question in active:
            by_pool[normalise_text(question.pool)].append(question)
        chosen, taken = [], set()
        for pool in pools:
            candidates = [q for q in by_pool[normalise_text(pool.pool)] if q.pk not in taken]
            if pool.draw is not None and pool.draw < len(candidates):
                candidates = rng.sample(candidates, pool.draw)
            chosen.extend(candidates)
            taken.update(q.pk for q in candidates)
    if quiz.shuffle_questions:
        rng.shuffle(chosen)
    return chosen


def _attempt_deadline(
    quiz: QuizPage, enrollment: Enrollment, started: dt.datetime
) -> dt.datetime | None:
    """The time limit, capped by the cohort's due date for the quiz and its last day."""
    limits = [_cohort_end(enrollment)]
    if quiz.time_limit_minutes:
        limits.append(started + dt.timedelta(minutes=quiz.time_limit_minutes))
    due = selectors.quiz_deadline(enrollment, quiz)
    if due is not None:
        limits.append(due)
    return min(limits)


def quiz_attempt_start(
    *, enrollment: Enrollment, quiz: QuizPage, now: dt.datetime | None = None, request=None
) -> QuizAttempt:
    """Start an attempt, or return the one already in progress (reload, double click)."""
    now = now or timezone.now()
    _close_expired_of(enrollment_id=enrollment.pk, quiz_id=quiz.pk, now=now)
    with transaction.atomic():
        enrollment = (
            Enrollment.objects.select_for_update(of=("self",))
            .select_related("cohort")
            .get(pk=enrollment.pk)
        )
        current = QuizAttempt.objects.filter(
            enrollment=enrollment, quiz=quiz, status=AttemptStatus.IN_PROGRESS
        ).first()
        if current is not None:
            return current
        if not _belongs_to(quiz, enrollment.cohort.course_id):
            raise QuizRefused(_("This quiz is not part of your course."), code="not_found")
        refusal = quiz_start_refusal(enrollment=enrollment, quiz=quiz, now=now)
        if refusal is not None:
            raise refusal
        seed = secrets.randbits(48)
        rng = random.Random(seed)  # noqa: S311 — shuffling questions, not a secret
        questions = _draw(quiz, enrollment.cohort.course_id, rng)
        if not questions:
            raise QuizRefused(_("This quiz has no questions yet."), code="empty")
        snapshot = {
            "passing_percent": quiz.passing_percent,
            "questions": [
                question_snapshot(question, rng=rng, shuffle=quiz.shuffle_options)
                for question in questions
            ],
        }
        number = (
            QuizAttempt.objects.filter(enrollment=enrollment, quiz=quiz).aggregate(
                last=Max("number")
            )["last"]
            or 0
        ) + 1
        try:
            with transaction.atomic():
                attempt = QuizAttempt.objects.create(
                    enrollment=enrollment,
                    quiz=quiz,
                    number=number,
                    started_at=now,
                    deadline_at=_attempt_deadline(quiz, enrollment, now),
                    seed=seed,
                    snapshot=snapshot,
                    max_score=sum(Decimal(q.points) for q in questions),
                )
        except IntegrityError:
            # Another request of the same learner got there first: use its attempt.
            attempt = QuizAttempt.objects.get(
                enrollment=enrollment, quiz=quiz, status=AttemptStatus.IN_PROGRESS
            )
            return attempt
        audit_log(
            action="quiz.start",
            actor=enrollment.user,
            target=attempt,
            data={"quiz": quiz.pk, "number": number},
            request=request,
        )
    return attempt


# --- answering and closing --------------------------------------------------------------


def _time_is_up(attempt: QuizAttempt, now: dt.datetime) -> bool:
    return attempt.deadline_at is not None and now > attempt.deadline_at + DEADLINE_GRACE


def _lock_attempt(attempt_id: int, user: User) -> QuizAttempt:
    """The user's own attempt, locked; ``QuizAttempt.DoesNotExist`` for anybody else's."""
    return (
        QuizAttempt.objects.select_for_update(of=("self",))
        .select_related("enrollment")
        .get(pk=attempt_id, enrollment__user=user)
    )


def _merge(attempt: QuizAttempt, answers: dict) -> None:
    try:
        cleaned = clean_answers(attempt.snapshot, answers)
    except InvalidAnswer as error:
        raise QuizRefused(error.message, code="invalid") from error
    merged = dict(attempt.answers or {})
    for question_id, value in cleaned.items():
        if value is None:
            merged.pop(question_id, None)
        else:
            merged[question_id] = value
    attempt.answers = merged


def _score(attempt: QuizAttempt) -> None:
    results, score, max_score = {}, Decimal(0), Decimal(0)
    for question in attempt.snapshot.get("questions", []):
        points = question_points(question, (attempt.answers or {}).get(question["id"]))
        results[question["id"]] = {"points": float(points), "max": question["points"]}
        score += points
        max_score += question["points"]
    attempt.results = results
    attempt.score = score
    attempt.max_score = max_score
    attempt.percent = percent_of(score, max_score)
    passing = attempt.snapshot.get("passing_percent", 100)
    attempt.passed = attempt.percent >= passing


def _close(attempt: QuizAttempt, *, status: str, now: dt.datetime) -> None:
    _score(attempt)
    attempt.status = status
    attempt.submitted_at = (
        min(now, attempt.deadline_at)
        if status == AttemptStatus.EXPIRED and attempt.deadline_at
        else now
    )
    attempt.save(
        update_fields=[
            "answers",
            "results",
            "score",
            "max_score",
            "percent",
            "passed",
            "status",
            "submitted_at",
            "saved_at",
        ]
    )
    audit_log(
        action="quiz.submit" if status == AttemptStatus.SUBMITTED else "quiz.expire",
        actor=attempt.enrollment.user,
        target=attempt,
        data={"quiz": attempt.quiz_id, "percent": str(attempt.percent), "passed": attempt.passed},
    )


def _after_close(attempt: QuizAttempt) -> None:
    """A pass may be the last condition of the course: record completion right away."""
    if not attempt.passed:
        return
    completion_check = _provided("lms.courses.services.progress", "completion_check")
    if completion_check is not None:
        completion_check(enrollment=attempt.enrollment)


def quiz_answer_save(
    *, attempt_id: int, user: User, answers: dict, now: dt.datetime | None = None
) -> QuizAttempt:
    """Store answers (one question or many) of the user's open attempt.

    ``answers`` maps question ids to values; an empty value clears the answer.
    After the attempt is closed, or once its time is up, nothing changes: the
    attempt is closed with the answers saved so far and ``QuizRefused`` says why.
    """
    now = now or timezone.now()
    time_up = False
    with transaction.atomic():
        attempt = _lock_attempt(attempt_id, user)
        if not attempt.is_open:
            raise QuizRefused(
                _("This attempt is closed; its answers can no longer be changed."),
                code="closed",
            )
        if _time_is_up(attempt, now):
            _close(attempt, status=AttemptStatus.EXPIRED, now=now)
            time_up = True
        else:
            _merge(attempt, answers)
            attempt.saved_at = now
            attempt.save(update_fields=["answers", "saved_at"])
    if time_up:
        _after_close(attempt)
        raise QuizRefused(
            _("Time is up: the attempt was closed with the answers saved before the end."),
            code="expired",
        )
    return attempt


def quiz_attempt_submit(
    *,
    attempt_id: int,
    user: User,
    answers: dict | None = None,
    now: dt.datetime | None = None,
) -> QuizAttempt:
    """Close the user's attempt and score it. Submitting again returns it unchanged.

    Answers sent with the submit are stored first, unless the time is up: then
    the attempt closes with what was saved before the end.
    """
    now = now or timezone.now()
    with transaction.atomic():
        attempt = _lock_attempt(attempt_id, user)
        if not attempt.is_open:
            return attempt
        if attempt.enrollment.status not in (
            EnrollmentStatus.ENROLLED,
            EnrollmentStatus.COMPLETED,
        ):
            raise QuizRefused(_("You are no longer studying in this cohort."), code="not_enrolled")
        if _time_is_up(attempt, now):
            status = AttemptStatus.EXPIRED
        else:
            status = AttemptStatus.SUBMITTED
            if answers:
                _merge(attempt, answers)
                attempt.saved_at = now
        _close(attempt, status=status, now=now)
    _after_close(attempt)
    return attempt


def _expire(attempt_id: int, now: dt.datetime) -> QuizAttempt | None:
    """Close one attempt whose time is up; ``None`` if it is not (or no longer) due."""
    with transaction.atomic():
        attempt = (
            QuizAttempt.objects.select_for_update(of=("self",))
            .select_related("enrollment")
            .filter(pk=attempt_id, status=AttemptStatus.IN_PROGRESS)
            .first()
        )
        if attempt is None or not _time_is_up(attempt, now):
            return None
        _close(attempt, status=AttemptStatus.EXPIRED, now=now)
    _after_close(attempt)
    return attempt


def _close_expired_of(*, enrollment_id: int, quiz_id: int, now: dt.datetime) -> None:
    due = QuizAttempt.objects.filter(
        enrollment_id=enrollment_id,
        quiz_id=quiz_id,
        status=AttemptStatus.IN_PROGRESS,
        deadline_at__lt=now - DEADLINE_GRACE,
    ).values_list("pk", flat=True)
    for attempt_id in list(due):
        _expire(attempt_id, now)


def quiz_attempt_close_if_expired(
    *, attempt: QuizAttempt, now: dt.datetime | None = None
) -> QuizAttempt:
    """On every look at an open attempt: if its time is up, close it now."""
    now = now or timezone.now()
    if attempt.is_open and _time_is_up(attempt, now):
        closed = _expire(attempt.pk, now)
        if closed is not None:
            return closed
        attempt.refresh_from_db()
    return attempt


def quiz_attempts_close_expired(*, now: dt.datetime | None = None) -> int:
    """Close every attempt whose time is up (the ``close_expired_attempts`` command)."""
    now = now or timezone.now()
    closed = 0
    for attempt_id in selectors.open_attempt_ids_due(now - DEADLINE_GRACE):
        if _expire(attempt_id, now) is not None:
            closed += 1
    return closed

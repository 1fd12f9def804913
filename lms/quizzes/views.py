"""Quiz pages: the quiz, an attempt (a plain form; JavaScript only adds autosave and a
countdown), the result with feedback, and the teachers' list of attempts.

The page class routes here (RoutablePageMixin); the views only parse input,
call services and selectors, and render.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.quizzes import selectors
from lms.quizzes.answers import is_answered
from lms.quizzes.forms import answers_from_post
from lms.quizzes.models import AttemptStatus, QuizAttempt, QuizPage
from lms.quizzes.services import (
    QuizRefused,
    quiz_answer_save,
    quiz_attempt_close_if_expired,
    quiz_attempt_start,
    quiz_attempt_submit,
    quiz_start_refusal,
)

CLOCK_FROM = 24 * 60 * 60  # seconds


def _require_post(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return None


def _remaining_seconds(attempt: QuizAttempt) -> int | None:
    if attempt.deadline_at is None:
        return None
    return max(0, int((attempt.deadline_at - timezone.now()).total_seconds()))


def _answered_count(attempt: QuizAttempt) -> int:
    answers = attempt.answers or {}
    return sum(1 for q in attempt.snapshot.get("questions", []) if is_answered(answers, q["id"]))


def _attempt_url(quiz: QuizPage, attempt: QuizAttempt) -> str:
    return quiz.url + quiz.reverse_subpage("attempt", args=[attempt.pk])


def quiz_detail(request, quiz: QuizPage):
    course = selectors.quiz_course(quiz)
    enrollment = selectors.learner_enrollment(request.user, course)
    attempts, open_attempt = [], None
    if enrollment is not None:
        attempts = selectors.quiz_attempts(enrollment, quiz)
        open_attempt = next((attempt for attempt in attempts if attempt.is_open), None)
        if (
            open_attempt is not None
            and not quiz_attempt_close_if_expired(attempt=open_attempt).is_open
        ):
            attempts = selectors.quiz_attempts(enrollment, quiz)
            open_attempt = None
    context = quiz.get_context(request)
    context.update(
        course=course,
        enrollment=enrollment,
        attempts=attempts,
        open_attempt=open_attempt,
        refusal=None
        if open_attempt is not None
        else quiz_start_refusal(enrollment=enrollment, quiz=quiz),
        deadline=selectors.quiz_deadline(enrollment, quiz) if enrollment else None,
        question_count=selectors.quiz_question_count(quiz, course),
        attempts_left=None
        if quiz.attempts_allowed is None
        else max(0, quiz.attempts_allowed - len(attempts)),
        can_view_results=selectors.can_view_results(request.user, course),
    )
    return TemplateResponse(request, quiz.get_template(request), context)


def quiz_start_view(request, quiz: QuizPage):
    if (response := _require_post(request)) is not None:
        return response
    if not request.user.is_authenticated:
        return redirect_to_login(quiz.url)
    enrollment = selectors.learner_enrollment(request.user, selectors.quiz_course(quiz))
    try:
        if enrollment is None:
            raise QuizRefused(
                _("Enroll in a cohort of this course to take the quiz."), code="not_enrolled"
            )
        attempt = quiz_attempt_start(enrollment=enrollment, quiz=quiz, request=request)
    except QuizRefused as refusal:
        messages.error(request, refusal.message)
        return redirect(quiz.url)
    return redirect(_attempt_url(quiz, attempt))


def _breadcrumbs(quiz: QuizPage, title: str) -> list[tuple[str, str]]:
    return [*quiz.get_breadcrumbs(), (quiz.title, quiz.url), (title, "")]


def _post_attempt(request, quiz: QuizPage, attempt: QuizAttempt):
    action = request.POST.get("action", "save")
    url = _attempt_url(quiz, attempt)
    # The confirmation step posts no answers: only forms that carry them overwrite them.
    answers = (
        answers_from_post(attempt.snapshot, request.POST)
        if request.POST.get("with_answers") == "1"
        else None
    )
    try:
        if action == "submit":
            attempt = quiz_attempt_submit(attempt_id=attempt.pk, user=request.user, answers=answers)
            if attempt.status == AttemptStatus.EXPIRED:
                messages.warning(
                    request,
                    _("Time was up: the attempt was closed with the answers saved before the end."),
                )
            else:
                messages.success(request, _("Your attempt has been submitted."))
            return redirect(url)
        if answers is not None:
            quiz_answer_save(attempt_id=attempt.pk, user=request.user, answers=answers)
    except QuizRefused as refusal:
        messages.error(request, refusal.message)
        return redirect(url)
    if action == "finish":
        return redirect(url + "?confirm=1")
    messages.success(request, _("Your answers are saved."))
    return redirect(url)


def quiz_attempt_view(request, quiz: QuizPage, attempt_id: int):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    attempt = selectors.attempt_for_viewer(attempt_id, quiz, request.user)
    if attempt is None:
        raise Http404
    is_owner = attempt.enrollment.user_id == request.user.pk
    if request.method == "POST":
        if not is_owner:
            raise PermissionDenied
        return _post_attempt(request, quiz, attempt)
    attempt = quiz_attempt_close_if_expired(attempt=attempt)
    context = quiz.get_context(request)
    context.update(attempt=attempt, is_owner=is_owner, learner=attempt.enrollment.user)
    if attempt.is_open and is_owner:
        questions = len(attempt.snapshot.get("questions", []))
        remaining = _remaining_seconds(attempt)
        context.update(
            rows=selectors.attempt_form_rows(attempt),
            remaining_seconds=remaining,
            # A clock is useful for a time limit, not for a deadline weeks away.
            show_clock=remaining is not None and remaining <= CLOCK_FROM,
            confirm=request.GET.get("confirm") == "1",
            answered=_answered_count(attempt),
            unanswered=questions - _answered_count(attempt),
            question_total=questions,
            breadcrumbs=_breadcrumbs(quiz, _("Attempt %(number)d") % {"number": attempt.number}),
        )
        return TemplateResponse(request, "quizzes/quiz_attempt.html", context)
    reveal = not attempt.is_open and (quiz.show_feedback or not is_owner)
    context.update(
        rows=selectors.attempt_review_rows(attempt) if reveal else [],
        reveal=reveal,
        answered=_answered_count(attempt),
        question_total=len(attempt.snapshot.get("questions", [])),
        breadcrumbs=_breadcrumbs(quiz, _("Attempt %(number)d") % {"number": attempt.number}),
    )
    return TemplateResponse(request, "quizzes/quiz_result.html", context)


def quiz_autosave_view(request, quiz: QuizPage, attempt_id: int):
    """The JavaScript enhancement: the whole attempt form posted on every change."""
    if (response := _require_post(request)) is not None:
        return response
    if not request.user.is_authenticated:
        return JsonResponse({"error": _("Please sign in again.")}, status=403)
    attempt = selectors.attempt_for_viewer(attempt_id, quiz, request.user)
    if attempt is None or attempt.enrollment.user_id != request.user.pk:
        return JsonResponse({"error": _("No such attempt.")}, status=404)
    try:
        attempt = quiz_answer_save(
            attempt_id=attempt.pk,
            user=request.user,
            answers=answers_from_post(attempt.snapshot, request.POST),
        )
    except QuizRefused as refusal:
        status = 400 if refusal.code == "invalid" else 409
        return JsonResponse(
            {"error": refusal.message, "code": refusal.code, "url": _attempt_url(quiz, attempt)},
            status=status,
        )
    return JsonResponse(
        {
            "saved": True,
            "saved_at": timezone.localtime(attempt.saved_at).strftime("%H:%M:%S"),
            "answered": _answered_count(attempt),
            "remaining": _remaining_seconds(attempt),
        }
    )


def quiz_results_view(request, quiz: QuizPage):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    course = selectors.quiz_course(quiz)
    if not selectors.can_view_results(request.user, course):
        raise Http404
    context = quiz.get_context(request)
    context.update(
        attempts=selectors.quiz_results_for(request.user, quiz, course),
        breadcrumbs=_breadcrumbs(quiz, _("Results")),
    )
    return TemplateResponse(request, "quizzes/quiz_results.html", context)

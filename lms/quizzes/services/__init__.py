"""Writes for quizzes: the question bank (``questions``) and attempts (``attempts``)."""

from lms.quizzes.services.attempts import (
    DEADLINE_GRACE,
    QuizRefused,
    quiz_answer_save,
    quiz_attempt_close_if_expired,
    quiz_attempt_start,
    quiz_attempt_submit,
    quiz_attempts_close_expired,
    quiz_start_refusal,
)
from lms.quizzes.services.questions import question_create, question_save

__all__ = [
    "DEADLINE_GRACE",
    "QuizRefused",
    "question_create",
    "question_save",
    "quiz_answer_save",
    "quiz_attempt_close_if_expired",
    "quiz_attempt_start",
    "quiz_attempt_submit",
    "quiz_attempts_close_expired",
    "quiz_start_refusal",
]

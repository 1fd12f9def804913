"""Writes for the question bank. Attempts keep their own copy of every question they
drew, so an edit here never changes a past attempt."""

from __future__ import annotations

from django.db import transaction

from lms.courses.models import CoursePage
from lms.quizzes.bank import parse_answers_text
from lms.quizzes.models import Question


@transaction.atomic
def question_save(*, question: Question) -> Question:
    """Create or update a bank question. Every edit gets a new version number; attempts
    that already drew the question keep their own copy and are not affected."""
    if question.pk is not None:
        current = (
            Question.objects.select_for_update()
            .values_list("version", flat=True)
            .filter(pk=question.pk)
            .first()
        )
        if current is not None:
            question.version = current + 1
    question.save()
    return question


def question_create(
    *,
    course: CoursePage,
    kind: str,
    text: str,
    answers: str,
    pool: str = "",
    points: int = 1,
    feedback: str = "",
) -> Question:
    """A new bank question from the editors' one-answer-per-line text (see ``bank``)."""
    question = Question(
        course=course,
        kind=kind,
        text=text,
        pool=pool,
        points=points,
        feedback=feedback,
        data=parse_answers_text(kind, answers),
    )
    return question_save(question=question)

"""Forms: the question-bank editor of the Wagtail admin, and reading a posted attempt."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from lms.courses.models import CoursePage
from lms.quizzes.bank import answers_text, parse_answers_text
from lms.quizzes.models import Question
from lms.quizzes.services import question_save

ANSWERS_HELP = _(
    "One per line. Single and multiple choice: one option per line, mark each correct "
    "option with * at the start («*Федеральный закон № 78-ФЗ»). True or false: one word, "
    "«true» or «false». Short answer: every accepted answer on its own line (case, ё/е "
    "and extra spaces do not matter). Matching: «left = right» per line. Ordering: the "
    "items in the right order (learners see them mixed)."
)


class QuestionForm(WagtailAdminModelForm):
    """Edits a bank question; the answers are typed one per line and checked per kind."""

    answers = forms.CharField(
        label=_("Answers"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=ANSWERS_HELP,
    )

    class Meta:
        model = Question
        fields = ["course", "pool", "kind", "text", "points", "feedback", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = CoursePage.objects.order_by("title")
        self.fields["pool"].help_text = _(
            "A short label that quizzes draw questions by, e.g. «Модуль 1»."
        )
        if self.instance.pk is not None:
            self.fields["answers"].initial = answers_text(self.instance.kind, self.instance.data)
        self.order_fields(
            ["course", "pool", "kind", "text", "answers", "points", "feedback", "is_active"]
        )

    def clean(self):
        cleaned = super().clean()
        kind, text = cleaned.get("kind"), cleaned.get("answers")
        if kind and text is not None:
            previous = self.instance.data if self.instance.pk is not None else {}
            try:
                self.instance.data = parse_answers_text(kind, text, previous)
            except ValidationError as error:
                self.add_error("answers", error)
        return cleaned

    def save(self, commit=True):
        question = super().save(commit=False)
        if commit:
            question_save(question=question)
        return question


def answers_from_post(snapshot: dict, data: QueryDict) -> dict:
    """Every question's answer as the no-JavaScript form (and the autosave) posts it.

    Each question gets a value, empty when nothing is chosen, so that unticking
    the last checkbox or clearing a field clears the stored answer.
    """
    answers = {}
    for question in snapshot.get("questions", []):
        name = f"q-{question['id']}"
        kind = question["kind"]
        if kind == "multiple":
            answers[question["id"]] = data.getlist(name)
        elif kind == "matching":
            answers[question["id"]] = {
                pair["id"]: data.get(f"{name}-{pair['id']}", "") for pair in question["pairs"]
            }
        elif kind == "ordering":
            answers[question["id"]] = {
                item["id"]: data.get(f"{name}-{item['id']}", "") for item in question["items"]
            }
        else:
            answers[question["id"]] = data.get(name, "")
    return answers

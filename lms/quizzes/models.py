"""Quizzes of ДПО courses.

The quiz page (content) says how a quiz runs; the questions are a per-course
bank of records that editors keep changing. An attempt copies the questions it
drew into its ``snapshot`` at the start, so answers, scores and feedback of a
past attempt never change when a question is edited or deleted later.
"""

from __future__ import annotations

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.models import Orderable, Page

from cms.models.base import BasePage


def new_uid() -> str:
    return uuid.uuid4().hex


class QuizPage(RoutablePageMixin, BasePage):
    """A quiz inside a course module; its questions come from the course's question bank."""

    intro = models.TextField(_("instructions"), blank=True)
    required = models.BooleanField(_("required for completion"), default=True)
    time_limit_minutes = models.PositiveSmallIntegerField(
        _("time limit, minutes"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Empty means no time limit."),
    )
    attempts_allowed = models.PositiveSmallIntegerField(
        _("attempts allowed"),
        null=True,
        blank=True,
        default=3,
        validators=[MinValueValidator(1)],
        help_text=_("Empty means any number of attempts."),
    )
    passing_percent = models.PositiveSmallIntegerField(
        _("passing score, %"),
        default=70,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    shuffle_questions = models.BooleanField(_("shuffle the questions"), default=True)
    shuffle_options = models.BooleanField(_("shuffle the answer options"), default=True)
    show_feedback = models.BooleanField(
        _("show correct answers and feedback"),
        default=True,
        help_text=_("Shown to the learner after the attempt is closed."),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("required"),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [
                        FieldPanel("time_limit_minutes"),
                        FieldPanel("attempts_allowed"),
                        FieldPanel("passing_percent"),
                    ]
                ),
                FieldRowPanel(
                    [
                        FieldPanel("shuffle_questions"),
                        FieldPanel("shuffle_options"),
                        FieldPanel("show_feedback"),
                    ]
                ),
            ],
            heading=_("How the quiz runs"),
        ),
        InlinePanel(
            "pools",
            heading=_("Questions"),
            label=_("pool"),
            help_text=_(
                "Which pools of the course's question bank to draw from. Without pools, "
                "every active question of the course is used."
            ),
        ),
    ]
    parent_page_types = ["courses.ModulePage"]
    subpage_types = []
    template = "quizzes/quiz_page.html"

    class Meta:
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(passing_percent__gte=1, passing_percent__lte=100),
                name="quizzes_quiz_passing_percent",
            ),
        ]

    # --- routes --------------------------------------------------------------

    @path("")
    def detail(self, request):
        from lms.quizzes.views import quiz_detail

        return quiz_detail(request, self)

    @path("start/", name="start")
    def start(self, request):
        from lms.quizzes.views import quiz_start_view

        return quiz_start_view(request, self)

    @path("attempts/<int:attempt_id>/", name="attempt")
    def attempt(self, request, attempt_id):
        from lms.quizzes.views import quiz_attempt_view

        return quiz_attempt_view(request, self, attempt_id)

    @path("attempts/<int:attempt_id>/autosave/", name="autosave")
    def autosave(self, request, attempt_id):
        from lms.quizzes.views import quiz_autosave_view

        return quiz_autosave_view(request, self, attempt_id)

    @path("results/", name="results")
    def results(self, request):
        from lms.quizzes.views import quiz_results_view

        return quiz_results_view(request, self)


class QuizPool(Orderable):
    """Draw questions of one pool of the course's bank into every attempt."""

    page = ParentalKey(QuizPage, on_delete=models.CASCADE, related_name="pools")
    pool = models.CharField(
        _("pool"), max_length=100, help_text=_("The pool label as written in the question bank.")
    )
    draw = models.PositiveSmallIntegerField(
        _("questions to draw"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Empty means every active question of the pool."),
    )

    panels = [FieldRowPanel([FieldPanel("pool"), FieldPanel("draw")])]

    class Meta(Orderable.Meta):
        verbose_name = _("question pool")
        verbose_name_plural = _("question pools")

    def __str__(self):
        return self.pool


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("single choice")
    MULTIPLE = "multiple", _("multiple choice")
    TRUE_FALSE = "true_false", _("true or false")
    SHORT_ANSWER = "short_answer", _("short answer")
    MATCHING = "matching", _("matching")
    ORDERING = "ordering", _("ordering")


class Question(models.Model):
    """A question of a course's bank.

    ``data`` holds what the kind needs, each part with an id generated once:
    ``options`` [{id, text, correct}] for choices, ``correct`` for true/false,
    ``variants`` for a short answer, ``pairs`` [{id, left, right}] for
    matching, ``items`` [{id, text}] in the right order for ordering.
    """

    uid = models.CharField(_("id"), max_length=32, unique=True, default=new_uid, editable=False)
    course = models.ForeignKey(
        "courses.CoursePage",
        on_delete=models.PROTECT,
        related_name="quiz_questions",
        verbose_name=_("course"),
    )
    pool = models.CharField(_("pool"), max_length=100, blank=True, db_index=True)
    kind = models.CharField(_("kind"), max_length=16, choices=QuestionKind.choices)
    text = models.TextField(_("question"), max_length=3000)
    data = models.JSONField(_("answers"), default=dict)
    points = models.PositiveSmallIntegerField(
        _("points"), default=1, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    feedback = models.TextField(
        _("feedback"),
        blank=True,
        max_length=3000,
        help_text=_("Explanation the learner sees after the attempt is closed."),
    )
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive questions are not drawn any more.")
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["course_id", "pool", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("question bank")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(points__gte=1, points__lte=100), name="quizzes_question_points"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=QuestionKind.values), name="quizzes_question_kind"
            ),
        ]

    def __str__(self):
        text = self.text if len(self.text) <= 80 else self.text[:79] + "…"
        return f"[{self.pool}] {text}" if self.pool else text


class AttemptStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("in progress")
    SUBMITTED = "submitted", _("submitted")
    EXPIRED = "expired", _("closed when time ran out")


class QuizAttempt(models.Model):
    """One attempt of a learner at a quiz, with the questions as they were at its start."""

    enrollment = models.ForeignKey(
        "courses.Enrollment",
        on_delete=models.PROTECT,
        related_name="quiz_attempts",
        verbose_name=_("enrollment"),
    )
    quiz = models.ForeignKey(
        QuizPage, on_delete=models.PROTECT, related_name="attempts", verbose_name=_("quiz")
    )
    number = models.PositiveSmallIntegerField(_("attempt number"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=AttemptStatus.choices,
        default=AttemptStatus.IN_PROGRESS,
        db_index=True,
    )
    started_at = models.DateTimeField(_("started"))
    deadline_at = models.DateTimeField(_("must be finished by"), null=True, blank=True)
    saved_at = models.DateTimeField(_("answers last saved"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("closed"), null=True, blank=True)
    seed = models.BigIntegerField(_("shuffle seed"))
    snapshot = models.JSONField(_("questions at the start"), default=dict)
    answers = models.JSONField(_("answers"), default=dict)
    results = models.JSONField(_("points per question"), default=dict)
    score = models.DecimalField(_("score"), max_digits=8, decimal_places=2, null=True, blank=True)
    max_score = models.DecimalField(_("maximum score"), max_digits=8, decimal_places=2)
    percent = models.DecimalField(
        _("score, %"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    passed = models.BooleanField(_("passed"), default=False)

    class Meta:
        ordering = ["enrollment_id", "quiz_id", "number"]
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "quiz", "number"], name="quizzes_attempt_number"
            ),
            models.UniqueConstraint(
                fields=["enrollment", "quiz"],
                condition=models.Q(status="in_progress"),
                name="quizzes_one_open_attempt",
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="quizzes_attempt_number_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(status="in_progress")
                | models.Q(submitted_at__isnull=False, score__isnull=False),
                name="quizzes_closed_attempt_scored",
            ),
            models.CheckConstraint(
                condition=models.Q(percent__isnull=True)
                | models.Q(percent__gte=0, percent__lte=100),
                name="quizzes_attempt_percent",
            ),
        ]

    def __str__(self):
        return f"{self.enrollment_id}/{self.quiz_id} #{self.number}"

    def get_absolute_url(self) -> str:
        return self.quiz.url + self.quiz.reverse_subpage("attempt", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == AttemptStatus.IN_PROGRESS

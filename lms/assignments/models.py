"""Assignments of ДПО courses.

The assignment page (content) says what to do and what may be handed in. What
learners hand in and what teachers decide are records: a submission with its
files, one review per submission, and the messages teachers send to a cohort.
Records reference the page and the enrollment with PROTECT, so deleting the
page cannot erase anybody's training history.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Page

from cms.blocks import BodyBlock
from cms.models.base import BasePage
from core.storage import private_storage
from core.uploads import DOCUMENT_KINDS, IMAGE_KINDS, UPLOAD_KINDS
from lms.assignments.forms import AssignmentPageForm

#: What an assignment may accept (``core.uploads`` kinds), in the order editors see them.
FILE_KINDS = tuple(kind for kind in UPLOAD_KINDS if kind in DOCUMENT_KINDS | IMAGE_KINDS)
DEFAULT_FILE_KINDS = "pdf,docx,odt,jpeg,png"
MAX_FILE_SIZE_MB = 50
MB = 1024 * 1024


class AssignmentPage(RoutablePageMixin, BasePage):
    """A practical assignment inside a course module, reviewed by the cohort's teachers."""

    instructions = StreamField(BodyBlock(), verbose_name=_("instructions"), blank=True)
    required = models.BooleanField(_("required for completion"), default=True)
    is_final = models.BooleanField(_("final assignment"), default=False)
    text_allowed = models.BooleanField(_("answer as text"), default=True)
    files_allowed = models.BooleanField(_("answer as files"), default=True)
    file_kinds = models.CharField(
        _("accepted file types"), max_length=100, default=DEFAULT_FILE_KINDS, blank=True
    )
    max_file_size_mb = models.PositiveSmallIntegerField(
        _("largest file, MB"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_FILE_SIZE_MB)],
    )
    max_points = models.PositiveSmallIntegerField(
        _("maximum points"), default=10, validators=[MinValueValidator(1)]
    )
    pass_points = models.PositiveSmallIntegerField(
        _("pass mark, points"),
        default=6,
        help_text=_("An accepted work gets at least this many points."),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("instructions"),
        FieldRowPanel([FieldPanel("required"), FieldPanel("is_final")]),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("text_allowed"), FieldPanel("files_allowed")]),
                FieldPanel("file_kinds"),
                FieldPanel("max_file_size_mb"),
            ],
            heading=_("What learners hand in"),
        ),
        FieldRowPanel([FieldPanel("max_points"), FieldPanel("pass_points")], heading=_("Grading")),
    ]
    base_form_class = AssignmentPageForm
    parent_page_types = ["courses.ModulePage"]
    subpage_types = []
    template = "assignments/assignment_page.html"

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(text_allowed=True) | models.Q(files_allowed=True),
                name="assignments_page_some_answer",
            ),
            models.CheckConstraint(
                condition=models.Q(pass_points__lte=models.F("max_points")),
                name="assignments_page_pass_mark",
            ),
            models.CheckConstraint(
                condition=models.Q(max_file_size_mb__gte=1, max_file_size_mb__lte=MAX_FILE_SIZE_MB),
                name="assignments_page_file_size",
            ),
        ]

    @property
    def accepted_kinds(self) -> frozenset[str]:
        return frozenset(kind for kind in self.file_kinds.split(",") if kind in FILE_KINDS)

    @property
    def accepted_labels(self) -> list[str]:
        return [UPLOAD_KINDS[kind].label for kind in FILE_KINDS if kind in self.accepted_kinds]

    @property
    def accepts_files(self) -> bool:
        return self.files_allowed and bool(self.accepted_kinds)

    @property
    def max_file_size(self) -> int:
        return self.max_file_size_mb * MB

    # --- routes --------------------------------------------------------------

    @path("")
    def detail(self, request):
        from lms.assignments.views.learner import assignment_detail

        return assignment_detail(request, self)


class SubmissionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("awaiting review")
    RETURNED = "returned", _("returned for revision")
    ACCEPTED = "accepted", _("accepted")
    REJECTED = "rejected", _("not accepted")


class Submission(models.Model):
    """One hand-in of a learner for an assignment: the first, or a revision after a return."""

    enrollment = models.ForeignKey(
        "courses.Enrollment",
        on_delete=models.PROTECT,
        related_name="submissions",
        verbose_name=_("enrollment"),
    )
    assignment = models.ForeignKey(
        AssignmentPage,
        on_delete=models.PROTECT,
        related_name="submissions",
        verbose_name=_("assignment"),
    )
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("answer"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"))
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    is_late = models.BooleanField(_("late"), default=False)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=SubmissionStatus.choices,
        default=SubmissionStatus.SUBMITTED,
        db_index=True,
    )
    points = models.PositiveSmallIntegerField(_("points"), null=True, blank=True)
    # What the form carried: a second press of «Submit» finds the first submission.
    client_token = models.CharField(_("form token"), max_length=64, unique=True)

    class Meta:
        ordering = ["enrollment_id", "assignment_id", "number"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "assignment", "number"], name="assignments_submission_number"
            ),
            models.UniqueConstraint(
                fields=["enrollment", "assignment"],
                condition=models.Q(status="submitted"),
                name="assignments_one_open_submission",
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="assignments_submission_number_positive"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="accepted") | models.Q(points__isnull=False),
                name="assignments_accepted_has_points",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "submitted_at"], name="assignments_queue_idx"),
        ]

    def __str__(self):
        return f"{self.assignment_id}/{self.enrollment_id} #{self.number}"

    def get_absolute_url(self):
        return self.assignment.url

    @property
    def is_open(self) -> bool:
        return self.status == SubmissionStatus.SUBMITTED


def submission_upload_to(instance: SubmissionFile, filename: str) -> str:
    submission = instance.submission
    return f"submissions/{submission.assignment_id}/{submission.enrollment_id}/{filename}"


class SubmissionFile(models.Model):
    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="files", verbose_name=_("submission")
    )
    file = models.FileField(
        _("file"), upload_to=submission_upload_to, storage=private_storage, max_length=255
    )
    name = models.CharField(_("file name"), max_length=255)
    kind = models.CharField(_("type"), max_length=8)
    size = models.PositiveBigIntegerField(_("size, bytes"))

    class Meta:
        ordering = ["submission_id", "pk"]
        verbose_name = _("submitted file")
        verbose_name_plural = _("submitted files")

    def __str__(self):
        return self.name


class ReviewDecision(models.TextChoices):
    ACCEPT = "accept", _("accept")
    RETURN = "return", _("return for revision")
    REJECT = "reject", _("do not accept (final)")


class Review(models.Model):
    """The teacher's decision on one submission; a submission is decided once."""

    submission = models.OneToOneField(
        Submission, on_delete=models.PROTECT, related_name="review", verbose_name=_("submission")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    decision = models.CharField(_("decision"), max_length=8, choices=ReviewDecision.choices)
    points = models.PositiveSmallIntegerField(_("points"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    created = models.DateTimeField(_("reviewed"), auto_now_add=True)

    class Meta:
        ordering = ["created", "pk"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(decision="accept") | models.Q(points__isnull=False),
                name="assignments_accept_has_points",
            ),
            models.CheckConstraint(
                condition=models.Q(decision="accept") | ~models.Q(comment=""),
                name="assignments_return_has_comment",
            ),
        ]

    def __str__(self):
        return f"{self.submission} — {self.get_decision_display()}"


class CohortMessage(models.Model):
    """A teacher's message to every learner of a cohort (in-site and by email)."""

    cohort = models.ForeignKey(
        "courses.Cohort",
        on_delete=models.PROTECT,
        related_name="messages",
        verbose_name=_("cohort"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"), max_length=5000)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    created = models.DateTimeField(_("sent"), auto_now_add=True)
    client_token = models.CharField(_("form token"), max_length=64, unique=True)

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("message to a cohort")
        verbose_name_plural = _("messages to cohorts")

    def __str__(self):
        return self.subject

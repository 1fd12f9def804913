"""The consultation desk: librarians' questions (records) and the public FAQ (pages).

A question is a record of one person's request for methodological help; it
must outlive any edit of the FAQ, so the FAQ page it became points back at
nothing and the question keeps only a SET_NULL link to the page.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from cms.blocks import BodyBlock
from cms.models.base import BasePage
from core.storage import private_storage
from core.uploads import safe_filename

QUESTION_MAX_LENGTH = 5000


class ConsultationAnswerPage(BasePage):
    """A public FAQ entry: an anonymised question and the department's answer."""

    question_text = models.TextField(
        _("question"),
        help_text=_("The question as the public sees it: without names, e-mails or phones."),
    )
    answer = StreamField(BodyBlock(), verbose_name=_("answer"))
    topic = models.ForeignKey(
        "cms.Topic",
        verbose_name=_("topic"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consultation_answers",
    )
    date = models.DateField(_("published on"), default=timezone.localdate)

    search_fields = [
        *Page.search_fields,
        index.SearchField("question_text"),
        index.SearchField("answer"),
        index.FilterField("topic"),
        index.FilterField("date"),
    ]
    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("topic"), FieldPanel("date")]),
        FieldPanel("question_text"),
        FieldPanel("answer"),
    ]
    parent_page_types = ["cms.ConsultationIndexPage"]
    subpage_types = []
    template = "consultations/consultation_answer_page.html"

    class Meta:
        verbose_name = _("consultation answer")
        verbose_name_plural = _("consultation answers")


class QuestionStatus(models.TextChoices):
    NEW = "new", _("new")
    ASSIGNED = "assigned", _("in progress")
    ANSWERED = "answered", _("answered")
    CLOSED = "closed", _("closed")


#: Questions that still wait for an answer (the queue's SLA counts these).
WAITING_STATUSES = (QuestionStatus.NEW, QuestionStatus.ASSIGNED)


def question_attachment_path(instance: Question, filename: str) -> str:
    return timezone.now().strftime("consultations/%Y/%m/") + safe_filename(filename)


class Question(models.Model):
    """A librarian's question to the department's methodists."""

    asker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked by"),
        on_delete=models.CASCADE,
        related_name="consultation_questions",
    )
    organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consultation_questions",
    )
    topic = models.ForeignKey(
        "cms.Topic",
        verbose_name=_("topic"),
        on_delete=models.PROTECT,
        related_name="consultation_questions",
    )
    text = models.TextField(_("question"), max_length=QUESTION_MAX_LENGTH)
    attachment = models.FileField(
        _("attachment"),
        upload_to=question_attachment_path,
        storage=private_storage,
        max_length=255,
        blank=True,
    )
    attachment_name = models.CharField(_("attachment file name"), max_length=255, blank=True)
    attachment_kind = models.CharField(_("attachment type"), max_length=8, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=QuestionStatus.choices,
        default=QuestionStatus.NEW,
        db_index=True,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consultation_assignments",
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consultation_answers",
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    faq_page = models.ForeignKey(
        ConsultationAnswerPage,
        verbose_name=_("FAQ entry"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="questions",
    )
    # One-time key of the ask form: sending the same form twice makes one question.
    client_token = models.UUIDField(_("form token"), unique=True, default=uuid.uuid4)
    created = models.DateTimeField(_("asked at"), default=timezone.now, db_index=True)
    updated = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("consultation question")
        verbose_name_plural = _("consultation questions")
        ordering = ["created", "pk"]
        permissions = [
            (
                "answer_question",
                _("Can work the consultation queue: assign, answer, publish as FAQ, close"),
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="answered")
                | (models.Q(answered_at__isnull=False) & ~models.Q(answer="")),
                name="consultations_answered_has_answer",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="assigned") | models.Q(assignee__isnull=False),
                name="consultations_assigned_has_assignee",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[status.value for status in QuestionStatus]),
                name="consultations_status_known",
            ),
        ]
        indexes = [models.Index(fields=["status", "created"])]

    def __str__(self):
        first_line = self.text.strip().splitlines()[0] if self.text.strip() else ""
        return f"№ {self.pk}: {first_line[:80]}"

    def get_absolute_url(self):
        """The asker's list of questions, at this question."""
        from cms.consultations.selectors import consultation_index

        index = consultation_index()
        if index is None:
            return ""
        return f"{index.url}{index.reverse_subpage('my')}#question-{self.pk}"

    @property
    def is_waiting(self) -> bool:
        return self.status in WAITING_STATUSES

    def days_waiting(self, now=None) -> int:
        """Whole days since the question was asked, up to the answer (or now)."""
        end = self.answered_at or self.closed_at or now or timezone.now()
        return max((end - self.created).days, 0)

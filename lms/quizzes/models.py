from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page

from cms.models.base import BasePage


class QuizPage(BasePage):
    """A quiz inside a course module; its questions come from the course's question bank."""

    intro = models.TextField(_("instructions"), blank=True)
    required = models.BooleanField(_("required for completion"), default=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("required")]
    parent_page_types = ["courses.ModulePage"]
    subpage_types = []
    template = "quizzes/quiz_page.html"

    class Meta:
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")
